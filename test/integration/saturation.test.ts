// Saturation is never silent (issue 20), on the shared dev server with a real worker, PostgreSQL and SMTP:
// three monitors on schedules of their own every second, each check taking 3 s (a slow query), so the
// scheduler skips about two ticks in three (overlap SKIP) — what a saturated server looks like to a schedule.
// The built-in self-monitor, synced with them, must alert by email with the figures; doctor must report
// them; and once the worker stops, doctor must say so within seconds instead of "all good".
import type { Client } from '@temporalio/client';
import { parseConfig, type LoadedConfig } from '../../config/load.js';
import { selfMonitorId, withSelfMonitors } from '../../config/self-monitor.js';
import { judgeSchedules, judgeWorkers } from '../../cli/doctor-checks.js';
import type { HistoryStore } from '../../store/history.js';
import { applyPlan, planFor } from '../../schedules/sync.js';
import { groupScheduleId, scheduleId } from '../../evaluation/ids.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { VERSION } from '../../workflows/search-attributes.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import { SmtpReceiver } from '../support/smtp.js';
import type { RunningWorker } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

describe('saturation → alert', () => {
  let schema: TestSchema;
  let store: HistoryStore;
  let smtp: SmtpReceiver;
  let worker: RunningWorker | undefined;
  let client: Client;
  let fixture: WorkerWithStore;
  let config: LoadedConfig;
  let target: Parameters<typeof planFor>[0];
  let yaml: string;
  const project = uniqueName('saturated').toLowerCase().replace(/_/g, '-');
  const SELF_MONITOR_ID = selfMonitorId(project);
  const previousAddress = process.env.TEMPORAL_ADDRESS;
  const previousQueue = process.env.PIPEWATCH_TASK_QUEUE;

  beforeAll(async () => {
    schema = await createTestSchema('saturation');
    smtp = await SmtpReceiver.start();
    fixture = await startWorkerWithStore('saturationstore', { ...process.env, LAKE_URL: testEnv().databaseUrl });
    ({ store, worker, client } = fixture);
    // The self-monitor's temporal connector reaches Temporal with the worker's own TEMPORAL_* settings.
    process.env.TEMPORAL_ADDRESS = testEnv().temporalAddress;
    process.env.PIPEWATCH_TASK_QUEUE = fixture.worker.settings.taskQueue;
    const slow = (i: number) =>
      `  - { id: slow-${i}, connector: lake, check: { type: sql, query: "SELECT 1 FROM pg_sleep(3)" }, rules: [{ below: 0 }], schedule: { every: 1s, own: true } }`;
    // Two quick monitors in a cadence group, for `pipewatch runs` on a member.
    const quick = (i: number) =>
      `  - { id: ${project}-quick-${i}, connector: lake, check: { type: sql, query: "SELECT 1" }, rules: [{ below: 0 }], schedule: { every: 2s } }`;
    yaml = `version: 1
project: ${project}
cadenceGroups: { size: 2 }
selfMonitor: { every: 2s, window: 20s, lateAfter: 5s }
defaults: { schedule: { every: 1s }, flap: { failAfter: 1, resolveAfter: 1 }, notify: [mail] }
routing: { groupWait: 0s }
notifications: { retry: { initialInterval: 1s, maximumInterval: 2s }, timeout: 10s }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}", statementTimeout: 10s, connectTimeout: 2s }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port} }, from: pw@example.test, to: [ops@example.test] }
monitors:
${[1, 2, 3].map(slow).join('\n')}
${[1, 2].map(quick).join('\n')}
`;
    config = parseConfig(yaml, 'saturation.yaml', { env: false });
    target = { client, taskQueue: fixture.worker.settings.taskQueue, project };
  });

  afterAll(async () => {
    if (target) await applyPlan(target, await planFor(target, [], [])).catch(() => undefined);
    // Stops the worker unless a test already did.
    await fixture?.close();
    await smtp?.stop();
    await schema?.drop();
    process.env.TEMPORAL_ADDRESS = previousAddress;
    process.env.PIPEWATCH_TASK_QUEUE = previousQueue;
    if (previousAddress === undefined) delete process.env.TEMPORAL_ADDRESS;
    if (previousQueue === undefined) delete process.env.PIPEWATCH_TASK_QUEUE;
  });

  it('syncs the self-monitor with the monitors, alerts by email with the figures, and doctor reports them', async () => {
    const plan = await planFor(target, withSelfMonitors(config), config.groups);
    expect(config.groups.map((g) => g.monitors.length)).toEqual([2]);
    expect(plan.steps.map((s) => s.scheduleId).sort()).toEqual(
      [
        scheduleId('slow-1'),
        scheduleId('slow-2'),
        scheduleId('slow-3'),
        scheduleId(SELF_MONITOR_ID),
        groupScheduleId(config.groups[0]!.id),
      ].sort(),
    );
    await applyPlan(target, plan);
    // Each schedule carries the version it runs, so the next sync reads versions from the list (no describe each).
    const versions = new Map(
      [...config.monitors.filter((m) => m.id.startsWith('slow-')), ...config.selfMonitors!].map((m) => [
        scheduleId(m.id),
        m.version,
      ]),
    );
    await waitFor(
      async () => {
        const listed = new Map<string, unknown>();
        for await (const s of client.schedule.list())
          if (versions.has(s.scheduleId)) listed.set(s.scheduleId, s.typedSearchAttributes?.get(VERSION));
        return [...versions].every(([id, v]) => listed.get(id) === v) || undefined;
      },
      'schedules listed with PipewatchVersion',
      15_000,
    );
    expect(
      (await planFor(target, withSelfMonitors(config), config.groups)).steps.every((s) => s.action === 'unchanged'),
    ).toBe(true);

    // The first self-check samples the counters; a later one sees them grow and fires at once (failAfter 1).
    const [mail] = await smtp.waitForCount(new RegExp(SELF_MONITOR_ID), 1, 45_000);
    expect(mail!.subject).toMatch(/FIRING/);
    expect(mail!.text).toMatch(/tick\(s\) skipped \(previous run still open\)/);
    expect(mail!.text).toMatch(new RegExp(`${scheduleId('slow-')}\\d: \\d+ skipped`));

    const state = await store.monitorState(SELF_MONITOR_ID);
    expect(state?.status).toBe('critical');
    const [point] = await store.recentPoints(SELF_MONITOR_ID, 1);
    expect(point!.value).toBeGreaterThan(0);

    // doctor: the same figures, not ok. Its counter samples are the self-monitor's own.
    const doctorSays = await judgeSchedules(client, config, { store, taskQueue: target.taskQueue });
    expect(doctorSays.ok).toBe(false);
    expect(doctorSays.message).toMatch(/^last 20s: 5 schedule\(s\): [1-9]\d* tick\(s\) skipped/);
    expect(doctorSays.message).toContain('cannot keep up');
    expect(doctorSays.message).toMatch(/pick-up lag \d+\.\d\d s/);
  }, 90_000);

  it("pipewatch runs finds a group member's runs and their verdicts in one step", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-runs-'));
    const file = join(dir, 'pipewatch.yaml');
    writeFileSync(file, yaml);
    const member = `${project}-quick-1`;
    const env = {
      TEMPORAL_ADDRESS: testEnv().temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      DATABASE_URL: testEnv().databaseUrl,
      PIPEWATCH_STORE_SCHEMA: fixture.storeSchema,
      LAKE_URL: testEnv().databaseUrl,
      PIPEWATCH_TEMPORAL_UI_URL: 'http://ui.test:8233',
    };
    try {
      // Visibility lists a run moments after it closes.
      const r = await waitFor(
        async () => {
          const out = await runCli(['runs', member, '-c', file, '--json', '-n', '3'], env);
          const doc =
            out.code === 0
              ? (JSON.parse(out.stdout) as {
                  runs: Array<{ workflowId: string; verdict?: { status: string } }>;
                  query: string;
                  group?: { id: string };
                  webUi: string;
                })
              : undefined;
          return doc && doc.runs.some((run) => run.verdict) ? doc : undefined;
        },
        'a run of the member with its verdict',
        30_000,
        1_000,
      );
      expect(r.group?.id).toBe(config.groups[0]!.id);
      expect(r.query).toBe(
        `(WorkflowType = "monitorGroupWorkflow" AND PipewatchMembers = "${member}") OR (WorkflowType = "monitorWorkflow" AND PipewatchMonitor = "${member}")`,
      );
      expect(r.webUi).toBe(`http://ui.test:8233/namespaces/default/workflows?query=${encodeURIComponent(r.query)}`);
      for (const run of r.runs)
        expect(run.workflowId.startsWith(`${groupScheduleId(config.groups[0]!.id)}-`)).toBe(true);
      expect(r.runs.find((run) => run.verdict)!.verdict!.status).toBe('ok');
      // A monitor of its own, with an open incident that carries PipewatchMonitor too: only its runs are listed.
      const self = await runCli(['runs', SELF_MONITOR_ID, '-c', file, '--json'], env);
      const selfRuns = (
        JSON.parse(self.stdout) as { runs: Array<{ workflowId: string; verdict?: { status: string } }> }
      ).runs;
      expect(selfRuns.length).toBeGreaterThan(0);
      for (const run of selfRuns) expect(run.workflowId.startsWith(`${scheduleId(SELF_MONITOR_ID)}-`)).toBe(true);
      expect(selfRuns.some((run) => run.verdict?.status === 'critical')).toBe(true);
      const text = await runCli(['runs', member, '-c', file, '-n', '2'], env);
      expect(text.stdout).toContain(
        `${member} runs in cadence group ${config.groups[0]!.id} (2 monitors, schedule ${groupScheduleId(config.groups[0]!.id)})`,
      );
      expect(text.stdout).toMatch(/latest: (ok: |running|completed)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('doctor says the worker stopped within seconds, not "all good" for a minute', async () => {
    const alive = await judgeWorkers(client, { namespace: 'default', taskQueue: target.taskQueue });
    expect(alive.ok).toBe(true);
    await worker!.stop();
    worker = undefined;
    const stoppedAt = Date.now();
    // Ticks every second keep arriving; no one takes them.
    const dead = await waitFor(
      async () => {
        const j = await judgeWorkers(client, { namespace: 'default', taskQueue: target.taskQueue });
        return j.ok ? undefined : j;
      },
      'doctor to see the worker gone',
      40_000,
      1_000,
    );
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);
    process.stdout.write(
      `doctor after the worker stopped (${Math.round((Date.now() - stoppedAt) / 1000)} s): ${dead.message}\n`,
    );
    expect(dead.message).toMatch(
      /no worker has polled task queue .* while \d+ task\(s\) wait|no worker answered a query/,
    );
  }, 60_000);
});
