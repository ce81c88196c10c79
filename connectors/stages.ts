// Stage counts and reconciliation for a pipeline: distinct records per stage
// in the last settled window, each stage judged against the previous one
// (missing ids by a sorted merge, or in one query when both stages are in one
// database; or counts against an expected ratio), and
// the first stage that lost more than its tolerance. Reads any mix of stores.
import { formatDuration } from '../config/duration.js';
import type { CheckSpec, PipelineStage } from '../config/model.js';
import {
  judgeByIds,
  judgeByRatio,
  missingIds,
  type SetDifference,
  type StageJudgement,
} from '../evaluation/reconcile.js';
import { formatValue } from '../evaluation/rules.js';
import type { Measurement } from '../evaluation/types.js';
import { bucketWindow } from '../evaluation/windows.js';
import { recordStore, type Connector } from './types.js';

/** Ids fetched per round trip: large enough to amortise it, small enough to keep memory flat. */
export const ID_BATCH = 20_000;

export interface StagesResult {
  measurement: Measurement;
  judgements: StageJudgement[];
  window: { from: Date; to: Date };
}

export async function reconcileStages(input: {
  pipeline: string;
  stages: Array<{ stage: PipelineStage; connector: Connector }>;
  check: Extract<CheckSpec, { type: 'stageCounts' }>;
  at: number;
  /** Called every batch: activities heartbeat here. */
  onProgress?: () => void;
}): Promise<StagesResult> {
  const { check, at } = input;
  const stages = input.stages.map((s) => ({
    stage: s.stage,
    connector: recordStore(s.connector, `the connector of stage ${s.stage.id}`),
  }));
  const progress = input.onProgress ?? (() => undefined);
  const window = bucketWindow(at, check.window, check.settle);
  // A downstream stage has until the judging moment to pick up the window's records: found after the window's end,
  // a record is late (not lost, and not in the stage's count of its window, where records of earlier windows are).
  const lateRange = { from: window.to, to: new Date(Math.max(window.to.getTime(), at)) };
  const untilJudged = { from: window.from, to: lateRange.to };
  const tap = async function* (batches: AsyncIterable<string[]>) {
    for await (const batch of batches) {
      progress();
      yield batch;
    }
  };

  // A stage's count of its own window comes free from the next stage's id
  // comparison (its upstream side); the others are counted while ids stream.
  const countedByDiff = (i: number) => i + 1 < stages.length && stages[i + 1]!.stage.expectedRatio === undefined;
  const counting = Promise.all(
    stages.map(({ stage, connector }, i) =>
      countedByDiff(i) ? Promise.resolve(-1) : connector.countDistinct(stage, window),
    ),
  );
  counting.catch(() => undefined); // awaited below; a failure there is reported once
  const diffs: Array<SetDifference | undefined> = [];
  for (let i = 1; i < stages.length; i++) {
    const { stage, connector } = stages[i]!;
    if (stage.expectedRatio !== undefined) continue;
    const previous = stages[i - 1]!;
    // Both stages behind one connector: one query in their database instead of two streams.
    if (previous.connector === connector && connector.missingIds) {
      diffs[i] = await connector.missingIds(previous.stage, window, stage, window, check.sample, lateRange);
      progress();
      continue;
    }
    const names = { upstreamName: `stage ${previous.stage.id}`, downstreamName: `stage ${stage.id}` };
    const merge = (range: { from: Date; to: Date }, sample: number) =>
      missingIds(
        tap(previous.connector.streamIds(previous.stage, window, ID_BATCH)),
        tap(connector.streamIds(stage, range, ID_BATCH)),
        { sample, ...names },
      );
    // Two merges one after the other, never three cursors at once (one PGlite session serves one at a time):
    // lost against everything until the judging moment, then absent from the window alone; the difference arrived late.
    const lost = await merge(untilJudged, check.sample);
    const inWindow = lateRange.to > lateRange.from ? await merge(window, 0) : lost;
    diffs[i] = { ...lost, downstream: inWindow.downstream, late: inWindow.missing - lost.missing };
  }
  const counts = (await counting).map((n, i) => (countedByDiff(i) ? diffs[i + 1]!.upstream : n));
  progress();

  const judgements: StageJudgement[] = stages.map(({ stage }, i) => {
    if (i === 0) return { stage: stage.id, count: counts[0]!, lost: 0, method: 'first', ok: true };
    const diff = diffs[i];
    return diff
      ? judgeByIds(stage.id, diff.upstream, counts[i]!, diff, stage.tolerance)
      : judgeByRatio(stage.id, counts[i - 1]!, counts[i]!, stage.expectedRatio!, stage.tolerance);
  });

  const losing = judgements.find((j) => !j.ok);
  const losers = judgements.filter((j) => !j.ok && j.sample?.length);
  const measurement: Measurement = {
    value: losing?.lost ?? 0,
    unit: 'records',
    observedAt: window.from.toISOString(),
    details: {
      pipeline: input.pipeline,
      window: `${window.from.toISOString()} to ${window.to.toISOString()} (${formatDuration(check.window)}, judged ${formatDuration(check.settle)} after its end)`,
      stages: describeStages(judgements),
      windowCounts: judgements.map((j) => `${j.stage} ${formatValue(j.count, 'records')}`).join(', '),
      firstLosingStage: losing?.stage ?? null,
      lost: losing?.lost ?? 0,
      ...(losing
        ? {
            comparedBy:
              losing.method === 'ids'
                ? 'missing ids'
                : `expected ratio (${formatValue(Math.round(losing.expected ?? 0), 'records')} expected)`,
          }
        : {}),
      ...(losing?.sample?.length ? { sampleMissing: losing.sample.join(', ') } : {}),
      // Every losing stage its own sample, not only the first.
      ...Object.fromEntries(losers.map((j) => [`sampleMissing.${j.stage}`, j.sample!.join(', ')])),
    },
  };
  return { measurement, judgements, window };
}

/**
 * Each comparison on its own: "collected 1,000 → parsed 960 (lost 37, late 3)", where the downstream figure is what
 * arrived within the window of the upstream's records, so upstream − lost − late = downstream holds in every segment.
 * A stage's count of its own window (which may hold records of earlier windows) is the next segment's upstream.
 */
export function describeStages(judgements: StageJudgement[]): string {
  const n = (v: number) => formatValue(v, 'records');
  if (judgements.length === 1) return `${judgements[0]!.stage} ${n(judgements[0]!.count)}`;
  return judgements
    .slice(1)
    .map((j, k) => {
      const up = judgements[k]!;
      const tolerated = j.lost && j.ok ? ', within tolerance' : '';
      if (j.method === 'ratio') {
        const expected = Math.round(j.expected ?? 0);
        const gap = j.lost
          ? `lost ${n(j.lost)}${tolerated}`
          : j.count > expected
            ? `${n(j.count - expected)} more`
            : 'as expected';
        return `${up.stage} ${n(up.count)} → ${j.stage} ${n(j.count)} (expected ${n(expected)} by ratio, ${gap})`;
      }
      const earlier = j.count - (j.arrived ?? j.count);
      return `${up.stage} ${n(up.count)} → ${j.stage} ${n(j.arrived ?? j.count)} (lost ${n(j.lost)}${tolerated}, late ${n(j.late ?? 0)}${earlier > 0 ? `; ${n(j.count)} in its window with ${n(earlier)} of earlier windows` : ''})`;
    })
    .join('; ');
}
