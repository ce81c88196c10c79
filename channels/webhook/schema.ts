// The webhook channel's part of pipewatch.yaml (composed into the channel union by channels/schemas.ts).
import { z } from 'zod';
import { duration, secretRef } from '../../config/schema-fields.js';
import { channelCommon } from '../shared/schema.js';

export const webhookChannelSchema = z
  .strictObject({
    type: z.literal('webhook'),
    url: z.string().min(1),
    secret: secretRef
      .optional()
      .meta({ description: 'Key for the X-Pipewatch-Signature header: sha256=HMAC-SHA256(secret, body) in hex.' }),
    headers: z.record(z.string(), z.string()).default({}),
    timeout: duration.prefault('10s'),
    ...channelCommon,
  })
  .meta({ description: 'A JSON POST to any HTTP endpoint, signed with HMAC-SHA256.' });
