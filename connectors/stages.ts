// Stage counts and reconciliation for a pipeline: distinct records per stage
// in the last settled window, each stage judged against the previous one
// (missing ids by a sorted merge, or counts against an expected ratio), and
// the first stage that lost more than its tolerance. Reads any mix of stores.
import { formatDuration } from '../config/duration.js';
import type { CheckSpec, PipelineStage } from '../config/model.js';
import { judgeByIds, judgeByRatio, missingIds, type StageJudgement } from '../evaluation/reconcile.js';
import { formatValue } from '../evaluation/rules.js';
import type { Measurement } from '../evaluation/types.js';
import { bucketWindow } from '../evaluation/windows.js';
import type { Connector } from './types.js';

export const ID_BATCH = 10_000;

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
  const { stages, check, at } = input;
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

  const judgements: StageJudgement[] = [];
  for (const [i, { stage, connector }] of stages.entries()) {
    const count = await connector.countDistinct(stage, window);
    progress();
    if (i === 0) {
      judgements.push({ stage: stage.id, count, lost: 0, method: 'first', ok: true });
      continue;
    }
    const previous = stages[i - 1]!;
    const previousCount = judgements[i - 1]!.count;
    if (stage.expectedRatio !== undefined) {
      judgements.push(judgeByRatio(stage.id, previousCount, count, stage.expectedRatio, stage.tolerance));
    } else {
      const diff = await missingIds(
        tap(previous.connector.streamIds(previous.stage, window, ID_BATCH)),
        tap(connector.streamIds(stage, downstreamWindow, ID_BATCH)),
        { sample: check.sample, upstreamName: `stage ${previous.stage.id}`, downstreamName: `stage ${stage.id}` },
      );
      judgements.push(judgeByIds(stage.id, diff.upstream, count, diff, stage.tolerance));
    }
  }

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
