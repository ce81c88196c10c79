// The Slack channel's part of pipewatch.yaml (composed into the channel union by channels/schemas.ts).
import { z } from 'zod';
import { secretRef } from '../../config/schema-fields.js';
import { channelCommon } from '../shared/schema.js';

export const slackChannelSchema = z
  .strictObject({
    type: z.literal('slack'),
    webhookUrl: secretRef.meta({
      description: 'The incoming-webhook URL, as an environment reference: it is a credential.',
    }),
    ...channelCommon,
  })
  .meta({ description: 'A Slack incoming webhook.' });
