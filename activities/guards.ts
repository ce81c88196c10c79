// How every activity reports failure and stays alive: messages with every
// known secret removed, configuration errors that no retry can fix marked
// non-retryable, heartbeats while long work runs.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { MissingEnvError, redactSecrets } from '../config/env.js';
import { HEARTBEAT_EVERY_MS } from '../workflows/heartbeats.js';

/** A failure whose message has had every known secret removed, and no original stack. */
export function scrubbed(
  err: unknown,
  secrets: Iterable<string>,
  type: string,
  nonRetryable = false,
): ApplicationFailure {
  const message = redactSecrets(err instanceof Error ? err.message : String(err), secrets);
  return ApplicationFailure.create({ message, type, nonRetryable });
}

/** Runs long work while telling Temporal the activity is alive. */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Resolves `${ENV}` references or a live client; a variable that is not set fails for good, not on every retry. */
export function resolveOrFail<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (err) {
    if (err instanceof MissingEnvError) throw scrubbed(err, [], 'ConfigurationError', true);
    throw err;
  }
}
