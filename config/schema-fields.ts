// The field types every part of pipewatch.yaml is built from: ids, durations, secret references,
// severities and perspectives. The per-connector schemas (connectors/<type>/schema.ts) import them
// from here, not from config/schema.ts: that file composes them, and the import would be a cycle.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { isEnvRef } from './env.js';

export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const idMessage =
  'an id of lowercase letters, digits, ".", "_" or "-" (at most 63 characters, starting with a letter or digit)';

export const id = z.string().regex(ID_PATTERN, idMessage);

/** "30s", "5m", "1h30m" → milliseconds. */
export const duration = z
  .string({ error: 'a duration such as "30s", "5m" or "1h"' })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not a duration; write it like "30s", "5m", "1h30m" or "2d"`,
      });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: 'A duration such as "30s", "5m", "1h30m" or "2d".' });

/** A string that must be a `${ENV_VAR}` reference, so the secret never sits in the file. */
export const secretRef = z
  .string()
  .refine(isEnvRef, {
    message: 'a secret must be an environment reference such as "${SMTP_PASSWORD}", not the value itself',
  })
  .meta({ description: 'An environment reference such as "${SMTP_PASSWORD}", resolved inside the worker.' });

/** SQL identifier, optionally schema-qualified: lake.raw_records */
export const identifier = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/,
    'a table or column name (letters, digits, "_", optionally schema-qualified like lake.records)',
  );

export const severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof severity>;

export const perspective = z.enum(['data', 'logs', 'operations', 'services']);
export type Perspective = z.infer<typeof perspective>;
