// The Alertmanager channel's part of pipewatch.yaml (composed into the channel union by channels/schemas.ts).
import { z } from 'zod';
import { duration } from '../../config/schema-fields.js';
import { channelCommon } from '../shared/schema.js';

export const alertmanagerChannelSchema = z
  .strictObject({
    type: z.literal('alertmanager'),
    url: z.string().min(1).meta({
      description: 'Base URL of Alertmanager (alerts go to <url>/api/v2/alerts), e.g. http://alertmanager:9093.',
    }),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: 'Sent with every post; values may be "${ENV}" references (a bearer token).' }),
    resendEvery: duration.prefault('1m').meta({
      description:
        'While an alert fires it is posted again this often; Alertmanager resolves it if four resends in a row do not arrive.',
    }),
    temporalWebUi: z.string().optional().meta({
      description: "The Temporal Web UI's base URL, for each alert's generatorURL (default PIPEWATCH_TEMPORAL_WEB_UI).",
    }),
    timeout: duration.prefault('10s'),
    ...channelCommon,
  })
  .superRefine((c, ctx) => {
    if (c.resendEvery < 1_000)
      ctx.addIssue({
        code: 'custom',
        path: ['resendEvery'],
        message: 'resendEvery must be at least 1s (Alertmanager expects a resend every 30 s to 3 min)',
      });
  })
  .meta({
    description:
      "An existing Alertmanager (v2 API): pipewatch's alerts with labels and annotations, so its routing, silences and receivers take over.",
  });
