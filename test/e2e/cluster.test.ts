// pipewatch on the topology its users run when they outgrow one machine: the
// Temporal server as four processes (frontend, history, matching, worker) on
// PostgreSQL with SQL visibility, four history shards and mutual TLS on the
// frontend (test/support/temporal-cluster.ts), two `pipewatch worker`
// processes, `pipewatch setup` and `schedules sync` through the CLI. During an
// open incident and an open intervention one worker is SIGKILLed mid-send (the
// other takes the send over within 10 s, measured), the history service and
// then the matching service are killed and started again, and the workers are
// replaced one by one with a graceful shutdown; last, a worker is killed in the
// middle of a check (taken over after the workflow task timeout, measured).
// Every alert, resolved message and question arrives exactly once; no workflow
// is left stuck; the schedules keep firing; the temporal CLI reads the runs
// through pipewatch's codec server.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Client } from '@temporalio/client';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import { HistoryStore } from '../../store/history.js';
import { dataConverter } from '../../workers/codec.js';
import { interventionIdFor, type ArchiveIngestResult } from '../../workflows/archive.js';
import { interventionQuery } from '../../workflows/intervention.js';
import { scheduleId } from '../../evaluation/ids.js';
import { HEARTBEAT_TIMEOUT_MS } from '../../workflows/heartbeats.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { portOpen } from '../../devserver/dev-server.js';
import { CLI, runCli, spawnWorker, type WorkerProcess } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import { SmtpReceiver } from '../support/smtp.js';
import { startTestCluster, type TestCluster } from '../support/temporal-cluster.js';
import { sleep, waitFor } from '../support/wait.js';

// Made at run time, like every test secret.
const PASSWORD = `cluster-pw-${randomBytes(8).toString('hex')}`;

/** The process holding a local TCP port (ss, as root), or undefined once it is gone. */
function pidOfClientPort(port: number): number | undefined {
  const out = spawnSync('ss', ['-tnpH', `sport = :${port}`], { encoding: 'utf8' }).stdout;
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

describe('pipewatch on a multi-service Temporal cluster (PostgreSQL, 4 shards, mTLS, two workers)', () => {
  const env = testEnv();
  const dir = mkdtempSync(join(env.root, 'cluster-e2e-'));
  const a = uniqueName('ca').toLowerCase().replace(/_/g, '-');
  const b = uniqueName('cb').toLowerCase().replace(/_/g, '-');
  /** A monitor whose check the test blocks (a locked table) to kill the worker running it. */
  const c = uniqueName('cc').toLowerCase().replace(/_/g, '-');
  let tc: TestCluster;
  let client: Client;
  let schema: TestSchema;
  let smtp: SmtpReceiver;
  let store: HistoryStore;
  let workerEnv: NodeJS.ProcessEnv;
  let configFile: string;
  const workers: WorkerProcess[] = [];
  const feeding: Record<string, boolean> = { [a]: true, [b]: true };
  let feeder: NodeJS.Timeout;
  const logFile = join(dir, 'workers.log');
  const measured: Record<string, number> = {};
  /** The archive flow whose password question stays open through the kills and restarts. */
  let archiveWorkflowId = '';
  let questionId = '';

  const QUESTION = /needs an operator: password for/;
  const FIRING = (id: string) => new RegExp(`FIRING CRITICAL: ${id}`);
  const RESOLVED = (id: string) => new RegExp(`RESOLVED: ${id}`);
  const incidentId = (id: string) => `pipewatch-incident/oncall/monitor=${id}`;
  const table = (id: string) => `t_${id.replace(/-/g, '_')}`;
  const live = () => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);

  beforeAll(async () => {
    tc = await startTestCluster({ searchAttributes: false });
    client = new Client({
      connection: await tc.connect(),
      namespace: tc.cluster.namespace,
      dataConverter: dataConverter(),
    });
    schema = await createTestSchema('cluster');
    for (const id of [a, b, c])
      await schema.pool.query(
        `CREATE TABLE "${schema.name}".${table(id)} (stored_at timestamptz NOT NULL DEFAULT now())`,
      );
    await schema.pool.query(`INSERT INTO "${schema.name}".${table(c)} DEFAULT VALUES`);
    smtp = await SmtpReceiver.start();
    workerEnv = {
      ...tc.env,
      PIPEWATCH_TASK_QUEUE: uniqueName('cluster-tq'),
      DATABASE_URL: env.databaseUrl,
      PIPEWATCH_STORE_SCHEMA: `${schema.name}_store`,
      LAKE_DATABASE_URL: env.databaseUrl,
    };
    store = await HistoryStore.open({ url: env.databaseUrl, schema: `${schema.name}_store` });
    const monitor = (id: string) => `  - id: ${id}
    description: newest row of ${id}
    pipeline: cluster
    connector: lake
    schedule: { every: 2s }
    check: { type: freshness, dataset: ${schema.name}.${table(id)}, timestamp: stored_at }
    rules: [{ above: 5s, severity: critical }]
    flap: { failAfter: 2, resolveAfter: 2 }
`;
    configFile = join(dir, 'pipewatch.yaml');
    // The default send timeout (60 s): a takeover must not wait for it.
    writeFileSync(
      configFile,
      `version: 1
project: ${uniqueName('cl').toLowerCase().replace(/_/g, '-')}
notifications:
  retry: { initialInterval: 1s, maximumInterval: 2s }
# A schedule per monitor (three monitors every 2 s would otherwise run as one cadence group).
cadenceGroups: false
routing: { receiver: oncall, groupWait: 0s }
receivers: { oncall: { notify: [mail] } }
interventions: { remindEvery: 1h, deadline: 1h, defaultAction: abort }
connectors:
  lake: { type: postgres, url: "\${LAKE_DATABASE_URL}", connectTimeout: 2s, statementTimeout: 2s }
  patient: { type: postgres, url: "\${LAKE_DATABASE_URL}", connectTimeout: 2s, statementTimeout: 60s }
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port} }
    from: pipewatch@example.test
    to: [oncall@example.test]
monitors:
${monitor(a)}${monitor(b)}  - id: ${c}
    description: a check that waits for a lock
    pipeline: cluster
    connector: patient
    schedule: { every: 2s }
    check: { type: freshness, dataset: ${schema.name}.${table(c)}, timestamp: stored_at }
    rules: [{ above: 1h, severity: critical }]
    flap: { failAfter: 10, resolveAfter: 2 }
`,
    );
    feeder = setInterval(() => {
      for (const id of [a, b])
        if (feeding[id])
          void schema.pool.query(`INSERT INTO "${schema.name}".${table(id)} DEFAULT VALUES`).catch(() => undefined);
    }, 500);
  }, 300_000);

  afterAll(async () => {
    clearInterval(feeder);
    for (const w of workers) await w.kill('SIGKILL');
    await client?.connection.close().catch(() => undefined);
    await smtp?.stop();
    await store?.close();
    await schema?.pool.query(`DROP SCHEMA IF EXISTS "${schema.name}_store" CASCADE`);
    await schema?.drop();
    await tc?.stop();
    if (Object.keys(measured).length) process.stderr.write(`cluster e2e measurements: ${JSON.stringify(measured)}\n`);
  });

  const healthy = (id: string, n: number) =>
    waitFor(
      async () => {
        const points = await store.recentPoints(id, n);
        return points.length === n && points.every((p) => p.status === 'ok');
      },
      `${n} healthy runs of ${id}`,
      90_000,
    );

  it('registers the search attributes with pipewatch setup, syncs the schedules and runs two workers', async () => {
    const setup = await runCli(['setup'], workerEnv);
    expect(setup.stderr).toBe('');
    expect(setup.stdout).toBe(`registered ${SEARCH_ATTRIBUTES.map((k) => k.name).join(', ')} in namespace default\n`);
    const again = await runCli(['setup'], workerEnv);
    expect(again.stdout).toContain(`already has all ${SEARCH_ATTRIBUTES.length} pipewatch search attributes`);

    const sync = await runCli(['schedules', 'sync', '-c', configFile], workerEnv);
    expect(sync.stderr).toBe('');
    expect(sync.stdout).toContain(`done: create ${scheduleId(a)}`);
    workers.push(
      await spawnWorker(workerEnv, logFile, env.bundlePath),
      await spawnWorker(workerEnv, logFile, env.bundlePath),
    );
    await Promise.all([healthy(a, 2), healthy(b, 2)]);
    expect(smtp.messages).toHaveLength(0);
  }, 240_000);

  it('hands a send cut off by a killed worker to the other worker within 10 s', async () => {
    // An open intervention: an archive no known password opens asks the operators.
    const writer = new ZipWriter(new Uint8ArrayWriter(), { password: PASSWORD, encryptionStrength: 3 });
    await writer.add('rows.csv', new Uint8ArrayReader(new TextEncoder().encode('id\n1\n2\n')));
    const zip = join(dir, 'drop.zip');
    writeFileSync(zip, await writer.close());
    const ingest = await runCli(
      ['archive', 'ingest', zip, '--dest', join(dir, 'out'), '--pipeline', 'cluster', '-c', configFile],
      workerEnv,
    );
    expect(ingest.stderr).toBe('');
    archiveWorkflowId = /started (\S+)/.exec(ingest.stdout)![1]!;
    questionId = interventionIdFor(archiveWorkflowId);
    await waitFor(
      async () => (await client.workflow.getHandle(questionId).query(interventionQuery)).state === 'open',
      'the question',
      60_000,
    );
    await waitFor(() => smtp.messages.some((m) => QUESTION.test(m.subject)), 'the question by email', 60_000);

    // Then an incident, its alert held mid-send.
    smtp.hold();
    feeding[a] = false;
    await smtp.waitForHeld(90_000);
    // The worker holding the send, by the identity Temporal recorded for the activity (<pid>@<host>).
    const pending = await waitFor(
      async () => {
        const d = await client.workflow.getHandle(incidentId(a)).describe();
        return d.raw.pendingActivities?.find(
          (p) => p.activityType?.name === 'deliverNotification' && p.lastWorkerIdentity,
        );
      },
      'the pending send',
      30_000,
    );
    const pid = Number(String(pending.lastWorkerIdentity).split('@')[0]);
    const sender = live().find((w) => w.child.pid === pid);
    expect(sender).toBeDefined();
    const attempts = smtp.attempts;
    const killedAt = Date.now();
    await sender!.kill('SIGKILL');
    await waitFor(() => smtp.attempts > attempts, 'the other worker to start the send again', 60_000, 50);
    measured.takeoverMs = Date.now() - killedAt;
    smtp.release(); // the killed sender never gets its reply: its message does not count
    await smtp.waitForCount(FIRING(a), 1, 30_000);
    expect(measured.takeoverMs).toBeLessThan(10_000);
    // At least the heartbeat timeout: the server, not a lucky poll, noticed the dead worker.
    expect(measured.takeoverMs).toBeGreaterThanOrEqual(HEARTBEAT_TIMEOUT_MS - 4_000);
    workers.push(await spawnWorker(workerEnv, logFile, env.bundlePath));
  }, 180_000);

  it('keeps incidents, an intervention and schedules whole across history and matching restarts', async () => {
    // A second incident opening while the services restart.
    feeding[b] = false;
    const restartedAt = new Date();
    await tc.cluster.restart('history', { kill: true });
    await tc.ready();
    await smtp.waitForCount(FIRING(b), 1, 90_000);
    await tc.cluster.restart('matching', { kill: true });
    await tc.ready();

    feeding[a] = true;
    feeding[b] = true;
    await smtp.waitForCount(RESOLVED(a), 1, 90_000);
    await smtp.waitForCount(RESOLVED(b), 1, 90_000);

    const answered = await runCli(
      ['intervene', 'respond', questionId, '--answer', 'provide', '--by', 'alice'],
      workerEnv,
      120_000,
      `${PASSWORD}\n`,
    );
    expect(answered.stderr).toBe('');
    expect(answered.stdout).toMatch(/^accepted: provide by alice/);
    const result = (await client.workflow.getHandle(archiveWorkflowId).result()) as ArchiveIngestResult;
    expect(result).toMatchObject({ status: 'extracted', files: 1, openedBy: 'alice' });
    expect(readdirSync(join(dir, 'out'))).toEqual(['rows.csv']);

    // The schedules fired after both restarts.
    for (const id of [a, b]) {
      const d = await client.schedule.getHandle(scheduleId(id)).describe();
      const after = d.info.recentActions.filter((x) => x.takenAt > new Date(restartedAt.getTime() + 10_000));
      expect(after.length).toBeGreaterThan(0);
    }
  }, 420_000);

  it('loses nothing in a rolling worker upgrade (new workers started, old ones shut down gracefully)', async () => {
    const old = live();
    workers.push(
      await spawnWorker(workerEnv, logFile, env.bundlePath),
      await spawnWorker(workerEnv, logFile, env.bundlePath),
    );
    feeding[a] = false;
    for (const w of old) {
      await w.kill('SIGTERM');
      expect(w.child.exitCode).toBe(0);
    }
    await smtp.waitForCount(FIRING(a), 2, 90_000);
    feeding[a] = true;
    await smtp.waitForCount(RESOLVED(a), 2, 90_000);
  }, 240_000);

  it('hands a check cut off by a killed worker to the other worker (a local activity: after the workflow task timeout)', async () => {
    // The check's query waits on a lock the test holds; PostgreSQL says which connection waits, the
    // connection's port says which worker process it belongs to.
    const locker = await schema.pool.connect();
    const blocked = async () =>
      (
        await schema.pool.query(
          `SELECT client_port FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
          [`%${table(c)}%`],
        )
      ).rows.map((r: { client_port: number }) => pidOfClientPort(r.client_port));
    const runsBefore = (await store.recentPoints(c, 10_000)).length;
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema.name}".${table(c)} IN ACCESS EXCLUSIVE MODE`);
      const [pid] = await waitFor(
        async () => ((await blocked()).length ? blocked() : undefined),
        'a check waiting on the locked table',
        60_000,
      );
      const checker = live().find((w) => w.child.pid === pid);
      expect(checker).toBeDefined();
      const others = live()
        .filter((w) => w !== checker)
        .map((w) => w.child.pid);
      const killedAt = Date.now();
      await checker!.kill('SIGKILL');
      await waitFor(
        async () => (await blocked()).some((p) => others.includes(p)),
        'the other worker to run the check again',
        60_000,
        100,
      );
      measured.checkTakeoverMs = Date.now() - killedAt;
    } finally {
      await locker.query('COMMIT').catch(() => undefined);
      locker.release();
    }
    // Bounded by the runs' workflow task timeout (5 s) plus one poll: the check is a local activity inside it.
    expect(measured.checkTakeoverMs).toBeLessThan(10_000);
    // At least most of that timeout: the server, not a lucky poll, noticed the dead worker.
    expect(measured.checkTakeoverMs).toBeGreaterThanOrEqual(4_000);
    // The cut-off run completes on the other worker once the lock is gone.
    await waitFor(
      async () => {
        const points = await store.recentPoints(c, 10_000);
        return points.length > runsBefore && points[0]!.status === 'ok';
      },
      `a run of ${c} recorded after the lock`,
      60_000,
    );
    workers.push(await spawnWorker(workerEnv, logFile, env.bundlePath));
  }, 180_000);

  it('sent every message exactly once and left no workflow stuck', async () => {
    await sleep(6_000); // three more ticks: nothing else may arrive
    expect(smtp.matching(FIRING(a))).toHaveLength(2);
    expect(smtp.matching(RESOLVED(a))).toHaveLength(2);
    expect(smtp.matching(FIRING(b))).toHaveLength(1);
    expect(smtp.matching(RESOLVED(b))).toHaveLength(1);
    expect(smtp.matching(QUESTION)).toHaveLength(1);
    // Nothing else was sent twice (a's two alerts and resolutions are two incidents, counted above).
    const others = smtp.messages.map((m) => m.subject).filter((s) => !FIRING(a).test(s) && !RESOLVED(a).test(s));
    expect(others).toEqual([...new Set(others)]);
    expect((await store.notifications()).every((n) => n.state === 'sent')).toBe(true);

    // Running workflows (incidents waiting out their reopen window, the silences workflow): none retrying a
    // workflow task or an activity over and over.
    const running: string[] = [];
    for await (const w of client.workflow.list({
      query: `TaskQueue = '${workerEnv.PIPEWATCH_TASK_QUEUE}' AND ExecutionStatus = 'Running'`,
    }))
      running.push(w.workflowId);
    for (const id of running) {
      const d = await client.workflow.getHandle(id).describe();
      expect({ id, attempts: (d.raw.pendingActivities ?? []).map((p) => p.attempt ?? 1).filter((n) => n > 3) }).toEqual(
        { id, attempts: [] },
      );
      expect({ id, task: (d.raw.pendingWorkflowTask?.attempt ?? 1) > 3 }).toEqual({ id, task: false });
    }

    // The temporal CLI sees the runs through the same mTLS settings pipewatch uses, and reads their encrypted
    // payloads through `pipewatch codec-server`.
    const temporalCli = (args: string[]) =>
      spawnSync(env.cli, args, { env: { ...process.env, ...tc.env }, encoding: 'utf8' });
    const listed = temporalCli(['workflow', 'list', '--query', `WorkflowId = '${incidentId(b)}'`, '-o', 'json']);
    expect(listed.stderr).toBe('');
    expect(listed.stdout).toContain(incidentId(b));
    const codecPort = await freePort();
    const codec = spawn(process.execPath, [CLI, 'codec-server', '--port', String(codecPort)], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: 'ignore',
    });
    try {
      await waitFor(() => portOpen(codecPort), 'pipewatch codec-server', 30_000);
      const sealed = temporalCli(['workflow', 'show', '--workflow-id', incidentId(b), '-o', 'json']);
      const shown = temporalCli([
        'workflow',
        'show',
        '--workflow-id',
        incidentId(b),
        '-o',
        'json',
        '--codec-endpoint',
        `http://127.0.0.1:${codecPort}`,
      ]);
      expect(shown.stderr).toBe('');
      // The alert signal carries the monitor's description: readable through the codec, encrypted without it.
      const payloadText = (json: string) =>
        [...json.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)]
          .map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'))
          .join('\n');
      expect(payloadText(shown.stdout)).toContain(`newest row of ${b}`);
      expect(sealed.stdout).toContain('"data": "'); // payloads are there…
      expect(payloadText(sealed.stdout)).not.toContain(`newest row of ${b}`); // …but sealed
    } finally {
      codec.kill('SIGTERM');
    }
    writeFileSync(join(dir, 'measurements.json'), JSON.stringify(measured));
  }, 120_000);
});
