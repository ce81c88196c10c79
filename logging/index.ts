// pipewatch/logging — the structured logging interface pipelines import.
// ECS-shaped JSON (pino with @elastic/ecs-pino-format): @timestamp, log.level,
// message, service.name, event.action / code / outcome, labels.pipeline /
// stage / run_id, error.*. One line per event on stdout for Fluentd or Fluent
// Bit (docs/logging/), or to a file, or straight to Elasticsearch.
//
//   import { createLogger } from 'pipewatch/logging';
//   const log = createLogger({ service: 'crawler', pipeline: 'intel' });
//   const run = log.child({ stage: 'parse', runId: '2026-11-26T10' });
//   run.recordsDropped({ count: 12, reason: 'no victim name' });
//   run.stageFailed({ error: err, item: 'leak-42.html' });
//   await log.close();   // flushes every sink
import { ecsFormat } from '@elastic/ecs-pino-format';
import pino, { type DestinationStream, type Logger } from 'pino';
import { ElasticsearchSink, type ElasticsearchSinkOptions } from './elasticsearch-sink.js';

export { ElasticsearchSink };

export type Sink =
  | { kind: 'stdout' }
  | { kind: 'file'; path: string }
  | ({ kind: 'elasticsearch' } & ElasticsearchSinkOptions)
  | { kind: 'stream'; stream: DestinationStream };

export interface LoggerOptions {
  service: string;
  pipeline?: string;
  stage?: string;
  runId?: string;
  level?: pino.Level;
  /** Default: stdout. */
  sinks?: Sink[];
}

/** The events pipewatch reacts to: log rules match on event.action. */
export const EVENTS = {
  archivePasswordRequired: 'archive.password_required',
  stageFailed: 'stage.failed',
  stageCompleted: 'stage.completed',
  recordsDropped: 'records.dropped',
} as const;

export interface PipelineLogger {
  readonly pino: Logger;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown> & { error?: unknown }): void;
  /** A named event: event.action, and event.code / event.outcome when given. */
  event(
    action: string,
    message: string,
    fields?: { code?: string; outcome?: 'success' | 'failure' | 'unknown'; level?: pino.Level } & Record<
      string,
      unknown
    >,
  ): void;
  child(context: {
    pipeline?: string;
    stage?: string;
    runId?: string;
    [label: string]: string | undefined;
  }): PipelineLogger;
  archivePasswordRequired(fields: { path: string; source?: string }): void;
  stageFailed(fields: { error: unknown; item?: string; code?: string }): void;
  stageCompleted(fields: { records: number; durationMs?: number }): void;
  recordsDropped(fields: { count: number; reason: string }): void;
  /** Waits until every sink took what was logged. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

function labels(context: {
  pipeline?: string;
  stage?: string;
  runId?: string;
  [k: string]: string | undefined;
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(context)) {
    if (v === undefined) continue;
    out[k === 'runId' ? 'run_id' : k] = v;
  }
  return out;
}

function wrap(root: Logger, context: Record<string, string>, flushers: Array<() => Promise<void>>): PipelineLogger {
  // Children are made from the root with all labels merged, so each line has one "labels" object.
  const logger = Object.keys(context).length ? root.child({ labels: context }) : root;
  const write = (level: pino.Level, message: string, fields: Record<string, unknown> = {}) => {
    const { error, ...rest } = fields as { error?: unknown };
    if (error instanceof Error) logger[level]({ err: error, ...rest }, message);
    else if (error !== undefined) logger[level]({ ...rest, error: { message: String(error) } }, message);
    else logger[level](rest, message);
  };
  const self: PipelineLogger = {
    pino: logger,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    event(action, message, fields = {}) {
      const { code, outcome, level = 'info', ...rest } = fields;
      write(level, message, { ...rest, event: { action, ...(code ? { code } : {}), ...(outcome ? { outcome } : {}) } });
    },
    child(more) {
      return wrap(root, { ...context, ...labels(more) }, flushers);
    },
    archivePasswordRequired: ({ path, source }) =>
      self.event(EVENTS.archivePasswordRequired, `archive ${path} needs a password`, {
        level: 'warn',
        outcome: 'failure',
        file: { path },
        ...(source ? { source: { name: source } } : {}),
      }),
    stageFailed: ({ error, item, code }) =>
      self.event(
        EVENTS.stageFailed,
        `stage failed${item ? ` on ${item}` : ''}: ${error instanceof Error ? error.message : String(error)}`,
        { level: 'error', outcome: 'failure', code, error, ...(item ? { item } : {}) },
      ),
    stageCompleted: ({ records, durationMs }) =>
      self.event(EVENTS.stageCompleted, `stage completed: ${records} record(s)`, {
        outcome: 'success',
        records,
        ...(durationMs !== undefined ? { event_duration_ms: durationMs } : {}),
      }),
    recordsDropped: ({ count, reason }) =>
      self.event(EVENTS.recordsDropped, `${count} record(s) dropped: ${reason}`, {
        level: 'warn',
        outcome: 'failure',
        records: { dropped: count },
        reason,
      }),
    flush: async () => {
      await Promise.all(flushers.map((f) => f()));
    },
    close: async () => {
      await Promise.all(flushers.map((f) => f()));
    },
  };
  return self;
}

export function createLogger(options: LoggerOptions): PipelineLogger {
  const flushers: Array<() => Promise<void>> = [];
  const streams: pino.StreamEntry[] = (options.sinks ?? [{ kind: 'stdout' }]).map((sink) => {
    switch (sink.kind) {
      case 'stdout': {
        const dest = pino.destination({ dest: 1, sync: false });
        flushers.push(() => new Promise((r) => dest.flush(() => r())));
        return { stream: dest, level: 'trace' };
      }
      case 'file': {
        const dest = pino.destination({ dest: sink.path, mkdir: true, sync: false });
        flushers.push(() => new Promise((r) => dest.flush(() => r())));
        return { stream: dest, level: 'trace' };
      }
      case 'elasticsearch': {
        const es = new ElasticsearchSink(sink);
        flushers.push(() => es.flush());
        return { stream: es as unknown as DestinationStream, level: 'trace' };
      }
      case 'stream': {
        const flushable = sink.stream as unknown as { flush?: () => Promise<void> | void };
        if (typeof flushable.flush === 'function') flushers.push(async () => void (await flushable.flush!()));
        return { stream: sink.stream, level: 'trace' };
      }
    }
  });
  const logger = pino(
    { ...ecsFormat({ serviceName: options.service, convertErr: true }), level: options.level ?? 'info', base: {} },
    pino.multistream(streams),
  );
  return wrap(logger, labels({ pipeline: options.pipeline, stage: options.stage, runId: options.runId }), flushers);
}
