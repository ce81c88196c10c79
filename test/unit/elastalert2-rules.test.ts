// ElastAlert2's rule semantics as pipewatch runs them: the cases of
// jertel/elastalert2 tests/rules_test.py (semantics: elastalert/ruletypes.py),
// ported as tables in pipewatch's terms — events (with when each arrives),
// ticks, and the alerts each key opens. A monitor is loaded by the real config
// loader (defaults, flap control), each tick runs the real log rule
// (connectors/logs.ts) over an in-memory source, the real key verdicts
// (evaluation/log-keys.ts), rules and flap control; a key with an open alert
// that a tick does not report gets a healthy run, as activities/log-keys.ts does.
// Cases that pipewatch's tick model answers differently are "differs" and
// test the behaviour docs/COMPATIBILITY.md (section elastalert2) documents;
// rule types and options pipewatch does not have are refused at load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import {
  evaluateLogRule,
  termOf,
  type LogEvent,
  type LogRuleState,
  type LogsCheck,
  type LogSource,
} from '../../connectors/logs.js';
import { nextMonitorState, type MonitorState } from '../../evaluation/flap.js';
import { fieldValue } from '../../evaluation/lucene.js';
import { keyedVerdict } from '../../evaluation/log-keys.js';
import { evaluate } from '../../evaluation/rules.js';

type Doc = Record<string, unknown>;
interface Batch {
  /** When these events can first be read (default: at once). */
  arrives?: string;
  events: Doc[];
}

const T0 = Date.parse('2014-09-26T12:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
/** ElastAlert2's hits(n): one event a second from 12:00:00, with these fields. */
const hits = (n: number, fields: Doc = {}, from = 0): Doc[] =>
  Array.from({ length: n }, (_, i) => ({ '@timestamp': at(from + i), ...fields }));
/** n events at one instant (a count or terms bucket of ElastAlert2). */
const burst = (n: number, ts: string, fields: Doc = {}): Doc[] =>
  Array.from({ length: n }, () => ({ '@timestamp': ts, ...fields }));

/**
 * Events in memory, read as a log source reads them: a range is [from, to) on
 * @timestamp, and an event is there once it has arrived. Independent of the
 * rules: it only counts, collects and averages. It does not filter by query:
 * ElastAlert2's rule tests have none (the query language has its own tables).
 */
function memorySource(batches: Batch[], now: Date): LogSource {
  let seq = 0;
  const all = batches.flatMap((b) =>
    b.events.map((doc) => ({
      id: String(++seq),
      arrives: Date.parse(b.arrives ?? '1970-01-01T00:00:00Z'),
      ts: String(doc['@timestamp']),
      doc,
    })),
  );
  const visible = all.filter((e) => e.arrives <= now.getTime());
  const inRange = (r: { from: Date; to: Date }) =>
    visible.filter((e) => Date.parse(e.ts) >= r.from.getTime() && Date.parse(e.ts) < r.to.getTime());
  const keyOf = (doc: Doc, fields: string[]) => (fields.length ? termOf(doc, fields) : '');
  return {
    async counts(r, keyFields) {
      const out = new Map<string, number>(keyFields.length ? [] : [['', 0]]);
      for (const e of inRange(r)) {
        const k = keyOf(e.doc, keyFields);
        if (k !== undefined) out.set(k, (out.get(k) ?? 0) + 1);
      }
      return out;
    },
    async distinct(r, fields, _limit, keyFields) {
      const out = new Map<string, Set<string>>();
      for (const e of inRange(r)) {
        const k = keyOf(e.doc, keyFields);
        const t = termOf(e.doc, fields);
        if (k !== undefined && t !== undefined) (out.get(k) ?? out.set(k, new Set()).get(k)!).add(t);
      }
      return out;
    },
    async metric(r, field, agg, keyFields) {
      const values = new Map<string, number[]>();
      for (const e of inRange(r)) {
        const k = keyOf(e.doc, keyFields);
        const v = fieldValue(e.doc, field);
        if (k !== undefined && typeof v === 'number') values.set(k, [...(values.get(k) ?? []), v]);
      }
      const of = (xs: number[]) =>
        agg === 'min'
          ? Math.min(...xs)
          : agg === 'max'
            ? Math.max(...xs)
            : agg === 'sum'
              ? xs.reduce((a, b) => a + b, 0)
              : xs.reduce((a, b) => a + b, 0) / xs.length;
      return new Map([...values].map(([k, xs]) => [k, of(xs)]));
    },
    async samples(r, n) {
      return inRange(r)
        .slice(-n)
        .reverse()
        .map((e): LogEvent => ({ id: e.id, ts: e.ts, doc: e.doc }));
    },
    async after(cursor, bounds, limit) {
      // Arrival order, as the file source reads: the cursor is the last sequence number read.
      const last = Number(cursor?.seen[0] ?? 0);
      const fresh = visible.filter(
        (e) =>
          Number(e.id) > last &&
          (cursor?.seen.length || Date.parse(e.ts) >= Date.parse(cursor?.ts ?? '1970-01-01')) &&
          Date.parse(e.ts) < bounds.until.getTime(),
      );
      const events = fresh.slice(0, limit).map((e): LogEvent => ({ id: e.id, ts: e.ts, doc: e.doc }));
      const lastId = events.at(-1)?.id ?? cursor?.seen[0] ?? '0';
      return {
        events,
        cursor: { ts: events.at(-1)?.ts ?? cursor?.ts ?? now.toISOString(), seen: [lastId] },
        more: fresh.length > limit,
      };
    },
  };
}

const CONFIG = (monitor: object) => `version: 1
defaults: { schedule: { every: 1m }, notify: [mail] }
connectors:
  files: { type: logfiles, path: "logs/*.ndjson" }
channels:
  mail: { type: email, smtp: { host: smtp, port: 587 }, from: a@b.c, to: [d@e.f] }
monitors:
  - ${JSON.stringify({ id: 'rule', connector: 'files', ...monitor })}
`;

function load(monitor: object): MonitorDefinition {
  return parseConfig(CONFIG(monitor), 'pipewatch.yaml', { env: {} }).monitors[0]!;
}

/** Runs the monitor at each tick; returns "tick:key" for every alert that opened (key "" without queryKey). */
async function run(
  monitor: MonitorDefinition,
  batches: Batch[],
  ticks: string[],
): Promise<{ opened: string[]; keys: string[] }> {
  const check = monitor.check as LogsCheck;
  let state: LogRuleState | undefined;
  const states = new Map<string, MonitorState>();
  const opened: string[] = [];
  const keysSeen = new Set<string>();
  for (const [i, tick] of ticks.entries()) {
    const now = new Date(tick);
    const result = await evaluateLogRule(memorySource(batches, now), check, now, state);
    state = result.state ?? state;
    const m = result.measurement;
    const verdicts = m.keys
      ? keyedVerdict(monitor.rules, m, 'value').keys!
      : [{ key: '', verdict: evaluate(monitor.rules, m, {}, 'value') }];
    // A key with an open alert that this tick did not report: a healthy run (activities/log-keys.ts).
    for (const [key, s] of states)
      if (s.alerting && !verdicts.some((v) => v.key === key))
        verdicts.push({ key, verdict: { status: 'ok', unit: 'count', reason: 'quiet', observedAt: tick } });
    for (const { key, verdict } of verdicts) {
      keysSeen.add(key);
      const next = nextMonitorState(states.get(key), verdict.status, tick, monitor.flap);
      states.set(key, next.state);
      if (next.transition === 'open') opened.push(`${i}:${key}`);
    }
  }
  // In tick order, keys of one tick by name.
  opened.sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
  return { opened, keys: [...keysSeen].sort() };
}

type Outcome = 'pass' | 'differs' | 'refused' | 'internal';
interface Case {
  /** The test function in tests/rules_test.py. */
  peer: string;
  outcome: Outcome;
  /** What the case checks, in pipewatch's terms (and, for differs, how and why). */
  note: string;
  monitor?: object;
  batches?: Batch[];
  ticks?: string[];
  opened?: string[];
  keys?: string[];
  /** refused: the loader's message contains this. */
  refusal?: string;
  /** More runs of the same case (ElastAlert2's case re-runs with changed options). */
  also?: Array<Omit<Case, 'peer' | 'outcome' | 'note' | 'also'>>;
}

const logs = (check: object) => ({ type: 'logs', query: '', buffer: '0s', ...check });
const spikeEvents2 = (() => {
  // hits(100) with the rate doubled from the 50th second on (ElastAlert2's events2).
  const base = hits(100, {}, 0);
  const out = base.slice(0, 50);
  for (const e of base.slice(50))
    out.push(e, { '@timestamp': new Date(Date.parse(String(e['@timestamp'])) + 1).toISOString() });
  return out;
})();
const every10s = (from: number, to: number) =>
  Array.from({ length: (to - from) / 10 + 1 }, (_, i) => at(from + i * 10));
const M = (minutes: number, seconds = 0) => at(minutes * 60 + seconds);

export const CASES: Case[] = [
  {
    peer: 'test_any',
    outcome: 'pass',
    note: 'rule any: one event opens one alert on its first run (event-like: failAfter 1 by default)',
    monitor: { check: logs({ rule: 'any', window: '1h' }), rules: [{ above: 0 }] },
    batches: [{ events: hits(1) }],
    ticks: [at(10)],
    opened: ['0:'],
  },
  {
    peer: 'test_freq',
    outcome: 'pass',
    note: 'num_events 59 in 1h is above: 58 (counts are whole); per queryKey too; 61 does not match',
    monitor: { check: logs({ rule: 'frequency', window: '1h' }), rules: [{ above: 58 }] },
    batches: [{ events: hits(60, { username: 'qlo' }) }],
    ticks: [at(60)],
    opened: ['0:'],
    also: [
      {
        monitor: { check: logs({ rule: 'frequency', window: '1h', queryKey: 'username' }), rules: [{ above: 58 }] },
        batches: [{ events: hits(60, { username: 'qlo' }) }],
        ticks: [at(60)],
        opened: ['0:qlo'],
      },
      {
        monitor: { check: logs({ rule: 'frequency', window: '1h', queryKey: 'username' }), rules: [{ above: 60 }] },
        batches: [{ events: hits(60, { username: 'qlo' }) }],
        ticks: [at(60)],
        opened: [],
      },
    ],
  },
  {
    peer: 'test_freq_count',
    outcome: 'pass',
    note: 'counts 75, 10, 10, 6 in 1h reach 100 at the fourth; when the first leaves the window first, the late 75 at 01:00 makes it',
    monitor: { check: logs({ rule: 'frequency', window: '1h' }), rules: [{ above: 99 }] },
    batches: [{ events: [...burst(75, M(0)), ...burst(10, M(15)), ...burst(10, M(25)), ...burst(6, M(45))] }],
    ticks: [M(1), M(16), M(26), M(46)],
    opened: ['3:'],
    also: [
      {
        monitor: { check: logs({ rule: 'frequency', window: '1h' }), rules: [{ above: 99 }] },
        batches: [
          { events: [...burst(75, M(0)), ...burst(10, M(45)), ...burst(10, M(55)), ...burst(6, M(65))] },
          { arrives: M(65, 30), events: burst(75, M(60)) },
        ],
        ticks: [M(46), M(56), M(65, 10), M(65, 40)],
        opened: ['3:'],
      },
    ],
  },
  {
    peer: 'test_freq_out_of_order',
    outcome: 'pass',
    note: '60 events in an hour, 50 older ones outside it and events arriving out of order: one alert once the 59th is in',
    monitor: { check: logs({ rule: 'frequency', window: '1h' }), rules: [{ above: 58 }] },
    batches: [
      { events: hits(10, { username: 'qlo' }) },
      { events: burst(50, '2014-09-26T11:00:00.000Z', { username: 'qlo' }) },
      { arrives: at(30), events: hits(45, { username: 'qlo' }, 10) },
      { arrives: at(70), events: hits(5, { username: 'qlo' }, 55) },
    ],
    ticks: [at(20), at(60), at(80)],
    opened: ['2:'],
  },
  {
    peer: 'test_freq_terms',
    outcome: 'pass',
    note: 'per key: userB reaches 10 first, userA later — one alert each',
    monitor: { check: logs({ rule: 'frequency', window: '1h', queryKey: 'username' }), rules: [{ above: 9 }] },
    batches: [
      {
        events: [
          ...burst(1, M(1), { username: 'userA' }),
          ...burst(5, M(1), { username: 'userB' }),
          ...burst(8, M(10), { username: 'userA' }),
          ...burst(5, M(10), { username: 'userB' }),
          ...burst(3, M(25), { username: 'userA' }),
        ],
      },
    ],
    ticks: [M(2), M(11), M(26)],
    opened: ['1:userB', '2:userA'],
  },
  {
    peer: 'test_eventwindow',
    outcome: 'internal',
    note: "ElastAlert2's EventWindow class (sorted in-memory window); pipewatch queries each window from the source",
  },
  {
    peer: 'test_spike_count',
    outcome: 'pass',
    note: 'spike_height 2 is above: 1.99 (the ratio; above is strict); 10 → 20 spikes up, 10 → 0 down; thresholdRef 10',
    monitor: {
      check: logs({ rule: 'spike', window: '10s', direction: 'both', thresholdRef: 10 }),
      rules: [{ above: 1.99 }],
      flap: { failAfter: 1 },
    },
    batches: [{ events: [...burst(10, at(0)), ...burst(10, at(10)), ...burst(20, at(20))] }],
    ticks: [at(10), at(20), at(30)],
    opened: ['2:'],
    also: [
      {
        monitor: {
          check: logs({ rule: 'spike', window: '10s', direction: 'both', thresholdRef: 10 }),
          rules: [{ above: 1.99 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: [...burst(10, at(0)), ...burst(10, at(10))] }],
        ticks: [at(10), at(20), at(30)],
        opened: ['2:'],
      },
    ],
  },
  {
    peer: 'test_spike_deep_key',
    outcome: 'pass',
    note: 'a nested queryKey (foo.bar.baz) names the key',
    monitor: {
      check: logs({ rule: 'spike', window: '10s', queryKey: 'foo.bar.baz', thresholdRef: 10 }),
      rules: [{ above: 1.99 }],
    },
    batches: [{ events: [{ '@timestamp': at(0), foo: { bar: { baz: 'LOL' } } }] }],
    ticks: [at(5)],
    opened: [],
    keys: ['LOL'],
  },
  {
    peer: 'test_spike_no_data',
    outcome: 'pass',
    note: 'no events in either window: no spike',
    monitor: {
      check: logs({ rule: 'spike', window: '10s', direction: 'both', thresholdRef: 10 }),
      rules: [{ above: 1.99 }],
      flap: { failAfter: 1 },
    },
    batches: [],
    ticks: [at(10), at(20)],
    opened: [],
  },
  {
    peer: 'test_spike_no_ref_data',
    outcome: 'pass',
    note: 'events now but none before, with thresholdRef 10: no spike',
    monitor: {
      check: logs({ rule: 'spike', window: '10s', direction: 'both', thresholdRef: 10 }),
      rules: [{ above: 1.99 }],
      flap: { failAfter: 1 },
    },
    batches: [{ events: hits(1, {}, 12) }],
    ticks: [at(20)],
    opened: [],
  },
  {
    peer: 'test_spike',
    outcome: 'pass',
    note: 'constant rate: none; doubled: up; height 3: none; a gap: down; thresholdRef 11 or thresholdCur 30 not met: none; without thresholdRef, 30s windows and thresholdCur 25: up',
    monitor: {
      check: logs({ rule: 'spike', window: '10s', direction: 'both', thresholdRef: 10 }),
      rules: [{ above: 1.99 }],
      flap: { failAfter: 1 },
    },
    batches: [{ events: hits(100) }],
    ticks: every10s(20, 100),
    opened: [],
    also: [
      {
        monitor: {
          check: logs({ rule: 'spike', window: '10s', direction: 'up', thresholdRef: 10 }),
          rules: [{ above: 1.99 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: spikeEvents2 }],
        ticks: every10s(20, 100),
        opened: ['4:'],
      },
      {
        monitor: {
          check: logs({ rule: 'spike', window: '10s', direction: 'up', thresholdRef: 10 }),
          rules: [{ above: 2.99 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: spikeEvents2 }],
        ticks: every10s(20, 100),
        opened: [],
      },
      {
        monitor: {
          check: logs({ rule: 'spike', window: '10s', direction: 'down', thresholdRef: 10 }),
          rules: [{ above: 1.99 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: [...hits(50), ...hits(25, {}, 75)] }],
        ticks: every10s(20, 100),
        opened: ['4:'],
      },
      {
        monitor: {
          check: logs({ rule: 'spike', window: '10s', direction: 'up', thresholdRef: 11 }),
          rules: [{ above: 1.99 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: spikeEvents2 }],
        ticks: every10s(20, 100),
        opened: [],
      },
      {
        monitor: {
          check: logs({ rule: 'spike', window: '10s', direction: 'up', thresholdRef: 10, thresholdCur: 30 }),
          rules: [{ above: 1.99 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: spikeEvents2 }],
        ticks: every10s(20, 100),
        opened: [],
      },
      {
        monitor: {
          check: logs({ rule: 'spike', window: '30s', direction: 'up', thresholdCur: 25 }),
          rules: [{ above: 1.99 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: spikeEvents2 }],
        ticks: every10s(60, 100),
        opened: ['2:'],
      },
    ],
  },
  {
    peer: 'test_spike_query_key',
    outcome: 'pass',
    note: 'per key: qlo constant, bob new (no reference events, alertOnNewData off): none; qlo doubled: qlo spikes',
    monitor: {
      check: logs({ rule: 'spike', window: '10s', direction: 'both', thresholdRef: 10, queryKey: 'username' }),
      rules: [{ above: 1.99 }],
      flap: { failAfter: 1 },
    },
    batches: [{ events: [...hits(99, { username: 'qlo' }), ...hits(49, { username: 'bob' }, 50)] }],
    ticks: every10s(20, 90),
    opened: [],
    also: [
      {
        monitor: {
          check: logs({ rule: 'spike', window: '10s', direction: 'both', thresholdRef: 10, queryKey: 'username' }),
          rules: [{ above: 1.99 }],
          flap: { failAfter: 1 },
        },
        batches: [
          {
            events: [
              ...hits(99, { username: 'qlo' }),
              ...hits(49, { username: 'qlo' }, 50),
              ...hits(49, { username: 'bob' }, 50),
            ],
          },
        ],
        ticks: every10s(20, 90),
        opened: ['4:qlo'],
      },
    ],
  },
  {
    peer: 'test_spike_terms',
    outcome: 'pass',
    note: 'userB spikes (thresholdRef 5); with thresholdCur 50 a new userC does not, unless alertOnNewData; then userD does and userC (open) is not alerted again',
    monitor: {
      check: logs({ rule: 'spike', window: '10m', direction: 'both', thresholdRef: 5, queryKey: 'username' }),
      rules: [{ above: 1.99 }],
      flap: { failAfter: 1 },
    },
    batches: [
      {
        events: [
          ...burst(10, M(1), { username: 'userA' }),
          ...burst(5, M(1), { username: 'userB' }),
          ...burst(22, M(10), { username: 'userA' }),
          ...burst(5, M(10), { username: 'userB' }),
          ...burst(25, M(25), { username: 'userA' }),
          ...burst(27, M(25), { username: 'userB' }),
        ],
      },
    ],
    ticks: [M(2), M(11), M(26)],
    opened: ['2:userB'],
    also: [
      {
        monitor: {
          check: logs({ rule: 'spike', window: '10m', direction: 'both', thresholdCur: 50, queryKey: 'username' }),
          rules: [{ above: 1.99 }],
          flap: { failAfter: 1 },
        },
        batches: [
          {
            events: [
              ...burst(22, M(10), { username: 'userA' }),
              ...burst(5, M(10), { username: 'userB' }),
              ...burst(25, M(25), { username: 'userA' }),
              ...burst(27, M(25), { username: 'userB' }),
              ...burst(10, M(27), { username: 'userA' }),
              ...burst(12, M(27), { username: 'userB' }),
              ...burst(100, M(27), { username: 'userC' }),
            ],
          },
        ],
        ticks: [M(28)],
        opened: [],
      },
      {
        monitor: {
          check: logs({
            rule: 'spike',
            window: '10m',
            direction: 'both',
            thresholdCur: 50,
            queryKey: 'username',
            alertOnNewData: true,
          }),
          rules: [{ above: 1.99 }],
          flap: { failAfter: 1 },
        },
        batches: [
          {
            events: [
              ...burst(22, M(10), { username: 'userA' }),
              ...burst(5, M(10), { username: 'userB' }),
              ...burst(25, M(25), { username: 'userA' }),
              ...burst(27, M(25), { username: 'userB' }),
              ...burst(10, M(27), { username: 'userA' }),
              ...burst(12, M(27), { username: 'userB' }),
              ...burst(100, M(27), { username: 'userC' }),
              ...burst(100, M(30), { username: 'userC' }),
              ...burst(100, M(30), { username: 'userD' }),
            ],
          },
        ],
        ticks: [M(28), M(31)],
        opened: ['0:userC', '1:userD'],
      },
    ],
  },
  {
    peer: 'test_spike_terms_query_key_alert_on_new_data',
    outcome: 'differs',
    note: 'ElastAlert2 holds every alert until it has run two timeframes; pipewatch queries the reference window, so a key with no history and alertOnNewData alerts on the first tick; later ratios match, and the spike at 00:26 falls into the alert already open',
    monitor: {
      check: logs({ rule: 'spike', window: '10m', direction: 'both', queryKey: 'username', alertOnNewData: true }),
      rules: [{ above: 1.49 }],
      flap: { failAfter: 1 },
    },
    batches: [
      {
        events: [M(1), M(6), M(11)]
          .flatMap((t) => burst(10, t, { username: 'userA' }))
          .concat([M(21), M(26), M(31), M(36), M(41)].flatMap((t) => burst(20, t, { username: 'userA' }))),
      },
    ],
    ticks: [M(2), M(7), M(12), M(22), M(27), M(32), M(37), M(42)],
    opened: ['0:userA'],
  },
  {
    peer: 'test_blacklist',
    outcome: 'refused',
    note: 'rule blacklist',
    monitor: { check: logs({ rule: 'blacklist' }), rules: [{ above: 0 }] },
    refusal:
      "ElastAlert2's blacklist rule is not a pipewatch rule type; write rule any with a query on the compare key",
  },
  {
    peer: 'test_whitelist',
    outcome: 'refused',
    note: 'rule whitelist',
    monitor: { check: logs({ rule: 'whitelist' }), rules: [{ above: 0 }] },
    refusal: "ElastAlert2's whitelist rule is not a pipewatch rule type; write rule any with a negated query",
  },
  {
    peer: 'test_whitelist_dont_ignore_nulls',
    outcome: 'refused',
    note: 'rule whitelist (ignore_null)',
    monitor: { check: logs({ rule: 'whitelist' }), rules: [{ above: 0 }] },
    refusal: "ElastAlert2's whitelist rule is not a pipewatch rule type",
  },
  {
    peer: 'test_change',
    outcome: 'refused',
    note: 'rule change',
    monitor: { check: logs({ rule: 'change' }), rules: [{ above: 0 }] },
    refusal:
      "ElastAlert2's change rule is not a pipewatch rule type; write rule new_term on the compare key with queryKey",
  },
  {
    peer: 'test_new_term',
    outcome: 'pass',
    note: "terms known in the lookback do not alert, a missing value does not, key3 alerts once and not again (one field per monitor: ElastAlert2's fields [a, b] are two monitors)",
    monitor: { check: logs({ rule: 'new_term', field: 'b', window: '1m', lookback: '30d' }), rules: [{ above: 0 }] },
    batches: [
      {
        events: [
          { '@timestamp': at(-86400), a: 'key1', b: 'key1' },
          { '@timestamp': at(-86400), b: 'key2' },
        ],
      },
      {
        arrives: at(10),
        events: [
          { '@timestamp': at(10), a: 'key1', b: 'key2' },
          { '@timestamp': at(11), a: 'key2' },
        ],
      },
      { arrives: at(70), events: [{ '@timestamp': at(70), a: 'key2', b: 'key3' }] },
      { arrives: at(100), events: [{ '@timestamp': at(100), a: 'key2', b: 'key3' }] },
    ],
    ticks: [at(20), at(80), at(110)],
    opened: ['1:'],
  },
  {
    peer: 'test_new_term_nested_field',
    outcome: 'pass',
    note: 'a nested field b.c',
    monitor: { check: logs({ rule: 'new_term', field: 'b.c', window: '1m', lookback: '30d' }), rules: [{ above: 0 }] },
    batches: [
      {
        events: [
          { '@timestamp': at(-86400), b: { c: 'key1' } },
          { '@timestamp': at(10), b: { c: 'key3' } },
        ],
      },
    ],
    ticks: [at(20)],
    opened: ['0:'],
  },
  {
    peer: 'test_new_term_with_terms',
    outcome: 'pass',
    note: 'field a with queryKey a: key1/key2 known, key3 alerts once',
    monitor: { check: logs({ rule: 'new_term', field: 'a', window: '1m', lookback: '30d' }), rules: [{ above: 0 }] },
    batches: [
      {
        events: [
          { '@timestamp': at(-86400), a: 'key1' },
          { '@timestamp': at(-86400), a: 'key2' },
          { '@timestamp': at(5), a: 'key1' },
          { '@timestamp': at(5), a: 'key2' },
        ],
      },
      { arrives: at(70), events: [{ '@timestamp': at(70), a: 'key3' }] },
      { arrives: at(100), events: [{ '@timestamp': at(100), a: 'key3' }] },
    ],
    ticks: [at(10), at(80), at(110)],
    opened: ['1:'],
  },
  {
    peer: 'test_new_term_with_composite_fields',
    outcome: 'pass',
    note: 'a compound term [a, b, c]: key1,key2,key3 known; key1,key2,key5 alerts; a new value of an unrelated field does not',
    monitor: {
      check: logs({ rule: 'new_term', field: ['a', 'b', 'c'], window: '1m', lookback: '30d' }),
      rules: [{ above: 0 }],
    },
    batches: [
      {
        events: [
          { '@timestamp': at(-86400), a: 'key1', b: 'key2', c: 'key3' },
          { '@timestamp': at(-86400), a: 'key1', b: 'key2', c: 'key4' },
          { '@timestamp': at(5), a: 'key1', b: 'key2', c: 'key3' },
        ],
      },
      { arrives: at(70), events: [{ '@timestamp': at(70), a: 'key1', b: 'key2', c: 'key5' }] },
      { arrives: at(200), events: [{ '@timestamp': at(200), a: 'key1', b: 'key2', c: 'key4', d: 'unrelated_value' }] },
    ],
    ticks: [at(10), at(80), at(210)],
    opened: ['1:'],
  },
  {
    peer: 'test_flatline',
    outcome: 'differs',
    note: 'the same silences are seen (12:00:45, and 12:01:11 after events came back), but pipewatch keeps one alert open across them — resolved after resolveAfter healthy runs, reminded by repeatInterval — where ElastAlert2 alerts again each run (3 alerts)',
    monitor: { check: logs({ rule: 'flatline', window: '30s' }), rules: [{ below: 2 }], flap: { failAfter: 1 } },
    batches: [
      { arrives: at(10), events: [...hits(1), ...hits(10)] },
      { arrives: at(52), events: hits(10, {}, 30) },
    ],
    ticks: [at(11), at(45), at(50), at(55), at(71)],
    opened: ['1:'],
  },
  {
    peer: 'test_flatline_no_data',
    outcome: 'differs',
    note: 'ElastAlert2 waits one timeframe after it starts; pipewatch judges the queried window at once, so a source silent from the start alerts on the first tick',
    monitor: { check: logs({ rule: 'flatline', window: '30s' }), rules: [{ below: 2 }], flap: { failAfter: 1 } },
    batches: [],
    ticks: [at(0), at(35 * 60)],
    opened: ['0:'],
  },
  {
    peer: 'test_flatline_count',
    outcome: 'pass',
    note: 'threshold 1: one event keeps it quiet until it leaves the 30s window',
    monitor: { check: logs({ rule: 'flatline', window: '30s' }), rules: [{ below: 1 }], flap: { failAfter: 1 } },
    batches: [{ events: burst(1, at(0)) }],
    ticks: [at(10), at(20), at(35)],
    opened: ['2:'],
  },
  {
    peer: 'test_flatline_query_key',
    outcome: 'differs',
    note: 'per key: key1 and key2 go silent first, key3 later — the same keys at the same ticks; ElastAlert2 alerts key1 and key2 again at 12:01:20, pipewatch keeps their alerts open',
    monitor: {
      check: logs({ rule: 'flatline', window: '30s', queryKey: 'qk' }),
      rules: [{ below: 1 }],
      flap: { failAfter: 1 },
    },
    batches: [
      { events: [...hits(1, { qk: 'key1' }), ...hits(1, { qk: 'key2' }), ...hits(1, { qk: 'key3' })] },
      { arrives: at(20), events: [{ '@timestamp': at(20), qk: 'key3' }] },
    ],
    ticks: [at(11), at(45), at(80)],
    opened: ['1:key1', '1:key2', '2:key3'],
  },
  {
    peer: 'test_flatline_forget_query_key',
    outcome: 'pass',
    note: 'forgetKeys: key1 alerts once when silent, then is forgotten (its alert resolves)',
    monitor: {
      check: logs({ rule: 'flatline', window: '30s', queryKey: 'qk', forgetKeys: true }),
      rules: [{ below: 1 }],
      flap: { failAfter: 1 },
    },
    batches: [{ events: hits(1, { qk: 'key1' }) }],
    ticks: [at(11), at(45), at(71), at(100)],
    opened: ['1:key1'],
  },
  {
    peer: 'test_cardinality_max',
    outcome: 'pass',
    note: 'max_cardinality 4 is above: 4; a duplicate stays at 4; francis makes 5; 15 minutes later 3 new users in the 10m window do not',
    monitor: { check: logs({ rule: 'cardinality', field: 'user', window: '10m' }), rules: [{ above: 4 }] },
    batches: [
      { events: ['bill', 'coach', 'zoey', 'louis'].map((user) => ({ '@timestamp': at(0), user })) },
      { arrives: at(2), events: [{ '@timestamp': at(2), user: 'coach' }] },
      { arrives: at(3), events: [{ '@timestamp': at(3), user: 'francis' }] },
      { arrives: at(900), events: ['nick', 'rochelle', 'ellis'].map((user) => ({ '@timestamp': at(900), user })) },
    ],
    ticks: [at(1), at(2.5), at(4), at(901)],
    opened: ['2:'],
  },
  {
    peer: 'test_cardinality_min',
    outcome: 'differs',
    note: 'min_cardinality 4 is below: 4; ElastAlert2 waits a timeframe before judging a minimum, pipewatch judges its first window (2 users) at once; the T+15m alert falls into that open alert',
    monitor: { check: logs({ rule: 'cardinality', field: 'user', window: '10m' }), rules: [{ below: 4 }] },
    batches: [
      { events: ['foo', 'bar'].map((user) => ({ '@timestamp': at(0), user })) },
      { arrives: at(300), events: ['faz', 'fuz', 'fiz'].map((user) => ({ '@timestamp': at(300), user })) },
      { arrives: at(900), events: [{ '@timestamp': at(900), user: 'faz' }] },
    ],
    ticks: [at(1), at(301), at(901)],
    opened: ['0:'],
  },
  {
    peer: 'test_cardinality_qk',
    outcome: 'differs',
    note: 'per key (user): baz passes max 2 and alerts; ElastAlert2 alerts once per value beyond the maximum (fuz, fiz), pipewatch once per key',
    monitor: {
      check: logs({ rule: 'cardinality', field: 'foo', window: '10m', queryKey: 'user' }),
      rules: [{ above: 2 }],
    },
    batches: [
      { events: ['foo', 'bar', 'baz'].map((user) => ({ '@timestamp': at(0), user, foo: `foo${user}` })) },
      { arrives: at(300), events: ['faz', 'fuz', 'fiz'].map((foo) => ({ '@timestamp': at(300), user: 'baz', foo })) },
    ],
    ticks: [at(1), at(301)],
    opened: ['1:baz'],
  },
  {
    peer: 'test_cardinality_nested_cardinality_field',
    outcome: 'pass',
    note: 'field d.ip; an event without it does not count',
    monitor: { check: logs({ rule: 'cardinality', field: 'd.ip', window: '10m' }), rules: [{ above: 4 }] },
    batches: [
      { events: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ '@timestamp': at(0), d: { ip } })) },
      { arrives: at(2), events: [{ '@timestamp': at(2), d: { ip: '10.0.0.4' } }, { '@timestamp': at(2) }] },
      { arrives: at(3), events: [{ '@timestamp': at(3), d: { ip: '10.0.0.5' } }] },
      {
        arrives: at(900),
        events: ['10.0.0.6', '10.0.0.7', '10.0.0.8'].map((ip) => ({ '@timestamp': at(900), d: { ip } })),
      },
    ],
    ticks: [at(1), at(2.5), at(4), at(901)],
    opened: ['2:'],
  },
  {
    peer: 'test_base_aggregation_constructor',
    outcome: 'refused',
    note: 'bucket_interval',
    monitor: { check: logs({ rule: 'metric', field: 'cpu_pct', bucketInterval: '10s' }), rules: [{ above: 0.8 }] },
    refusal: 'bucketInterval',
  },
  {
    peer: 'test_base_aggregation_payloads',
    outcome: 'internal',
    note: "how ElastAlert2 unwraps Elasticsearch aggregation payloads; pipewatch's sources return values per key",
  },
  {
    peer: 'test_metric_aggregation',
    outcome: 'pass',
    note: 'min 0.1 / max 0.8 are below: 0.1 / above: 0.8; no events is no data (never a breach); 0.5 is fine; 0.05 and 0.95 breach; per queryKey the key is named (metric_format_string is refused: the value is shown as is)',
    monitor: {
      check: logs({ rule: 'metric', field: 'cpu_pct', metric: 'avg', window: '10s' }),
      rules: [{ below: 0.1 }, { above: 0.8 }],
      flap: { failAfter: 1 },
    },
    batches: [{ events: [{ '@timestamp': at(15), cpu_pct: 0.5 }] }],
    ticks: [at(10), at(20)],
    opened: [],
    also: [
      {
        monitor: {
          check: logs({ rule: 'metric', field: 'cpu_pct', metric: 'avg', window: '10s' }),
          rules: [{ below: 0.1 }, { above: 0.8 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: [{ '@timestamp': at(5), cpu_pct: 0.05 }] }],
        ticks: [at(10)],
        opened: ['0:'],
      },
      {
        monitor: {
          check: logs({ rule: 'metric', field: 'cpu_pct', metric: 'avg', window: '10s' }),
          rules: [{ below: 0.1 }, { above: 0.8 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: [{ '@timestamp': at(5), cpu_pct: 0.95 }] }],
        ticks: [at(10)],
        opened: ['0:'],
      },
      {
        monitor: {
          check: logs({
            rule: 'metric',
            field: 'cpu_pct',
            metric: 'avg',
            window: '10s',
            queryKey: 'subdict1.subdict2.subdict3',
          }),
          rules: [{ above: 0.8 }],
          flap: { failAfter: 1 },
        },
        batches: [{ events: [{ '@timestamp': at(5), cpu_pct: 0.95, subdict1: { subdict2: { subdict3: 'qk_val' } } }] }],
        ticks: [at(10)],
        opened: ['0:qk_val'],
      },
      {
        monitor: {
          check: logs({ rule: 'metric', field: 'cpu_pct', metricFormatString: '{:.2%}' }),
          rules: [{ above: 0.8 }],
        },
        refusal: 'metricFormatString',
      },
    ],
  },
  {
    peer: 'test_metric_aggregation_complex_query_key',
    outcome: 'pass',
    note: 'a compound queryKey [qk, sub_qk]: each pair judged on its own, three alerts',
    monitor: {
      check: logs({ rule: 'metric', field: 'cpu_pct', metric: 'avg', window: '10s', queryKey: ['qk', 'sub_qk'] }),
      rules: [{ above: 0.8 }],
      flap: { failAfter: 1 },
    },
    batches: [
      {
        events: [0.91, 0.95, 0.89].map((cpu_pct, i) => ({
          '@timestamp': at(5),
          qk: 'qk_val',
          sub_qk: `sub_qk_val${i + 1}`,
          cpu_pct,
        })),
      },
    ],
    ticks: [at(10)],
    opened: ['0:qk_val,sub_qk_val1', '0:qk_val,sub_qk_val2', '0:qk_val,sub_qk_val3'],
  },
  {
    peer: 'test_percentiles_metric_aggregation_complex_query_key',
    outcome: 'refused',
    note: 'metric percentiles',
    monitor: { check: logs({ rule: 'metric', field: 'cpu_pct', metric: 'percentiles' }), rules: [{ above: 0.9 }] },
    refusal: 'metric',
  },
  {
    peer: 'test_metric_aggregation_complex_query_key_formatted',
    outcome: 'refused',
    note: 'metric_format_string',
    monitor: {
      check: logs({ rule: 'metric', field: 'some_val', metricFormatString: '{:.2f}' }),
      rules: [{ above: 0.8 }],
    },
    refusal: 'metricFormatString',
  },
  {
    peer: 'test_metric_aggregation_complex_query_key_bucket_interval',
    outcome: 'refused',
    note: 'bucket_interval',
    monitor: { check: logs({ rule: 'metric', field: 'cpu_pct', bucketInterval: '1m' }), rules: [{ above: 0.8 }] },
    refusal: 'bucketInterval',
  },
  {
    peer: 'test_metric_aggregation_scripted',
    outcome: 'refused',
    note: 'metric_agg_script',
    monitor: {
      check: logs({ rule: 'metric', field: 'cpu_pct', metricAggScript: "doc['a'].value" }),
      rules: [{ below: 0 }],
    },
    refusal: 'metricAggScript',
  },
  {
    peer: 'test_percentage_match',
    outcome: 'refused',
    note: 'rule percentage_match',
    monitor: { check: logs({ rule: 'percentage_match' }), rules: [{ above: 0 }] },
    refusal: "ElastAlert2's percentage_match rule is not a pipewatch rule type; write two monitors",
  },
  { peer: 'test_ruletype_add_data', outcome: 'internal', note: 'RuleType base class raises NotImplementedError' },
  { peer: 'test_ruletype_garbage_collect', outcome: 'internal', note: 'RuleType base class' },
  { peer: 'test_ruletype_add_count_data', outcome: 'internal', note: 'RuleType base class' },
  { peer: 'test_ruletype_add_terms_data', outcome: 'internal', note: 'RuleType base class' },
  { peer: 'test_ruletype_add_aggregation_data', outcome: 'internal', note: 'RuleType base class' },
  { peer: 'test_comparerule_compare', outcome: 'internal', note: 'CompareRule base class' },
  {
    peer: 'test_spike_percentiles',
    outcome: 'refused',
    note: 'rule spike_aggregation',
    monitor: { check: logs({ rule: 'spike_aggregation' }), rules: [{ above: 1.5 }] },
    refusal: "ElastAlert2's spike_aggregation rule is not a pipewatch rule type",
  },
  {
    peer: 'test_metric_aggregation_with_script_and_percentiles',
    outcome: 'refused',
    note: 'metric_agg_script with percentiles',
    monitor: {
      check: logs({ rule: 'metric', field: 'my_field', metricAggScript: "doc['my_field'].value * 2" }),
      rules: [{ below: 100 }],
    },
    refusal: 'metricAggScript',
  },
  {
    peer: 'test_spike_metric_aggregation_with_script_and_percentiles',
    outcome: 'refused',
    note: 'rule spike_aggregation with a script',
    monitor: { check: logs({ rule: 'spike_aggregation' }), rules: [{ above: 2 }] },
    refusal: "ElastAlert2's spike_aggregation rule is not a pipewatch rule type",
  },
];

function refusalOf(monitor: object): string {
  try {
    load(monitor);
  } catch (err) {
    return (err as Error).message;
  }
  return '(loaded)';
}

async function check(c: Omit<Case, 'peer' | 'outcome' | 'note' | 'also'>): Promise<void> {
  if (c.refusal !== undefined) {
    expect(refusalOf(c.monitor!)).toContain(c.refusal);
    return;
  }
  const result = await run(load(c.monitor!), c.batches ?? [], c.ticks!);
  expect(result.opened).toEqual(c.opened);
  if (c.keys) expect(result.keys).toEqual(c.keys);
}

describe('jertel/elastalert2 tests/rules_test.py, in pipewatch terms', () => {
  it('names every test function of the peer file once', () => {
    expect(new Set(CASES.map((c) => c.peer)).size).toBe(CASES.length);
  });

  it.each(
    CASES.filter((c) => c.outcome !== 'internal').map((c) => [`${c.peer} (${c.outcome}): ${c.note}`, c] as const),
  )('%s', async (_name, c) => {
    await check(c);
    for (const more of c.also ?? []) await check(more);
  });

  it('says in docs/COMPATIBILITY.md how many cases pass, differ by design, are refused and test internals', () => {
    const doc = readFileSync(join(process.cwd(), 'docs', 'COMPATIBILITY.md'), 'utf8');
    const section = doc.split('<!-- section: elastalert2 -->')[1]!.split('<!-- section:')[0]!;
    const n = (o: Outcome) => CASES.filter((c) => c.outcome === o).length;
    expect(section).toContain(
      `${n('pass')} of ${CASES.length} tests/rules_test.py cases pass; ${n('differs')} differ by design (documented and tested below), ${n('refused')} are refused at load, ${n('internal')} test ElastAlert2's internal classes`,
    );
  });
});

describe('defaults and lints of log rules', () => {
  it('event-like rules open on their first failing run; a monitor may ask otherwise, and validate warns', () => {
    expect(load({ check: logs({ rule: 'any' }), rules: [{ above: 0 }] }).flap.failAfter).toBe(1);
    expect(load({ check: logs({ rule: 'new_term', field: 'a' }), rules: [{ above: 0 }] }).flap.failAfter).toBe(1);
    expect(load({ check: logs({ rule: 'frequency', window: '5m' }), rules: [{ above: 9 }] }).flap.failAfter).toBe(1);
    expect(
      load({ check: logs({ rule: 'cardinality', field: 'a', window: '5m' }), rules: [{ above: 3 }] }).flap.failAfter,
    ).toBe(1);
    expect(load({ check: logs({ rule: 'flatline', window: '5m' }), rules: [{ below: 1 }] }).flap.failAfter).toBe(3);
    expect(load({ check: logs({ rule: 'metric', field: 'a' }), rules: [{ above: 0 }] }).flap.failAfter).toBe(3);
    const config = parseConfig(
      CONFIG({ check: logs({ rule: 'any' }), rules: [{ above: 0 }], flap: { failAfter: 3 } }),
      'pipewatch.yaml',
      { env: {} },
    );
    expect(config.monitors[0]!.flap.failAfter).toBe(3);
    expect((config.warnings ?? []).map((w) => w.message).join('\n')).toContain(
      'flap.failAfter 3 on rule any: an event reported by one run only',
    );
  });

  it('the documented example archives-needing-passwords alerts on its first event', async () => {
    const readme = readFileSync(join(process.cwd(), 'docs', 'PERSPECTIVES.md'), 'utf8');
    const block = readme
      .split('```yaml')
      .find((b) => b.includes('id: archives-needing-passwords'))!
      .split('```')[0]!;
    const { parse } = await import('yaml');
    const example = (
      parse(block) as { monitors: Array<{ id: string; check: Doc; rules: object[]; flap?: object }> }
    ).monitors.find((m) => m.id === 'archives-needing-passwords')!;
    const { trigger: _trigger, ...check } = example.check;
    const m = load({ check, rules: example.rules, ...(example.flap ? { flap: example.flap } : {}) });
    expect(m.flap.failAfter).toBe(1);
    const opened = await run(
      m,
      [{ arrives: at(5), events: [{ '@timestamp': at(5), event: { action: 'archive.password_required' } }] }],
      [at(0), at(10)],
    );
    expect(opened.opened).toEqual(['1:']);
  });

  it('the documented example parse-errors (frequency per pipeline) alerts on its first run over the threshold', async () => {
    const page = readFileSync(join(process.cwd(), 'docs', 'PERSPECTIVES.md'), 'utf8');
    const block = page
      .split('```yaml')
      .find((b) => b.includes('id: parse-errors'))!
      .split('```')[0]!;
    const { parse } = await import('yaml');
    const example = (
      parse(block) as { monitors: Array<{ id: string; check: Doc; rules: object[]; flap?: object }> }
    ).monitors.find((m) => m.id === 'parse-errors')!;
    // The example reads an Elasticsearch index; here the same rule reads the in-memory source.
    const { index: _index, ...check } = example.check;
    const m = load({ check, rules: example.rules, ...(example.flap ? { flap: example.flap } : {}) });
    expect(m.flap.failAfter).toBe(1);
    const errors = (n: number, pipeline: string) =>
      burst(n, at(5), { log: { level: 'error' }, labels: { stage: 'parse', pipeline } });
    // 21 errors of intel (above 20) and 20 of lake, all at 12:00:05; the window ends buffer (1m) before the run.
    const opened = await run(
      m,
      [{ arrives: at(5), events: [...errors(21, 'intel'), ...errors(20, 'lake')] }],
      [at(30), at(90), at(150)],
    );
    expect(opened.opened).toEqual(['1:intel']);
  });

  it('refuses history rules with queryKey, minCount, and options of another rule type, saying what to write', () => {
    expect(refusalOf({ check: logs({ rule: 'frequency', queryKey: 'a' }), rules: [{ changePercent: 50 }] })).toContain(
      'with queryKey each key is judged on its own: use above, below, equals or outside',
    );
    expect(refusalOf({ check: logs({ rule: 'spike', minCount: 5 }), rules: [{ above: 2 }] })).toContain(
      'write thresholdRef',
    );
    expect(refusalOf({ check: logs({ rule: 'frequency', forgetKeys: true }), rules: [{ above: 2 }] })).toContain(
      'forgetKeys is for flatline with queryKey',
    );
  });

  it('sample: 0 puts no log lines in the alert', async () => {
    const m = load({ check: logs({ rule: 'any', sample: 0, window: '1h' }), rules: [{ above: 0 }] });
    const r = await evaluateLogRule(
      memorySource([{ events: hits(3) }], new Date(at(10))),
      m.check as LogsCheck,
      new Date(at(10)),
      undefined,
    );
    expect(r.measurement.value).toBe(3);
    expect(r.measurement.details!.sample).toBeUndefined();
  });
});

describe('rule any over Elasticsearch: a re-read buffer, de-duplicated by _id (ElastAlert2 buffer_time)', () => {
  const AT = Date.parse('2026-11-26T12:00:00Z');
  const ts = (s: number) => new Date(AT + s * 1000).toISOString();

  it('reports an event indexed late (within the buffer) once, and a new one without waiting a buffer', async () => {
    const { FakeElasticsearch } = await import('../support/fake-elasticsearch.js');
    const { ElasticsearchConnector } = await import('../../connectors/elasticsearch/index.js');
    const fake = new FakeElasticsearch();
    const es = new ElasticsearchConnector(
      'logs',
      {
        type: 'elasticsearch',
        node: 'http://localhost:9200',
        requestTimeout: 10_000,
        rejectUnauthorized: true,
      } as never,
      fake.client,
    );
    const m = load({
      check: logs({ rule: 'any', index: 'app-logs', window: '5m', buffer: '1m', sample: 0 }),
      rules: [{ above: 0 }],
    });
    const c = { ...(m.check as LogsCheck), index: 'app-logs' };
    let state: LogRuleState | undefined;
    const tick = async (s: number) => {
      const r = await evaluateLogRule(await es.logSource(c), c, new Date(ts(s)), state);
      state = r.state;
      return r.newEvents!.map((e) => e.id);
    };
    await fake.seed('app-logs', [
      { _id: 'e1', '@timestamp': ts(-30), message: 'now' },
      { _id: 'old', '@timestamp': ts(-400), message: 'before the first window' },
    ]);
    // e1 is 30 s old, inside the buffer: read at once, not a buffer later.
    expect(await tick(0)).toEqual(['e1']);
    // e2 is indexed now with a timestamp 45 s old (before the last run's cursor time), e3 is new.
    await fake.seed('app-logs', [
      { _id: 'e2', '@timestamp': ts(-45), message: 'late' },
      { _id: 'e3', '@timestamp': ts(20), message: 'new' },
    ]);
    expect(await tick(60)).toEqual(['e2', 'e3']);
    expect(await tick(120)).toEqual([]);
    // Later than the buffer allows: taken as final, not read.
    await fake.seed('app-logs', [{ _id: 'e4', '@timestamp': ts(30), message: 'too late' }]);
    expect(await tick(180)).toEqual([]);
    expect(state!.recent!.length).toBeLessThanOrEqual(1);
  });
});
