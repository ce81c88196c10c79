// Records one run of a keyed monitor's keys (a log rule with queryKey, promql per series): each key has its own monitor
// state (flap control, open alert, incidents) under "<monitor>[<key>]", in one
// transaction with the others. A key with an open alert that this run did not
// report (no events for it in the window now, a series gone) gets a healthy run, so its
// alert resolves instead of staying open forever.
import type { FlapControl } from '../config/model.js';
import { isKeyStateOf, keyOfState, keyStateId } from '../evaluation/log-keys.js';
import type { Labels } from '../evaluation/matchers.js';
import type { Verdict } from '../evaluation/types.js';
import type { HistoryStore, RecordedRun } from '../store/history.js';

export interface KeyRunInput {
  monitorId: string;
  runId: string;
  /** The tick's instant: a quiet key's healthy run is observed then. */
  observedAt: string;
  flap: FlapControl;
  keys: Array<{ key: string; verdict: Verdict; labels: Labels; incidentIds: string[] }>;
  /** Labels and incidents of a key this run did not report, should it need a healthy run. */
  labelsFor: Labels;
  incidentIdsFor: string[];
  /** What a key this run did not report means: no events in the window (logs), or a series the query no longer returns (promql). */
  quiet?: 'no-events' | 'series-gone';
}

export interface KeyRunRecorded {
  key: string;
  verdict: Verdict;
  labels: Labels;
  recorded: RecordedRun;
}

export async function recordKeyRuns(store: HistoryStore, input: KeyRunInput): Promise<KeyRunRecorded[]> {
  const reported = new Set(input.keys.map((k) => k.key));
  const open = (await store.activeAlerts()).filter(
    (a) => isKeyStateOf(input.monitorId, a.monitorId) && !reported.has(keyOfState(input.monitorId, a.monitorId)),
  );
  const quiet = open.map((a) => {
    const key = keyOfState(input.monitorId, a.monitorId);
    const verdict: Verdict =
      input.quiet === 'series-gone'
        ? // As Prometheus resolves an alert whose series left the expression's result.
          {
            status: 'ok',
            value: null,
            unit: 'count',
            reason: `the query no longer returns ${key}`,
            observedAt: input.observedAt,
          }
        : {
            status: 'ok',
            value: 0,
            unit: 'count',
            reason: `no events for ${key} in the window`,
            observedAt: input.observedAt,
          };
    return { key, verdict, labels: { ...input.labelsFor, key, severity: 'ok' }, incidentIds: input.incidentIdsFor };
  });
  const all = [...input.keys, ...quiet];
  const recorded = await store.recordRuns(
    all.map((k) => ({
      monitorId: keyStateId(input.monitorId, k.key),
      runId: `${input.runId}#${k.key}`,
      verdict: k.verdict,
      flap: input.flap,
      labels: k.labels,
      incidentIds: k.incidentIds,
    })),
  );
  return all.map((k, i) => ({ key: k.key, verdict: k.verdict, labels: k.labels, recorded: recorded[i]! }));
}
