// A backtest agrees with the live monitor at the same moments: live runs of an
// anomaly rule (monitorWorkflow on a real worker, history store on the real
// PostgreSQL, a week of earlier runs in it) are compared with `pipewatch
// backtest` over the same stored history from the first live moment on. Before
// the backtest warmed its baselines from history before --from, its first
// verdicts had no history ("learning") where the live monitor saw a 90 % drop.
import type { Client } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { backtest } from '../../evaluation/backtest.js';
import type { HistoryStore } from '../../store/history.js';
import { toleranceMs, describeCheck } from '../../evaluation/check.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { runCli } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import type { RunningWorker } from '../support/temporal.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const HOUR = 3_600_000;
const FIRST_LIVE_BUCKET = Date.parse('2026-11-20T10:00:00Z');
/** Records per live bucket: normal, a 90 % drop, normal again. */
const LIVE = [1000, 100, 1000];

describe('backtest against live verdicts', () => {
  let schema: TestSchema;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  let monitor: MonitorDefinition;
  let configFile: string;
  let fixture: WorkerWithStore;

  beforeAll(async () => {
    schema = await createTestSchema('backtest');
    const s = schema.name;
    await schema.pool.query(`CREATE TABLE "${s}".orders (order_id text, created_at timestamptz)`);
    for (const [k, n] of LIVE.entries()) {
      await schema.pool.query(
        `INSERT INTO "${s}".orders SELECT 'o-${k}-' || i, $1::timestamptz + (i * 3000 / $2) * interval '1 second' FROM generate_series(0, $2 - 1) i`,
        [new Date(FIRST_LIVE_BUCKET + k * HOUR), n],
      );
    }
    const configText = `version: 1
defaults: { schedule: { every: 1h } }
connectors:
  shop: { type: postgres, url: "${testEnv().databaseUrl}" }
monitors:
  - id: orders-hourly
    connector: shop
    check: { type: count, dataset: ${s}.orders, timestamp: created_at, uniqueId: order_id, bucket: 1h, settle: 10m }
    rules:
      - { anomaly: { sensitivity: 3, training: 14d, minHistory: 4 }, direction: drop, severity: critical }
`;
    configFile = `${testEnv().root}/${s}.yaml`;
    writeFileSync(configFile, configText);
    monitor = parseConfig(configText, 'backtest.yaml', { env: {} }).monitors[0]!;

    // The worker has nothing to do until a test starts a monitor run.
    fixture = await startWorkerWithStore('btstore');
    ({ store, worker, client } = fixture);
    // A week of earlier hourly runs: the history a live run's baseline reads.
    for (let h = 7 * 24; h >= 1; h--) {
      const observedAt = new Date(FIRST_LIVE_BUCKET - h * HOUR).toISOString();
      await store.recordRun({
        monitorId: monitor.id,
        runId: `seed-${h}`,
        verdict: { status: 'ok', value: 1000 + (h % 7) * 10, unit: 'records', reason: 'seeded', observedAt },
        flap: monitor.flap,
      });
    }
  });

  afterAll(async () => {
    await fixture?.close();
    await schema.drop();
  });

  it('gives the live verdict at every live moment', async () => {
    const live: MonitorRunResult[] = [];
    for (let k = 0; k < LIVE.length; k++) {
      // The tick that judges bucket k (settled 10 minutes after its end).
      const tick = new Date(FIRST_LIVE_BUCKET + (k + 1) * HOUR + 10 * 60_000);
      live.push(
        (await client.workflow.execute(monitorWorkflow, {
          args: [monitor],
          taskQueue: worker.settings.taskQueue,
          workflowId: uniqueName('bt-live'),
          searchAttributes: { TemporalScheduledStartTime: [tick] },
        })) as MonitorRunResult,
      );
    }
    expect(live.map((r) => r.status)).toEqual(['ok', 'critical', 'ok']);

    const r = await runCli(
      [
        'backtest',
        monitor.id,
        '--from',
        new Date(FIRST_LIVE_BUCKET).toISOString(),
        '--to',
        new Date(FIRST_LIVE_BUCKET + LIVE.length * HOUR).toISOString(),
        '--json',
        '-c',
        configFile,
      ],
      { DATABASE_URL: testEnv().databaseUrl, PIPEWATCH_STORE_SCHEMA: fixture.storeSchema },
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as {
      points: number;
      warmup: number;
      steps: Array<{ observedAt: string; status: string; reason: string }>;
    };
    expect(out.points).toBe(LIVE.length);
    expect(out.warmup).toBe(7 * 24);
    expect(out.steps.map((s) => [s.observedAt, s.status])).toEqual(
      LIVE.map((_, k) => [new Date(FIRST_LIVE_BUCKET + k * HOUR).toISOString(), live[k]!.status]),
    );
    expect(out.steps.map((s) => s.reason)).toEqual(live.map((l) => l.reason));

    // What it did before: only the range's own points, so no history to judge the drop by.
    const inRange = (
      await store.pointsBetween(
        monitor.id,
        new Date(FIRST_LIVE_BUCKET),
        new Date(FIRST_LIVE_BUCKET + LIVE.length * HOUR),
      )
    ).map((p) => ({
      observedAt: p.observedAt,
      value: p.value,
    }));
    const cold = backtest(monitor.rules, monitor.flap, inRange, {
      unit: monitor.unit,
      toleranceMs: toleranceMs(monitor),
      timeZone: 'UTC',
      describe: describeCheck(monitor),
    });
    expect(cold.steps.map((s) => s.status)).toEqual(['learning', 'learning', 'learning']);
  });
});
