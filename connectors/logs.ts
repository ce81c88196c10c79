// Log rules, the types operators know from ElastAlert2, over any log source
// (Elasticsearch, or NDJSON files through the store): each rule type turns
// the events of a window into values that the monitor's rules judge — one
// value, or with `queryKey` one value per key, each key judged and alerted
// on its own (workflows/log-keys.ts). docs/COMPATIBILITY.md, section
// elastalert2, says where pipewatch's ticks differ from ElastAlert2's stream.
//
//   any          new matching events since the last run (each event once, late ones too)
//   frequency    matching events in the window
//   flatline     matching events in the window; keys seen before and now silent count 0
//   spike        this window against the one before, as a ratio (up, down or both)
//   new_term     values of `field` in the window never seen in the lookback before it
//   cardinality  distinct values of `field` in the window
//   metric       avg / min / max / sum of `field` in the window; no events is "no data"
import type { CheckSpec, Severity } from '../config/model.js';
import { formatDuration } from '../config/duration.js';
import { fieldValue } from '../evaluation/lucene.js';
import type { KeyedValue, Measurement } from '../evaluation/types.js';
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
  /** Elasticsearch: [timestamp, id] of the events already reported at or after ts (the re-queried buffer). */
  recent?: Array<[string, string]>;
}

/** What a log rule keeps between runs (in the store, per monitor): the any cursor and the keys seen. */
export interface LogRuleState extends Partial<LogCursor> {
  /** Keys seen (flatline), with when they were last seen: silent ones still count, as 0. */
  keys?: Record<string, string>;
}

/** Keys a flatline rule remembers at most; the longest silent are forgotten first. */
export const MAX_REMEMBERED_KEYS = 1000;

export interface LogSource {
  /** Matching events of the range per key (the values of keyFields joined by ","); no keyFields: one key "". */
  counts(range: TimeRange, keyFields: string[]): Promise<Map<string, number>>;
  /** Distinct terms (the values of fields joined by ",") per key, at most `limit` per key. */
  distinct(range: TimeRange, fields: string[], limit: number, keyFields: string[]): Promise<Map<string, Set<string>>>;
  /** The aggregation per key; keys without a numeric value are absent. */
  metric(
    range: TimeRange,
    field: string,
    agg: 'avg' | 'min' | 'max' | 'sum',
    keyFields: string[],
  ): Promise<Map<string, number | null>>;
  /** The newest matching events of the range, newest first. */
  samples(range: TimeRange, n: number): Promise<LogEvent[]>;
  /**
   * Matching events after the cursor, oldest first, at most `limit`. Elasticsearch re-reads from
   * `settled` (events older than that are taken as final) up to `until`, skipping ids it reported;
   * files read in arrival order and ignore both.
   */
  after(
    cursor: LogCursor | undefined,
    bounds: { until: Date; settled: Date },
    limit: number,
  ): Promise<{ events: LogEvent[]; cursor: LogCursor | undefined; more: boolean }>;
  /** A link to see these events in Kibana, when the source knows one. */
  discoverLink?(range: TimeRange): string | undefined;
}

const LEVEL_SEVERITY: Record<string, Severity> = {
  fatal: 'critical',
  critical: 'critical',
  error: 'critical',
  err: 'critical',
  warn: 'warning',
  warning: 'warning',
};

/** The window a rule judges at `at`: it ends `buffer` before, so late events are in. */
export function logWindow(check: LogsCheck, at: Date): TimeRange {
  const to = new Date(at.getTime() - check.buffer);
  return { from: new Date(to.getTime() - check.window), to };
}

/** The fields of a query key: none, one, or a compound key (ElastAlert2's compound_query_key). */
export function keyFields(check: Pick<LogsCheck, 'queryKey'>): string[] {
  return check.queryKey === undefined ? [] : Array.isArray(check.queryKey) ? check.queryKey : [check.queryKey];
}

/** An event's key for these fields: their values joined by ","; undefined when one is missing. */
export function termOf(doc: unknown, fields: string[]): string | undefined {
  const values: string[] = [];
  for (const f of fields) {
    const v = fieldValue(doc, f);
    if (v === undefined || v === null) return undefined;
    values.push(typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return values.join(',');
}

function line(e: LogEvent): string {
  const level = fieldValue(e.doc, 'log.level') ?? fieldValue(e.doc, 'level') ?? '';
  const message = fieldValue(e.doc, 'message') ?? fieldValue(e.doc, 'msg') ?? JSON.stringify(e.doc).slice(0, 200);
  return `${e.ts} ${String(level).toUpperCase()} ${String(message)}`.slice(0, 300);
}

export interface LogRuleResult {
  measurement: Measurement;
  /** "any" rules: the events this run saw for the first time (for triggers). */
  newEvents?: LogEvent[];
  /** What to keep for the next run (undefined: nothing). */
  state?: LogRuleState;
  /** @deprecated the any cursor, also inside state */
  cursor?: LogCursor;
}

type Details = NonNullable<Measurement['details']>;

export async function evaluateLogRule(
  source: LogSource,
  check: LogsCheck,
  at: Date,
  previous: LogRuleState | undefined,
): Promise<LogRuleResult> {
  const window = logWindow(check, at);
  const observedAt = at.toISOString();
  const windowText = `${window.from.toISOString()} to ${window.to.toISOString()}`;
  const details: Details = { rule: check.rule, query: check.query || '*', window: windowText };
  const fields = keyFields(check);
  const keyed = fields.length > 0;
  let values = new Map<string, { value: number | null; details?: Details }>();
  let newEvents: LogEvent[] | undefined;
  let state: LogRuleState | undefined;
  // Which end of the values is worst, for the monitor's one value.
  let worst: 'max' | 'min' = 'max';

  switch (check.rule) {
    case 'any': {
      // The first run starts at the window, not at the beginning of time. Alerting is not held back
      // by the buffer: events up to the run are read; the buffer is how late one may still arrive.
      const start: LogCursor = previous?.ts
        ? { ts: previous.ts, seen: previous.seen ?? [], recent: previous.recent }
        : { ts: window.from.toISOString(), seen: [] };
      const page = await source.after(start, { until: at, settled: window.to }, check.maxEvents);
      newEvents = page.events;
      const cursor = page.cursor ?? start;
      state = { ts: cursor.ts, seen: cursor.seen, ...(cursor.recent ? { recent: cursor.recent } : {}) };
      if (page.more) details.truncated = `more than ${check.maxEvents} new events; the rest count next run`;
      if (keyed) {
        for (const e of page.events) {
          const k = termOf(e.doc, fields);
          if (k !== undefined) values.set(k, { value: (values.get(k)?.value ?? 0) + 1 });
        }
      } else values.set('', { value: page.events.length });
      break;
    }
    case 'frequency':
    case 'flatline': {
      const counts = await source.counts(window, fields);
      for (const [k, n] of counts) values.set(k, { value: n });
      if (!keyed && !values.has('')) values.set('', { value: 0 });
      if (check.rule === 'flatline') {
        worst = 'min';
        if (keyed) {
          // Keys seen before that are silent now count 0 (ElastAlert2 keeps them too); forgetKeys
          // reports a silent key once, then drops it until it speaks again.
          const known = { ...(previous?.keys ?? {}) };
          for (const k of counts.keys()) known[k] = window.to.toISOString();
          for (const k of check.expect ?? [])
            if (!values.has(k)) values.set(k, { value: 0, details: { expected: true } });
          for (const [k, seenAt] of Object.entries(known)) {
            if (values.has(k)) continue;
            values.set(k, { value: 0, details: { lastSeen: seenAt } });
            if (check.forgetKeys) delete known[k];
          }
          const kept = Object.entries(known)
            .sort((a, b) => (a[1] < b[1] ? 1 : -1))
            .slice(0, MAX_REMEMBERED_KEYS);
          state = { keys: Object.fromEntries(kept) };
        }
      }
      break;
    }
    case 'spike': {
      const previousWindow: TimeRange = { from: new Date(window.from.getTime() - check.window), to: window.from };
      const [now, before] = await Promise.all([source.counts(window, fields), source.counts(previousWindow, fields)]);
      const all = new Set([...now.keys(), ...before.keys()]);
      if (!keyed) all.add('');
      for (const k of all) {
        const cur = now.get(k) ?? 0;
        const ref = before.get(k) ?? 0;
        const d: Details = { current: cur, previous: ref };
        let value = 0;
        if (cur < check.thresholdCur || ref < check.thresholdRef)
          d.skipped = `below thresholdCur ${check.thresholdCur} or thresholdRef ${check.thresholdRef}`;
        else if (keyed && ref === 0 && !check.alertOnNewData)
          d.skipped = 'a new key: no events in the reference window (alertOnNewData is off)';
        else {
          // A reference of 0 counts as 1 (a ratio needs a denominator): from 0 to 12 is a ratio of 12.
          const up = cur / Math.max(ref, 1);
          const down = ref / Math.max(cur, 1);
          value = check.direction === 'up' ? up : check.direction === 'down' ? down : Math.max(up, down);
          value = Math.round(value * 100) / 100;
        }
        values.set(k, { value, details: d });
      }
      if (!keyed) {
        const only = values.get('')!;
        Object.assign(details, only.details);
      }
      break;
    }
    case 'new_term': {
      const termFields = Array.isArray(check.field) ? check.field : [check.field!];
      const lookback: TimeRange = { from: new Date(window.from.getTime() - check.lookback), to: window.from };
      const [recent, known] = await Promise.all([
        source.distinct(window, termFields, 1000, fields),
        source.distinct(lookback, termFields, 100_000, fields),
      ]);
      for (const [k, terms] of recent) {
        const fresh = [...terms].filter((t) => !known.get(k)?.has(t)).sort();
        values.set(k, {
          value: fresh.length,
          details: fresh.length ? { newTerms: fresh.slice(0, 20).join(', ') } : undefined,
        });
      }
      if (!keyed && !values.has('')) values.set('', { value: 0 });
      details.field = termFields.join(', ');
      details.lookback = formatDuration(check.lookback);
      if (!keyed && values.get('')!.details) Object.assign(details, values.get('')!.details);
      break;
    }
    case 'cardinality': {
      const field = check.field as string;
      const sets = await source.distinct(window, [field], 100_000, fields);
      for (const [k, terms] of sets) values.set(k, { value: terms.size });
      if (!keyed && !values.has('')) values.set('', { value: 0 });
      details.field = field;
      break;
    }
    case 'metric': {
      const field = check.field as string;
      const m = await source.metric(window, field, check.metric, fields);
      // ElastAlert2 ignores an empty aggregation: no events is "no data", never a breach.
      for (const [k, v] of m) values.set(k, { value: v, ...(v === null ? { details: { noData: true } } : {}) });
      if (!keyed && !values.has('')) values.set('', { value: null, details: { noData: true } });
      details.field = field;
      details.aggregation = check.metric;
      break;
    }
  }

  if (!keyed) values = new Map([['', values.get('') ?? { value: 0 }]]);
  const list: KeyedValue[] = [...values].map(([key, v]) => ({
    key,
    value: v.value,
    ...(v.details ? { details: v.details } : {}),
  }));
  const numeric = list.filter((k) => k.value !== null);
  const pick = numeric.length
    ? numeric.reduce((a, b) => ((worst === 'max' ? b.value! > a.value! : b.value! < a.value!) ? b : a))
    : list[0];
  const value = pick ? pick.value : 0;
  if (keyed) {
    if (pick) details[fields.join(',')] = pick.key;
    details.keys = list.length;
    details.groups =
      list
        .slice(0, 10)
        .map((k) => `${k.key}=${k.value ?? 'no data'}`)
        .join(', ') || null;
  }

  // sample: 0 means no sample lines (ElastAlert2's top_count_number / attach_related off); any takes the newest new events.
  const samples =
    check.sample === 0
      ? []
      : newEvents
        ? newEvents.slice(-check.sample).reverse()
        : await source.samples(window, check.sample);
  if (samples.length) details.sample = samples.map(line).join('\n');
  const link = source.discoverLink?.(window);
  if (link) details.kibana = link;

  const measurement: Measurement = { value, unit: 'count', observedAt, details };
  if (!keyed && check.rule === 'metric' && value === null) measurement.noData = true;
  if (keyed) measurement.keys = list;
  if (check.severityFromLevel && samples.length) {
    const severities = samples.map(
      (e) =>
        LEVEL_SEVERITY[String(fieldValue(e.doc, 'log.level') ?? fieldValue(e.doc, 'level') ?? '').toLowerCase()] ??
        'warning',
    );
    measurement.severityHint = severities.includes('critical') ? 'critical' : 'warning';
  }
  const cursor = state?.ts
    ? { ts: state.ts, seen: state.seen ?? [], ...(state.recent ? { recent: state.recent } : {}) }
    : undefined;
  return { measurement, newEvents, state, cursor };
}
