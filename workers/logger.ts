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
export function isExpectedFailure(
  error: unknown,
  from: 'activity' | 'workflow' = 'activity',
): error is { message: string; type?: string | null } {
  if (!error || typeof error !== 'object') return false;
  const e = error as { nonRetryable?: unknown; cause?: unknown };
  const kind = failureKind(error);
  // Workflow code fails its workflow only by throwing a Temporal failure (any other error fails the task and is
  // retried), so an ApplicationFailure that reached "Workflow failed" was thrown on purpose.
  if (kind === 'ApplicationFailure') return from === 'workflow' || e.nonRetryable === true;
  // An activity's or child's failure as the workflow saw it: judge what the activity or child threw.
  if (kind === 'ActivityFailure' || kind === 'ChildWorkflowFailure') return isExpectedFailure(e.cause, from);
  return false;
}

/**
 * The failure's class. A "Workflow failed" entry crossed from the workflow thread by structured clone, which
 * keeps an error's message, stack and cause but not its class, name or fields: the stack's first line still
 * names the class.
 */
function failureKind(error: object): string {
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && name !== 'Error') return name;
  return /^(\w+)/.exec(String((error as { stack?: unknown }).stack ?? ''))?.[1] ?? 'Error';
}

function reasonOf(error: { message: string; type?: string | null; cause?: unknown }): string {
  const kind = failureKind(error);
  // "Activity task failed" says nothing: what the activity (or child) threw does.
  if (
    (kind === 'ActivityFailure' || kind === 'ChildWorkflowFailure') &&
    error.cause &&
    typeof error.cause === 'object'
  ) {
    return reasonOf(error.cause as { message: string });
  }
  return `${error.type ? `${error.type}: ` : ''}${error.message}`;
}

const CONTEXT_KEYS = ['workflowId', 'workflowType', 'activityType', 'attempt'] as const;

export function formatEntry(entry: LogEntry, verbose: boolean, colors = false): string {
  const { level, message, meta, timestampNanos } = entry;
  const at = new Date(Number(timestampNanos / 1_000_000n)).toISOString();
  const error = meta?.error ?? meta?.failure;
  if (!verbose && isExpectedFailure(error, message === 'Workflow failed' ? 'workflow' : 'activity')) {
    const context = CONTEXT_KEYS.filter((k) => meta?.[k] !== undefined)
      .map((k) => `${k}=${String(meta![k])}`)
      .join(' ');
    return `${at} [${level}] ${message}: ${reasonOf(error as { message: string })}${context ? ` (${context})` : ''}`;
  }
  return meta === undefined
    ? `${at} [${level}] ${message}`
    : `${at} [${level}] ${message} ${formatWithOptions({ colors }, meta)}`;
}

/** The Runtime logger for pipewatch's processes (worker, start, demo). */
export function operatorLogger(level: LogLevel = 'WARN'): DefaultLogger {
  const verbose = level === 'DEBUG' || level === 'TRACE';
  const colors = Boolean(process.stderr.isTTY && process.stderr.hasColors?.());
  return new DefaultLogger(level, (entry) => process.stderr.write(`${formatEntry(entry, verbose, colors)}\n`));
}
