// Stage counts and reconciliation for a pipeline: distinct records per stage
// in the last settled window, each stage judged against the previous one
// (missing ids by a sorted merge, or in one query when both stages are in one
// database; or counts against an expected ratio), and
// the first stage that lost more than its tolerance. Reads any mix of stores.
import { formatDuration } from '../config/duration.js';
import type { CheckSpec, PipelineStage } from '../config/model.js';
import { judgeByIds, judgeByRatio, missingIds, type SetDifference, type StageJudgement } from '../evaluation/reconcile.js';
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
  const stages = input.stages.map((s) => ({ stage: s.stage, connector: recordStore(s.connector, `the connector of stage ${s.stage.id}`) }));
  const progress = input.onProgress ?? (() => undefined);
  const window = bucketWindow(at, check.window, check.settle);
  // A downstream stage has until the judging moment to pick up the window's records.
  const downstreamWindow = { from: window.from, to: new Date(Math.max(window.to.getTime(), at)) };
  const tap = async function* (batches: AsyncIterable<string[]>) {
    for await (const batch of batches) {
      progress();
      yield batch;
    }
  };

  // A stage's count of its own window comes free from the next stage's id
  // comparison (its upstream side); the others are counted while ids stream.
  const countedByDiff = (i: number) => i + 1 < stages.length && stages[i + 1]!.stage.expectedRatio === undefined;
  const counting = Promise.all(stages.map(({ stage, connector }, i) => (countedByDiff(i) ? Promise.resolve(-1) : connector.countDistinct(stage, window))));
  counting.catch(() => undefined); // awaited below; a failure there is reported once
  const diffs: Array<SetDifference | undefined> = [];
  for (let i = 1; i < stages.length; i++) {
    const { stage, connector } = stages[i]!;
    if (stage.expectedRatio !== undefined) continue;
    const previous = stages[i - 1]!;
    // Both stages behind one connector: one query in their database instead of two streams.
    if (previous.connector === connector && connector.missingIds) {
      diffs[i] = await connector.missingIds(previous.stage, window, stage, downstreamWindow, check.sample);
      progress();
      continue;
    }
    diffs[i] = await missingIds(
      tap(previous.connector.streamIds(previous.stage, window, ID_BATCH)),
      tap(connector.streamIds(stage, downstreamWindow, ID_BATCH)),
      { sample: check.sample, upstreamName: `stage ${previous.stage.id}`, downstreamName: `stage ${stage.id}` },
    );
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
  const measurement: Measurement = {
    value: losing?.lost ?? 0,
    unit: 'records',
    observedAt: window.from.toISOString(),
    details: {
      pipeline: input.pipeline,
      window: `${window.from.toISOString()} to ${window.to.toISOString()} (${formatDuration(check.window)}, judged ${formatDuration(check.settle)} after its end)`,
      stages: judgements
        .map((j) => `${j.stage} ${formatValue(j.count, 'records')}${j.lost ? ` (lost ${formatValue(j.lost, 'records')}${j.ok ? ', within tolerance' : ''})` : ''}`)
        .join(' → '),
      firstLosingStage: losing?.stage ?? null,
      lost: losing?.lost ?? 0,
      ...(losing ? { comparedBy: losing.method === 'ids' ? 'missing ids' : `expected ratio (${formatValue(Math.round(losing.expected ?? 0), 'records')} expected)` } : {}),
      ...(losing?.sample?.length ? { sampleMissing: losing.sample.join(', ') } : {}),
    },
  };
  return { measurement, judgements, window };
}
