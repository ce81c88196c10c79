// The postgres connector's part of pipewatch.yaml: the connector and the checks only it runs.
import { z } from 'zod';
import { isEnvRef } from '../../config/env.js';
import { duration, secretRef } from '../../config/schema-fields.js';

const postgresUrl = z.string().superRefine((url, ctx) => {
  if (isEnvRef(url)) return;
  // Credentials written into a URL would travel through schedules and history.
  const withoutRefs = url.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g, 'x');
  let parsed: URL;
  try {
    parsed = new URL(withoutRefs);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'a connection URL such as "postgres://reader@db.internal:5432/lake" or "${LAKE_DATABASE_URL}"',
    });
    return;
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
    ctx.addIssue({ code: 'custom', message: `a postgres:// URL, not ${parsed.protocol}//` });
  }
  if (/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(url) && !/:\$\{[A-Za-z_][A-Za-z0-9_]*\}@/.test(url)) {
    ctx.addIssue({
      code: 'custom',
      message: 'the URL holds a password; put it in "password: ${ENV_VAR}" or make the whole URL a reference',
    });
  }
});

export const postgresConnector = z
  .strictObject({
    type: z.literal('postgres'),
    url: postgresUrl,
    password: secretRef.optional(),
    statementTimeout: duration.prefault('30s'),
    connectTimeout: duration.prefault('10s'),
    pool: z.strictObject({ max: z.int().min(1).max(100).default(4) }).default({ max: 4 }),
    ssl: z.boolean().optional(),
  })
  .meta({ description: 'A PostgreSQL database read in read-only transactions.' });

export const sqlCheck = z
  .strictObject({
    type: z.literal('sql'),
    query: z
      .string()
      .refine((q) => /^\s*(select|with)\b/i.test(q) && !/;\s*\S/.test(q), 'one SELECT (or WITH … SELECT) statement')
      .meta({
        description:
          'Returns one number (first column of the first row). $1 and $2 are the start and end of the window, when used.',
      }),
    window: duration.prefault('1h'),
    unit: z.enum(['records', 'seconds']).default('records'),
  })
  .meta({ description: 'Any read-only query that returns a number.' });

export const databaseCheck = z
  .strictObject({ type: z.literal('database'), measure: z.enum(['connections', 'size', 'replicationLag']) })
  .meta({
    description:
      'PostgreSQL health: percent of max_connections in use, database size in bytes, or replication lag in seconds.',
  });
