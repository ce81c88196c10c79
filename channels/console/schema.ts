// The console channel's part of pipewatch.yaml (composed into the channel union by channels/schemas.ts).
import { z } from 'zod';
import { channelCommon } from '../shared/schema.js';

export const consoleChannelSchema = z
  .strictObject({ type: z.literal('console'), ...channelCommon })
  .meta({ description: "Lines on the worker's standard output, for local use." });
