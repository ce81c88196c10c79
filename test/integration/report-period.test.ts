// A scheduled report covers every window of its period. The window that ends
// with the period is judged `settle` after it, at the stage monitor's next
// tick: a report made at the period's end missed it, and the next period
// started after it (3 of 3 reports missed 1 of 2 windows). Here three
// consecutive periods run as the schedule runs them (TemporalScheduledStartTime
// at each period's end) on the dev server, while the "stage monitor" records
// each period's last window only after the period has ended.
import type { Client } from '@temporalio/client';
import { parseConfig } from '../../config/load.js';
import type { ReportDefinition } from '../../config/model.js';
import type { ReportSummary } from '../../reports/digest.js';
import { windowsJudgedWithinMs } from '../../reports/period.js';
import type { HistoryStore } from '../../store/history.js';
import { reportWorkflow, type ReportResult } from '../../workflows/report.js';
import { uniqueName } from '../support/env.js';
import type { RunningWorker } from '../support/temporal.js';
import { sleep } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const PERIOD_MS = 8_000;
const WINDOW_MS = 4_000;
/** When the stage monitor records the period's last window: after the period's end (its settle and next tick). */
const JUDGED_AFTER_MS = 1_500;

describe('report periods', () => {
  const pipeline = uniqueName('rperiod').toLowerCase().replace(/_/g, '-');
  let fixture: WorkerWithStore;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  let definition: ReportDefinition;

  beforeAll(async () => {
    const config = parseConfig(
      `version: 1
defaults: { schedule: { every: 1h } }
connectors:
  lake: { type: postgres, url: "postgres://x@127.0.0.1/x" }
pipelines:
  ${pipeline}:
    stages:
      - { id: collected, connector: lake, dataset: raw.c, uniqueId: id, timestamp: ts }
      - { id: parsed, connector: lake, dataset: parsed.p, uniqueId: id, timestamp: ts }
monitors:
  - id: ${pipeline}-stages
    check: { type: stageCounts, pipeline: ${pipeline}, window: 1h, settle: 10m }
    rules: [{ above: 0, severity: critical }]
`,
      'report-period.yaml',
      { env: false },
    );
    // Declared: judged within settle (10m) + one interval (1h) + the margin.
    expect(config.reports[0]!.judgedWithinMs).toBe(windowsJudgedWithinMs(config.monitors));
    expect(config.reports[0]!.judgedWithinMs).toBe(10 * 60_000 + 3_600_000 + 2 * 60_000);
    // Test-sized: periods of 8 s, windows of 4 s, judged within 3 s of their end.
    definition = { ...config.reports[0]!, periodMs: PERIOD_MS, trendPeriods: 1, channels: [], judgedWithinMs: 3_000 };
    fixture = await startWorkerWithStore('rperiodstore');
    ({ store, worker, client } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  const record = (to: number, k: number) =>
    store.recordStageCounts(pipeline, { from: new Date(to - WINDOW_MS), to: new Date(to) }, [
      { stage: 'collected', count: 100 + k, lost: 0 },
      { stage: 'parsed', count: 100 + k, lost: 0 },
    ]);

  it('three consecutive scheduled reports each hold both windows of their period', async () => {
    const first = Math.ceil((Date.now() + 2_000) / PERIOD_MS) * PERIOD_MS;
    const windowsSeen: number[][] = [];
    for (let p = 0; p < 3; p++) {
      const periodEnd = first + p * PERIOD_MS;
      await sleep(Math.max(0, periodEnd - Date.now()));
      // The first window of the period was judged long ago; the last one ends now.
      await record(periodEnd - WINDOW_MS, 2 * p);
      const reportId = uniqueName(`pipewatch-report/${pipeline}`);
      const run = client.workflow.execute(reportWorkflow, {
        workflowId: reportId,
        taskQueue: worker.settings.taskQueue,
        args: [definition],
        searchAttributes: { TemporalScheduledStartTime: [new Date(periodEnd)] },
      });
      // The stage monitor's tick after settle records the last window while the report waits.
      await sleep(Math.max(0, periodEnd + JUDGED_AFTER_MS - Date.now()));
      await record(periodEnd, 2 * p + 1);
      const result = (await run) as ReportResult;
      expect(result).toMatchObject({
        periodStart: new Date(periodEnd - PERIOD_MS).toISOString(),
        periodEnd: new Date(periodEnd).toISOString(),
      });
      const summary = (await store.report(reportId))!.summary as ReportSummary;
      windowsSeen.push(summary.stages.map((s) => s.windows));
      expect(summary.stages.map((s) => [s.stage, s.windows, s.total])).toEqual([
        ['collected', 2, 200 + 4 * p + 1],
        ['parsed', 2, 200 + 4 * p + 1],
      ]);
    }
    expect(windowsSeen).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
  });
});
