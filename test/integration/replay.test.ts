// Replay compatibility: histories of every workflow type, captured from real
// runs of this suite (`npm run histories:capture`, scripts/capture-histories.mjs),
// replayed against the workflow code being tested. A change that would make a
// running workflow take a different path fails here, before it reaches a
// worker with workflows in flight (docs/WORKFLOW-CHANGES.md says how to make
// such a change safely).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { dataConverter } from '../../workers/codec.js';
import * as registered from '../../workflows/index.js';
import { testEnv } from '../support/env.js';

const DIR = join(process.cwd(), 'test', 'fixtures', 'histories');
const { History } = proto.temporal.api.history.v1;
/** Fixtures hold History.toObject output (scripts/capture-histories.mjs). */
const historyFromObject = (o: unknown) => History.fromObject(o as Record<string, unknown>);

interface Fixture {
  file: string;
  workflowId: string;
  workflowType: string;
  history: ReturnType<typeof historyFromObject>;
}

function fixtures(): Fixture[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const raw = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as {
        workflowId: string;
        workflowType: string;
        history: unknown;
      };
      return {
        file,
        workflowId: raw.workflowId,
        workflowType: raw.workflowType,
        history: historyFromObject(raw.history),
      };
    });
}

async function replay(histories: Array<Pick<Fixture, 'workflowId' | 'history'>>) {
  const options = {
    workflowBundle: { codePath: testEnv().bundlePath },
    dataConverter: dataConverter({ PIPEWATCH_CODEC_KEYS: readFileSync(join(DIR, 'codec.keys'), 'utf8') }),
    replayName: 'pipewatch-replay',
  };
  const results: Array<{ workflowId: string; error?: string }> = [];
  for await (const r of Worker.runReplayHistories(
    options,
    histories.map((h) => ({ workflowId: h.workflowId, history: h.history })),
  )) {
    results.push({ workflowId: r.workflowId, ...(r.error ? { error: `${r.error.name}: ${r.error.message}` } : {}) });
  }
  return results;
}

describe('replay of captured histories against the current workflow code', () => {
  const all = fixtures();

  it('has histories of every workflow type a worker registers', () => {
    const types = new Set(all.map((f) => f.workflowType));
    expect([...Object.keys(registered)].filter((t) => !types.has(t))).toEqual([]);
  });

  it('keeps monitor runs from before the local-activities patch and after it', () => {
    const monitors = all.filter((f) => f.workflowType === 'monitorWorkflow');
    const before = monitors.filter((f) =>
      f.history.events!.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordRun'),
    );
    const after = monitors.filter((f) =>
      f.history.events!.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'),
    );
    expect(before.map((f) => f.file).every((f) => f.startsWith('monitorWorkflow-v1-'))).toBe(true);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
  });

  it('replays every one of them without a nondeterminism error', async () => {
    const results = await replay(all);
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results).toHaveLength(all.length);
  });

  it('fails when the code would take another path: the check can fail', async () => {
    // A history in which the first activity the workflow scheduled had another type.
    const monitor = all.find((f) => f.workflowType === 'monitorWorkflow')!;
    const history = historyFromObject(JSON.parse(readFileSync(join(DIR, monitor.file), 'utf8')).history);
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
    const [result] = await replay([{ workflowId: monitor.workflowId, history }]);
    expect(result!.error).toMatch(/Nondeterminism|DeterminismViolation|nondeterminism/i);
  });
});
