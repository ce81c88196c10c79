// Watching the watcher: the heartbeat schedule pings an outside receiver while
// monitors run on time, pings its fail URL when a monitor's schedule was paused
// by mistake, and falls silent when the worker dies — which the receiver (the
// independent path) notices within two intervals. `pipewatch doctor` says the
// same from the command line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scheduleId } from '../../evaluation/ids.js';
import { runCli, spawnWorker, type WorkerProcess } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import { testClient } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';

describe("the heartbeat (dead-man's switch) and pipewatch doctor", () => {
  const env = testEnv();
  const project = uniqueName('wd').toLowerCase().replace(/_/g, '-');
  const monitorId = `${project}-fresh`;
  let schema: TestSchema;
  let receiver: HttpReceiver;
  let worker: WorkerProcess | undefined;
  let cliEnv: NodeJS.ProcessEnv;
  let configFile: string;
  let feeder: NodeJS.Timeout;
  const logFile = join(env.root, `${project}-worker.log`);

  beforeAll(async () => {
    schema = await createTestSchema('wd');
    await schema.pool.query(`CREATE TABLE "${schema.name}".records (stored_at timestamptz NOT NULL DEFAULT now())`);
    feeder = setInterval(
      () => void schema.pool.query(`INSERT INTO "${schema.name}".records DEFAULT VALUES`).catch(() => undefined),
      500,
    );
    receiver = await HttpReceiver.start();
    configFile = join(env.root, `${project}.yaml`);
    writeFileSync(
      configFile,
      `version: 1
project: ${project}
heartbeat: { url: "${receiver.url('/ok')}", failUrl: "${receiver.url('/fail')}", every: 2s, staleAfter: 2 }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}" }
monitors:
  - id: ${monitorId}
    connector: lake
    schedule: { every: 2s }
    check: { type: freshness, dataset: ${schema.name}.records, timestamp: stored_at }
    rules: [{ above: 1h, severity: critical }]
`,
    );
    cliEnv = {
      TEMPORAL_ADDRESS: env.temporalAddress,
      PIPEWATCH_TASK_QUEUE: uniqueName('wd-tq'),
      DATABASE_URL: env.databaseUrl,
      PIPEWATCH_STORE_SCHEMA: `${schema.name}_store`,
      LAKE_URL: env.databaseUrl,
    };
  });

  afterAll(async () => {
    clearInterval(feeder);
    await worker?.kill('SIGKILL');
    const client = await testClient();
    for (const id of [scheduleId(monitorId), `pipewatch-heartbeat/${project}`])
      await client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await client.connection.close();
    await receiver.stop();
    await schema.pool.query(`DROP SCHEMA IF EXISTS "${schema.name}_store" CASCADE`);
    await schema.drop();
  });

  const pings = (path: string) => receiver.accepted.filter((r) => r.path === path);

  it('pings while every monitor runs on time, and doctor finds nothing wrong', async () => {
    const sync = await runCli(['schedules', 'sync', '-c', configFile], cliEnv);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(`heartbeat: + create pipewatch-heartbeat/${project}`);
    worker = await spawnWorker(cliEnv, logFile, env.bundlePath);
    await waitFor(() => pings('/ok').length >= 2, 'two heartbeat pings', 30_000);
    expect(pings('/ok')[0]!.body).toMatchObject({ status: 'ok', project, monitors: 1 });

    const doctor = await runCli(['doctor', '-c', configFile], cliEnv);
    expect(doctor.stdout).toMatch(/✔ workers: 1 worker\(s\) polling task queue/);
    expect(doctor.stdout).toContain(`✔ monitor ${monitorId}: last run`);
    expect(doctor.stdout).toContain('all good');
    expect(doctor.code).toBe(0);
  });

  it('pings the fail URL, naming the monitor, when its schedule is paused by mistake', async () => {
    expect((await runCli(['schedules', 'pause', monitorId, '--reason', 'oops'], cliEnv)).code).toBe(0);
    const [fail] = await waitFor(
      () => (pings('/fail').length ? pings('/fail') : undefined),
      'a ping on the fail URL',
      30_000,
    );
    expect(fail!.body).toMatchObject({ status: 'stale' });
    expect(String((fail!.body.stale as string[])[0])).toContain(monitorId);

    const doctor = await runCli(['doctor', '-c', configFile], cliEnv);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`✖ monitor ${monitorId}: schedule paused: oops`);
    expect((await runCli(['schedules', 'unpause', monitorId], cliEnv)).code).toBe(0);
    const okBefore = pings('/ok').length;
    await waitFor(() => pings('/ok').length > okBefore, 'pings to return to ok', 30_000);
  });

  it('falls silent when the worker dies, so the receiver alerts within two intervals; doctor names the cause', async () => {
    await worker!.kill('SIGKILL');
    worker = undefined;
    const killedAt = Date.now();
    await sleep(1_000);
    const seen = receiver.accepted.length;
    await sleep(3 * 2_000); // three heartbeat intervals
    expect(receiver.accepted.slice(seen)).toEqual([]);
    expect(Date.now() - killedAt).toBeGreaterThan(2 * 2_000);

    const doctor = await runCli(['doctor', '-c', configFile], cliEnv);
    expect(doctor.code).toBe(1);
    // The server still lists a poller for about a minute after it died; the late runs show it at once.
    expect(doctor.stdout).toMatch(new RegExp(`✖ monitor ${monitorId}: last run \\d+s ago, expected every 2s`));

    worker = await spawnWorker(cliEnv, logFile, env.bundlePath);
    await waitFor(() => receiver.accepted.length > seen, 'pings to resume with the worker', 30_000);
  });
});
