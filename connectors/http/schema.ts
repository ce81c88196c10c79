// The http connector's part of pipewatch.yaml: the connector and its check.
import { z } from 'zod';
import { parseCondition } from '../../evaluation/conditions.js';
import { duration, severity } from '../../config/schema-fields.js';

export const httpConnector = z
  .strictObject({
    type: z.literal('http'),
    url: z
      .string()
      .min(1)
      .meta({ description: 'Base URL of the service, e.g. https://api.example.com or "${API_URL}".' }),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: 'Sent with every request; values may be "${ENV}" references (tokens).' }),
    timeout: duration.prefault('10s'),
    caFile: z.string().optional().meta({ description: 'PEM file of extra certificate authorities to trust.' }),
    rejectUnauthorized: z.boolean().default(true),
  })
  .meta({ description: 'An HTTP(S) service probed with requests.' });

export const httpCheck = z
  .strictObject({
    type: z.literal('http'),
    path: z.string().default('').meta({ description: 'Appended to the connector URL.' }),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS']).default('GET'),
    body: z.string().optional(),
    conditions: z
      .array(
        z.string().superRefine((text, ctx) => {
          const parsed = parseCondition(text);
          if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
        }),
      )
      .default(['[STATUS] < 400'])
      .meta({
        description:
          'All must hold: "[STATUS] == 200", "[RESPONSE_TIME] < 500", "[BODY].status == UP", "[BODY] =~ \\"ok\\"", "[HEADER].x-version == 2", "[CERTIFICATE_EXPIRATION] > 7d".',
      }),
    shape: z
      .strictObject({
        headers: z
          .array(z.string())
          .default([])
          .meta({ description: 'Headers whose values count as part of the shape, e.g. x-api-version.' }),
      })
      .optional()
      .meta({
        description:
          'Alert when the JSON shape (keys and types) or these headers change; accept a new shape with `pipewatch accept-shape`.',
      }),
    conditionSeverity: severity.default('critical'),
  })
  .meta({ description: 'One request; the value is the response time in seconds.' });
