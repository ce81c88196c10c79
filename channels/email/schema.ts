// The email channel's part of pipewatch.yaml (composed into the channel union by channels/schemas.ts).
import { z } from 'zod';
import { isEnvRef } from '../../config/env.js';
import { secretRef } from '../../config/schema-fields.js';
import { channelCommon } from '../shared/schema.js';

export const emailChannelSchema = z
  .strictObject({
    type: z.literal('email'),
    smtp: z.strictObject({
      host: z.string().min(1),
      port: z
        .union([
          z.int().min(1).max(65535),
          z.string().refine(isEnvRef, { message: 'a port number or an environment reference such as "${SMTP_PORT}"' }),
        ])
        .default(587),
      secure: z
        .boolean()
        .default(false)
        .meta({ description: 'TLS from the first byte (port 465); otherwise STARTTLS when offered.' }),
      requireTLS: z.boolean().default(false),
      user: z.string().optional(),
      password: secretRef.optional(),
      rejectUnauthorized: z.boolean().default(true),
    }),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    subjectPrefix: z.string().default('[pipewatch]'),
    ...channelCommon,
  })
  .meta({ description: 'Email over SMTP (nodemailer).' });
