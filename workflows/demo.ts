// The example pipeline's stages as workflows, each one short run per tick of
// its schedule (pipewatch-demo/<task queue>/collect and …/etl, overlap SKIP):
// collect → queue → parse → serve. Faults come from an activity at the start
// of each run, so what a run did follows from its history. A record the
// parser cannot read is handed to its own workflow that waits on an operator
// through humanStep() — retry, skip or abort — while the ETL goes on.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Fault } from '../examples/faults.js';
import type { DemoActivities } from '../examples/pipeline.js';
import { humanStep, SKIPPED, type HumanStepOptions } from './human-step.js';

export interface DemoStageInput {
  /** Most records the ETL takes from the queue per run. */
  maxPerRun: number;
  /** Who is asked about a record the parser cannot read, and how. */
  intervention: HumanStepOptions['intervention'];
}

const stage = proxyActivities<DemoActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 5 },
});

export function demoRecordWorkflowId(recordId: string): string {
  return `pipewatch-demo/record/${recordId}`;
}

export async function demoCollectWorkflow(): Promise<{
  faults: Fault[];
  collected: number;
  archive?: string;
  malformed?: string;
}> {
  const faults = await stage.demoFaults();
  if (faults.includes('collector')) return { faults, collected: 0 };
  const result = await stage.demoCollect({ runId: runKey() });
  return { faults, ...result };
}

export async function demoEtlWorkflow(input: DemoStageInput): Promise<{
  faults: Fault[];
  stalled?: true;
  parsed?: number;
  dropped?: number;
  held?: string[];
  served?: number;
  consumer?: string;
}> {
  const faults = await stage.demoFaults();
  if (faults.includes('stall')) return { faults, stalled: true };
  const parse = await stage.demoParse({ runId: runKey(), faults, max: input.maxPerRun });
  for (const recordId of parse.held) {
    try {
      // Abandoned: the question outlives this run, and the next runs go on meanwhile.
      await startChild(demoRecordWorkflow, {
        workflowId: demoRecordWorkflowId(recordId),
        args: [{ recordId, intervention: input.intervention }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  const { served } = await stage.demoServe({ runId: runKey() });
  return { faults, parsed: parse.parsed, dropped: parse.dropped, held: parse.held, served, consumer: parse.consumer };
}

/** One record the parser could not read: asks an operator, then parses, skips or aborts as answered. */
export async function demoRecordWorkflow(input: {
  recordId: string;
  intervention: HumanStepOptions['intervention'];
}): Promise<{ recordId: string; status: 'parsed' | 'skipped' }> {
  const outcome = await humanStep('parse', () => stage.demoParseHeld({ recordId: input.recordId }), {
    needsHuman: ['MalformedRecord'],
    intervention: {
      ...input.intervention,
      context: { ...input.intervention.context, pipeline: 'example', item: input.recordId },
    },
  }).catch(async (err: unknown) => {
    if ((err as { type?: string }).type === 'Aborted')
      await stage.demoRecordDecision({ recordId: input.recordId, outcome: 'aborted', by: (err as Error).message });
    throw err;
  });
  if (outcome === SKIPPED) {
    await stage.demoRecordDecision({ recordId: input.recordId, outcome: 'skipped', by: 'an operator' });
    return { recordId: input.recordId, status: 'skipped' };
  }
  return { recordId: input.recordId, status: 'parsed' };
}

/** Names a run's records: stable across its activity's retries, so a retry stores nothing twice. */
function runKey(): string {
  return workflowInfo().runId.slice(0, 13);
}
