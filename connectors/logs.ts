// Log rules, the types operators know from ElastAlert2, over any log source
// (Elasticsearch, or NDJSON files through the store): each rule type turns
// the events of a window into one value that the monitor's rules judge.
//
//   any          new matching events since the last run (each event once)
//   frequency    matching events in the window (per queryKey: the busiest)
//   flatline     matching events in the window (per queryKey: the quietest) — a silent pipeline
//   spike        this window against the one before, as a ratio (up, down or both)
//   new_term     values of `field` in the window never seen in the lookback before it
//   cardinality  distinct values of `field` in the window
//   metric       avg / min / max / sum of `field` in the window
import type { CheckSpec, Severity } from '../config/model.js';
import { formatDuration } from '../config/duration.js';
import { fieldValue } from '../evaluation/lucene.js';
import type { Measurement } from '../evaluation/types.js';
import type { TimeRange } from './types.js';

export type LogsCheck = Extract<CheckSpec, { type: 'logs' }>;

export interface LogEvent {
  /** Source-specific position for "since the last run" (Elasticsearch _id, file sequence). */
  id: string;
  ts: string;
  doc: Record<string, unknown>;
}

/** A position in a source's event order; "any" rules resume after it. */
export interface LogCursor {
  ts: string;
  /** Ids already seen at exactly ts (Elasticsearch), or the last sequence number (files). */
  seen: string[];
}

export interface LogSource {
  counts(range: TimeRange, groupField?: string): Promise<Map<string, number>>;
  distinct(range: TimeRange, field: string, limit: number): Promise<Set<string>>;
  metric(range: TimeRange, field: string, agg: 'avg' | 'min' | 'max' | 'sum'): Promise<number | null>;
  /** The newest matching events of the range, newest first. */
  samples(range: TimeRange, n: number): Promise<LogEvent[]>;
  /** Matching events after the cursor (up to `until`), oldest first, at most `limit`. */
  after(cursor: LogCursor | undefined, until: Date, limit: number): Promise<{ events: LogEvent[]; cursor: LogCursor | undefined; more: boolean }>;
  /** A link to see these events in Kibana, when the source knows one. */
  discoverLink?(range: TimeRange): string | undefined;
}

const LEVEL_SEVERITY: Record<string, Severity> = { fatal: 'critical', critical: 'critical', error: 'critical', err: 'critical', warn: 'warning', warning: 'warning' };

/** The window a rule judges at `at`: it ends `buffer` before, so late events are in. */
export function logWindow(check: LogsCheck, at: Date): TimeRange {
  const to = new Date(at.getTime() - check.buffer);
  return { from: new Date(to.getTime() - check.window), to };
}

function line(e: LogEvent): string {
  const level = fieldValue(e.doc, 'log.level') ?? fieldValue(e.doc, 'level') ?? '';
  const message = fieldValue(e.doc, 'message') ?? fieldValue(e.doc, 'msg') ?? JSON.stringify(e.doc).slice(0, 200);
  return `${e.ts} ${String(level).toUpperCase()} ${String(message)}`.slice(0, 300);
}

export interface LogRuleResult {
  measurement: Measurement;
  /** "any" rules: the events this run saw for the first time (for triggers), and where to resume. */
  newEvents?: LogEvent[];
  cursor?: LogCursor;
}

export async function evaluateLogRule(source: LogSource, check: LogsCheck, at: Date, cursor: LogCursor | undefined): Promise<LogRuleResult> {
  const window = logWindow(check, at);
  const observedAt = at.toISOString();
  const base = { unit: 'count' as const, observedAt };
  const windowText = `${window.from.toISOString()} to ${window.to.toISOString()}`;
  const details: Record<string, string | number | boolean | null> = { rule: check.rule, query: check.query || '*', window: windowText };
  let value: number | null;
  let newEvents: LogEvent[] | undefined;
  let nextCursor: LogCursor | undefined;
  const sampleRange = window;

  switch (check.rule) {
    case 'any': {
      // The first run starts at the window, not at the beginning of time.
      const start = cursor ?? { ts: window.from.toISOString(), seen: [] };
      const page = await source.after(start, window.to, check.maxEvents);
      newEvents = page.events;
      nextCursor = page.cursor ?? start;
      value = page.events.length;
      if (page.more) details.truncated = `more than ${check.maxEvents} new events; the rest count next run`;
      break;
    }
    case 'frequency':
    case 'flatline': {
      const counts = await source.counts(window, check.queryKey);
      if (check.queryKey) {
        const entries = [...counts.entries()];
        const pick = entries.sort((a, b) => (check.rule === 'frequency' ? b[1] - a[1] : a[1] - b[1]))[0];
        value = pick ? pick[1] : 0;
        if (pick) details[check.queryKey] = pick[0];
        details.groups = entries.slice(0, 10).map(([k, n]) => `${k}=${n}`).join(', ') || null;
        if (check.rule === 'flatline' && check.expect?.length) {
          // Groups that should speak but are absent from the window count as zero.
          const silent = check.expect.filter((k) => !counts.has(k));
          if (silent.length) {
            value = 0;
            details[check.queryKey] = silent.join(', ');
          }
        }
      } else {
        value = counts.get('') ?? 0;
      }
      break;
    }
    case 'spike': {
      const previous: TimeRange = { from: new Date(window.from.getTime() - check.window), to: window.from };
      const [now, before] = await Promise.all([source.counts(window, check.queryKey), source.counts(previous, check.queryKey)]);
      let worst: { key: string; ratio: number; now: number; before: number } | undefined;
      for (const key of new Set([...now.keys(), ...before.keys()])) {
        const a = now.get(key) ?? 0;
        const b = before.get(key) ?? 0;
        if (Math.max(a, b) < check.minCount) continue;
        const up = a / Math.max(b, 1);
        const down = b / Math.max(a, 1);
        const ratio = check.direction === 'up' ? up : check.direction === 'down' ? down : Math.max(up, down);
        if (!worst || ratio > worst.ratio) worst = { key, ratio, now: a, before: b };
      }
      value = worst ? Math.round(worst.ratio * 100) / 100 : 0;
      if (worst) {
        details.current = worst.now;
        details.previous = worst.before;
        if (check.queryKey) details[check.queryKey] = worst.key;
      }
      break;
    }
    case 'new_term': {
      const field = check.field!;
      const lookback: TimeRange = { from: new Date(window.from.getTime() - check.lookback), to: window.from };
      const [recent, known] = await Promise.all([source.distinct(window, field, 1000), source.distinct(lookback, field, 100_000)]);
      const fresh = [...recent].filter((t) => !known.has(t)).sort();
      value = fresh.length;
      details.field = field;
      details.lookback = formatDuration(check.lookback);
      if (fresh.length) details.newTerms = fresh.slice(0, 20).join(', ');
      break;
    }
    case 'cardinality': {
      value = (await source.distinct(window, check.field!, 100_000)).size;
      details.field = check.field!;
      break;
    }
    case 'metric': {
      value = await source.metric(window, check.field!, check.metric);
      details.field = check.field!;
      details.aggregation = check.metric;
      break;
    }
  }

  const samples = newEvents ? newEvents.slice(-check.sample).reverse() : check.sample > 0 ? await source.samples(sampleRange, check.sample) : [];
  if (samples.length) details.sample = samples.map(line).join('\n');
  const link = source.discoverLink?.(sampleRange);
  if (link) details.kibana = link;

  const measurement: Measurement = { value, ...base, details };
  if (check.severityFromLevel && samples.length) {
    const severities = samples.map((e) => LEVEL_SEVERITY[String(fieldValue(e.doc, 'log.level') ?? fieldValue(e.doc, 'level') ?? '').toLowerCase()] ?? 'warning');
    measurement.severityHint = severities.includes('critical') ? 'critical' : 'warning';
  }
  return { measurement, newEvents, cursor: nextCursor };
}
