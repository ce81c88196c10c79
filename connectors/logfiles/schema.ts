// The logfiles connector's part of pipewatch.yaml: the connector (its logs check is shared with
// Elasticsearch: connectors/shared/schema.ts).
import { z } from 'zod';
import { duration } from '../../config/schema-fields.js';

export const logfilesConnector = z
  .strictObject({
    type: z.literal('logfiles'),
    path: z.string().min(1).meta({
      description:
        'An NDJSON log file, or files matched by a * in the file name (logs/*.ndjson). Rotated files are followed.',
    }),
    timestampField: z.string().default('@timestamp'),
    retention: duration
      .prefault('1d')
      .meta({ description: 'How long read events are kept for window and new_term rules.' }),
  })
  .meta({
    description:
      'NDJSON log files, tailed with offsets kept in the store (the default log source without Elasticsearch).',
  });
