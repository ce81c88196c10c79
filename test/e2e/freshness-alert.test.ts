// End to end, the way an operator runs pipewatch: a YAML file, `pipewatch
// schedules sync`, `pipewatch worker` processes, a real Temporal dev server,
// real PostgreSQL and a real SMTP server. A freshness monitor on a short
// interval must send exactly one alert when the data goes stale and exactly
// one resolved message when it is fresh again — also when the worker is killed
// while the alert is being sent, and when the SMTP server is down for a while.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryStore } from '../../store/history.js';
import { scheduleId } from '../../evaluation/ids.js';
import { runCli, spawnWorker, type WorkerProcess } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import { SmtpReceiver } from '../support/smtp.js';
import { testClient } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';

describe('a freshness monitor, end to end', () => {
  const env = testEnv();
  const monitorId = uniqueName('fresh').toLowerCase().replace(/_/g, '-');
  const project = uniqueName('e2e').toLowerCase().replace(/_/g, '-');
  let schema: TestSchema;
  let smtp: SmtpReceiver;
  let store: HistoryStore;
  let worker: WorkerProcess | undefined;
  let feeding = false;
  let feeder: NodeJS.Timeout;
  let processEnv: NodeJS.ProcessEnv;
  let configFile: string;
  const logFile = join(env.root, `${monitorId}-worker.log`);

  const FIRING = new RegExp(`FIRING CRITICAL: ${monitorId}`);
  const RESOLVED = new RegExp(`RESOLVED: ${monitorId}`);

  beforeAll(async () => {
    schema = await createTestSchema('e2e');
    await schema.pool.query(
      `CREATE TABLE "${schema.name}".records (id serial, stored_at timestamptz NOT NULL DEFAULT now())`,
    );
    smtp = await SmtpReceiver.start();
    processEnv = {
      TEMPORAL_ADDRESS: env.temporalAddress,
      PIPEWATCH_TASK_QUEUE: uniqueName('e2e-tq'),
      DATABASE_URL: env.databaseUrl,
      PIPEWATCH_STORE_SCHEMA: `${schema.name}_store`,
      LAKE_DATABASE_URL: env.databaseUrl,
    };
    store = await HistoryStore.open({ url: env.databaseUrl, schema: `${schema.name}_store` });
    configFile = join(env.root, `${monitorId}.yaml`);
    writeFileSync(
      configFile,
      `version: 1
project: ${project}
notifications:
  retry: { initialInterval: 1s, maximumInterval: 2s }
  timeout: 4s
routing:
  groupWait: 0s
defaults:
  notify: [oncall]
connectors:
  lake:
    type: postgres
    url: \${LAKE_DATABASE_URL}
    connectTimeout: 2s
    statementTimeout: 2s
channels:
  oncall:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port} }
    from: pipewatch@example.test
    to: [oncall@example.test]
monitors:
  - id: ${monitorId}
    description: newest record in the lake
    pipeline: e2e
    connector: lake
    schedule: { every: 2s }
    check: { type: freshness, dataset: ${schema.name}.records, timestamp: stored_at }
    rules:
      - above: 5s
        severity: critical
    flap: { failAfter: 2, resolveAfter: 2 }
`,
    );
    feeder = setInterval(() => {
      if (feeding) void schema.pool.query(`INSERT INTO "${schema.name}".records DEFAULT VALUES`).catch(() => undefined);
    }, 500);
  });

  afterAll(async () => {
    clearInterval(feeder);
    await worker?.kill('SIGKILL');
    const client = await testClient();
    await client.schedule
      .getHandle(scheduleId(monitorId))
      .delete()
      .catch(() => undefined);
    await client.workflow
      .getHandle(`pipewatch-incident/default/monitor=${monitorId}`)
      .terminate('test over')
      .catch(() => undefined);
    await client.connection.close();
    await smtp.stop();
    await store.close();
    await schema.pool.query(`DROP SCHEMA IF EXISTS "${schema.name}_store" CASCADE`);
    await schema.drop();
  });

  const healthyRuns = async (n: number) =>
    waitFor(
      async () => {
        const points = await store.recentPoints(monitorId, n);
        return points.length === n && points.every((p) => p.status === 'ok');
      },
      `${n} healthy runs in a row`,
      60_000,
    );

  const firingAttempts = async () =>
    (await store.notifications(`pipewatch-incident/default/monitor=${monitorId}`))
      .filter((n) => n.kind === 'firing')
      .map((n) => n.attempts);

  it('syncs the schedule with the CLI and starts a worker', async () => {
    const dry = await runCli(['schedules', 'sync', '--dry-run', '-c', configFile], processEnv);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`+ create ${scheduleId(monitorId)}`);
    const sync = await runCli(['schedules', 'sync', '-c', configFile], processEnv);
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(`done: create ${scheduleId(monitorId)}`);

    feeding = true;
    worker = await spawnWorker(processEnv, logFile, env.bundlePath);
    await healthyRuns(2);
    expect(smtp.messages).toHaveLength(0);
  });

  it('sends exactly one alert when data goes stale, even if the worker is killed mid-send', async () => {
    smtp.hold();
    feeding = false;
    await smtp.waitForHeld(60_000); // the alert is on the wire
    await worker!.kill('SIGKILL');
    await sleep(500);
    smtp.release(); // the killed sender never gets its reply: that message does not count
    expect(smtp.matching(FIRING)).toHaveLength(0);

    worker = await spawnWorker(processEnv, logFile, env.bundlePath);
    const [alert] = await smtp.waitForCount(FIRING, 1, 60_000);
    expect(alert!.text).toContain('newest record in the lake');
    // The alert was attempted twice (the kill interrupted the first) and delivered once.
    expect((await firingAttempts())[0]).toBeGreaterThanOrEqual(2);
  });

  it('sends exactly one resolved message when data is fresh again', async () => {
    feeding = true;
    await smtp.waitForCount(RESOLVED, 1, 60_000);
    await sleep(6_000); // three more ticks: nothing else may arrive
    expect(smtp.matching(FIRING)).toHaveLength(1);
    expect(smtp.matching(RESOLVED)).toHaveLength(1);
  });

  it('delivers the alert after an SMTP outage, once', async () => {
    await smtp.stop();
    feeding = false;
    // The send fails and is retried while the server is down.
    await waitFor(
      async () => (await firingAttempts()).length === 2 && (await firingAttempts())[1]! >= 3,
      'two failed attempts at the second alert',
      60_000,
    );
    expect(smtp.matching(FIRING)).toHaveLength(1);

    await smtp.listen();
    await smtp.waitForCount(FIRING, 2, 60_000);
    feeding = true;
    await smtp.waitForCount(RESOLVED, 2, 60_000);
    await sleep(6_000);
    expect(smtp.matching(FIRING)).toHaveLength(2);
    expect(smtp.matching(RESOLVED)).toHaveLength(2);
    expect(
      (await store.notifications(`pipewatch-incident/default/monitor=${monitorId}`)).every((n) => n.state === 'sent'),
    ).toBe(true);
  });
});
