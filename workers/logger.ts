// The worker's log as an operator reads it in a terminal: an expected domain
// failure — one pipewatch or a pipeline throws on purpose, such as a refused
// archive, a record of unknown format waiting on an operator, an aborted
// ingest — is one line with its reason and the workflow it belongs to; a
// stack trace is printed only for what nobody expected (a bug, a crash), or
// for everything at PIPEWATCH_LOG_LEVEL=DEBUG.
import { formatWithOptions } from 'node:util';
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';

/**
 * A failure thrown on purpose: an ApplicationFailure marked non-retryable (the
 * thrower decided it is final), or one whose type pipewatch throws to say
 * "this needs a person". Duck-typed: failures come from workflow sandboxes,
 * where `instanceof` does not hold.
 */
export function isExpectedFailure(error: unknown): error is { message: string; type?: string | null } {
  if (!error || typeof error !== 'object') return false;
  const e = error as { name?: unknown; nonRetryable?: unknown; type?: unknown; cause?: unknown };
  if (e.name === 'ApplicationFailure') return e.nonRetryable === true;
  // An activity's failure as the workflow saw it: judge what the activity threw.
  if (e.name === 'ActivityFailure' || e.name === 'ChildWorkflowFailure') return isExpectedFailure(e.cause);
  return false;
}

function reasonOf(error: { message: string; type?: string | null; cause?: unknown }): string {
  const cause = error.cause as { message?: string; type?: string | null } | undefined;
  const inner = cause && typeof cause.message === 'string' ? cause : error;
  return `${inner.type ? `${inner.type}: ` : ''}${inner.message}`;
}

const CONTEXT_KEYS = ['workflowId', 'workflowType', 'activityType', 'attempt'] as const;

export function formatEntry(entry: LogEntry, verbose: boolean, colors = false): string {
  const { level, message, meta, timestampNanos } = entry;
  const at = new Date(Number(timestampNanos / 1_000_000n)).toISOString();
  const error = meta?.error ?? meta?.failure;
  if (!verbose && isExpectedFailure(error)) {
    const context = CONTEXT_KEYS.filter((k) => meta?.[k] !== undefined)
      .map((k) => `${k}=${String(meta![k])}`)
      .join(' ');
    return `${at} [${level}] ${message}: ${reasonOf(error as { message: string })}${context ? ` (${context})` : ''}`;
  }
  return meta === undefined ? `${at} [${level}] ${message}` : `${at} [${level}] ${message} ${formatWithOptions({ colors }, meta)}`;
}

/** The Runtime logger for pipewatch's processes (worker, start, demo). */
export function operatorLogger(level: LogLevel = 'WARN'): DefaultLogger {
  const verbose = level === 'DEBUG' || level === 'TRACE';
  const colors = Boolean(process.stderr.isTTY && process.stderr.hasColors?.());
  return new DefaultLogger(level, (entry) => process.stderr.write(`${formatEntry(entry, verbose, colors)}\n`));
}
