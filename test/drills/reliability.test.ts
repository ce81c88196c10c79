// Crash and outage drills, each counting what was expected against what was
// delivered. pipewatch runs as an operator runs it — `pipewatch schedules
// sync`, `pipewatch worker` processes, its own Temporal dev server (so the
// drill can stop it), real PostgreSQL, a real SMTP server and a webhook
// receiver — while the drill breaks and heals the watched data and takes
// pieces away:
//
//   worker-sigkill   the worker SIGKILLed at random moments (seeded) while
//                    monitors run, incidents fire and resolve, and operators
//                    answer password questions of archive interventions
//   correlated       the same kills while the alerts of a correlated pipeline
//                    (issue 24) are joined: a cause with its symptom, and a
//                    symptom alone; every alert must be named — as a cause or
//                    downstream of one — on both channels, none lost by being
//                    attached to another
//   server-restart   the Temporal dev server stopped and started on the same
//                    database file at a random moment of an incident
//   source-down      the watched PostgreSQL unreachable during checks: the
//                    monitors must say "could not check", and recover
//   store-down       the history store's PostgreSQL unreachable while runs
//                    are recorded and notifications claimed
//   channels-down    the SMTP server and the webhook receiver down while an
//                    incident opens
//
// Every message is counted raw and by its idempotency key (the email
// Message-ID header, the webhook's idempotencyKey): lost = expected − unique;
// extra = unique − expected, a message sent twice under different keys, which
// no receiver could drop; repeats = raw − unique, a message sent again under
// the same key — the one window docs/OPERATIONS.md and docs/RELIABILITY.md name, a worker
// killed after the channel took a message and before the ledger recorded it.
// Only a worker kill can open that window, so only the kill drill may repeat,
// at most once per kill. The machine's PostgreSQL is shared, so "down"
// means unreachable: a TCP proxy in front of it resets every connection and
// refuses new ones.
//
// In `npm test` the drill is short (3 kills, 1 server restart). `npm run
// drills` runs the full drill (20 kills, 3 restarts) and rewrites the table
// in docs/RELIABILITY.md from the result (scripts/drills.mjs).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TextReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import pg from 'pg';
import { loadConfigFile } from '../../config/load.js';
import { startDevServer, type DevServer } from '../../devserver/dev-server.js';
import {
  archiveIngestWorkflow,
  interventionIdFor,
  type ArchiveIngestInput,
  type ArchiveIngestResult,
} from '../../workflows/archive.js';
import { interventionQuery, respondUpdate } from '../../workflows/intervention.js';
import { dataConverter } from '../../workers/codec.js';
import { runCli, spawnWorker, type WorkerProcess } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { freePort } from '../support/ports.js';
import { SmtpReceiver } from '../support/smtp.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { sleep, waitFor } from '../support/wait.js';
import { seededRandom } from '../support/random.js';

const KILLS = Number(process.env.PIPEWATCH_DRILL_KILLS ?? 3);
const RESTARTS = Number(process.env.PIPEWATCH_DRILL_RESTARTS ?? 1);
const SEED = Number(process.env.PIPEWATCH_DRILL_SEED ?? 20261126);
const OUT = process.env.PIPEWATCH_DRILL_OUT;
const PASSWORD = randomBytes(12).toString('base64url'); // typed by the drill's operator
/** How long a delivery may take before the drill counts it as lost. */
const DELIVERY_WAIT_MS = 120_000;

interface Delivered {
  channel: 'email' | 'webhook';
  kind: string;
  incident: string;
  key: string;
}

export interface DrillResult {
  drill: string;
  what: string;
  repetitions: number;
  expected: number;
  deliveredRaw: number;
  deliveredUnique: number;
  lost: number;
  extra: number;
  repeats: number;
  stuckWorkflows: number;
  notes: string[];
}

describe('crash and outage drills', () => {
  const env = testEnv();
  const dir = mkdtempSync(join(env.root, 'drills-'));
  const schema = uniqueName('drill').toLowerCase();
  const project = schema.replace(/_/g, '-');
  const monitors = [0, 1, 2].map((i) => `${project}-m${i}`);
  /** A correlated pipeline of two stages (tables t3 → t4), one freshness monitor on each: cause and symptom. */
  const correlated = { cause: `${project}-m3`, symptom: `${project}-m4` };
  const correlatedIncident = `pipewatch-incident/default/pipeline=drillc`;
  const rand = seededRandom(SEED);
  const results: DrillResult[] = [];
  let server: DevServer;
  let port: number;
  let client: Client;
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;
  let sourceProxy: TcpProxy;
  let storeProxy: TcpProxy;
  let admin: pg.Pool;
  let worker: WorkerProcess | undefined;
  let workerEnv: NodeJS.ProcessEnv;
  let configFile: string;
  let feeder: NodeJS.Timeout;
  const feeding = new Set<number>([0, 1, 2, 3, 4]);
  const logFile = join(dir, 'worker.log');
  const target = new URL(env.databaseUrl);
  const store = `${schema}_store`;

  const startServer = async () => {
    server = await startDevServer({ cli: env.cli, dataDir: join(dir, 'temporal'), port, uiPort: null });
    client = new Client({
      connection: await Connection.connect({ address: `127.0.0.1:${port}` }),
      dataConverter: dataConverter(),
    });
  };

  beforeAll(async () => {
    port = await freePort();
    await startServer();
    smtp = await SmtpReceiver.start();
    hooks = await HttpReceiver.start();
    sourceProxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    storeProxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    admin = new pg.Pool({ connectionString: env.databaseUrl, max: 2 });
    await admin.query(`CREATE SCHEMA "${schema}"`);
    for (let i = 0; i < monitors.length + 2; i++) {
      await admin.query(`CREATE TABLE "${schema}".t${i} (id bigserial, ts timestamptz NOT NULL DEFAULT now())`);
    }
    feeder = setInterval(() => {
      for (const i of feeding) void admin.query(`INSERT INTO "${schema}".t${i} DEFAULT VALUES`).catch(() => undefined);
    }, 500);
    const via = (proxy: TcpProxy) => {
      const u = new URL(env.databaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(proxy.port);
      return u.toString();
    };
    configFile = join(dir, 'pipewatch.yaml');
    writeFileSync(
      configFile,
      `version: 1
project: ${project}
# The drills count every message their own monitors cause. The built-in self-monitor would add its own alert
# when a drill makes ticks late (as it should); it has its own test (test/integration/saturation.test.ts).
selfMonitor: { enabled: false }
defaults:
  schedule: { every: 2s }
  flap: { failAfter: 2, resolveAfter: 2 }
  notify: [mail, hook]
notifications:
  retry: { initialInterval: 500ms, maximumInterval: 2s }
  timeout: 4s
incidents: { reopenWindow: 1s }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}", connectTimeout: 2s, statementTimeout: 2s }
  # The correlated pipeline's tables, reached directly: the source-down drill cuts only the proxy of "lake".
  lake-direct: { type: postgres, url: "\${LAKE_DIRECT_URL}", connectTimeout: 2s, statementTimeout: 2s }
routing:
  groupWait: 0s
  routes:
    # The correlated pipeline waits 3 s so a cause that opens a moment after its symptom leads the first message.
    - { matchers: ["pipeline = drillc"], groupWait: 3s }
pipelines:
  drillc:
    correlation: { window: 1m }
    stages:
      - { id: first, connector: lake-direct, dataset: ${schema}.t3, uniqueId: id, timestamp: ts }
      - { id: second, connector: lake-direct, dataset: ${schema}.t4, uniqueId: id, timestamp: ts }
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port} }
    from: pipewatch@example.test
    to: [oncall@example.test]
  hook: { type: webhook, url: "${hooks.url('/hook')}" }
monitors:
${monitors
  .map(
    (id, i) => `  - id: ${id}
    pipeline: drill
    connector: lake
    check: { type: freshness, dataset: ${schema}.t${i}, timestamp: ts }
    rules: [{ above: 4s, severity: critical }]
`,
  )
  .join('')}${[
        [correlated.cause, 3],
        [correlated.symptom, 4],
      ]
        .map(
          ([id, t]) => `  - id: ${id}
    pipeline: drillc
    connector: lake-direct
    check: { type: freshness, dataset: ${schema}.t${t}, timestamp: ts }
    rules: [{ above: 4s, severity: critical }]
`,
        )
        .join('')}`,
    );
    workerEnv = {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      PIPEWATCH_TASK_QUEUE: uniqueName('drill-tq'),
      DATABASE_URL: via(storeProxy),
      PIPEWATCH_STORE_SCHEMA: store,
      LAKE_URL: via(sourceProxy),
      LAKE_DIRECT_URL: env.databaseUrl,
    };
    const sync = await runCli(['schedules', 'sync', '-c', configFile], workerEnv);
    expect(sync.code).toBe(0);
    worker = await spawnWorker(workerEnv, logFile, env.bundlePath);
  }, 180_000);

  afterAll(async () => {
    clearInterval(feeder);
    await worker?.kill('SIGKILL');
    await client?.connection.close().catch(() => undefined);
    await server?.stop();
    await smtp?.stop();
    await hooks?.stop();
    await sourceProxy?.stop();
    await storeProxy?.stop();
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin?.query(`DROP SCHEMA IF EXISTS "${store}" CASCADE`).catch(() => undefined);
    await admin?.end();
    if (OUT)
      writeFileSync(
        OUT,
        `${JSON.stringify({ seed: SEED, kills: KILLS, restarts: RESTARTS, at: new Date().toISOString(), results }, null, 2)}\n`,
      );
  });

  // ------------------------------------------------------------------ counting

  const incidentOf = (monitor: string) => `pipewatch-incident/default/monitor=${monitor}`;

  /** Messages accepted since a mark (by default all), both channels. */
  function delivered(since = { mail: 0, hook: 0 }): Delivered[] {
    const h = (m: { headers: unknown }, name: string) => String((m.headers as Map<string, unknown>).get(name) ?? '');
    return [
      ...smtp.messages.slice(since.mail).map((m) => ({
        channel: 'email' as const,
        kind: h(m, 'x-pipewatch-kind'),
        incident: h(m, 'x-pipewatch-incident'),
        key: h(m, 'x-pipewatch-idempotency-key'),
      })),
      ...hooks.accepted.slice(since.hook).map((r) => ({
        channel: 'webhook' as const,
        kind: String(r.body.kind),
        incident: String(r.body.incidentId ?? ''),
        key: String(r.body.idempotencyKey),
      })),
    ];
  }

  /** Unique messages of a kind for an incident on one channel. */
  const unique = (channel: Delivered['channel'], incident: string, kind: string) =>
    new Set(
      delivered()
        .filter((d) => d.channel === channel && d.incident === incident && d.kind === kind)
        .map((d) => d.key),
    ).size;
  const count = (incident: string, kind: string) =>
    Math.min(unique('email', incident, kind), unique('webhook', incident, kind));

  /** Waits until `n` distinct messages of a kind reached each channel for the incident; false on timeout (counted as lost). */
  async function arrived(incident: string, kind: string, n: number): Promise<boolean> {
    try {
      await waitFor(
        () => count(incident, kind) >= n,
        `${n} ${kind} message(s) per channel for ${incident}`,
        DELIVERY_WAIT_MS,
      );
      return true;
    } catch {
      return false;
    }
  }

  /** Counts one drill's messages: those delivered after `mark` (an index into each receiver). */
  function account(
    drill: string,
    what: string,
    repetitions: number,
    expected: number,
    mark: { mail: number; hook: number },
    notes: string[],
    stuckWorkflows: number,
  ): DrillResult {
    const fresh = delivered(mark);
    const keys = new Map(fresh.map((d) => [`${d.channel}|${d.key}`, d.kind]));
    const unique = keys.size;
    const kinds = new Map<string, number>();
    for (const kind of keys.values()) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    notes.push(`delivered by kind: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
    const seen = new Set<string>();
    for (const d of fresh) {
      const id = `${d.channel}|${d.key}`;
      if (seen.has(id)) notes.push(`repeated under its key: ${d.kind} on ${d.channel}`);
      seen.add(id);
    }
    const result: DrillResult = {
      drill,
      what,
      repetitions,
      expected,
      deliveredRaw: fresh.length,
      deliveredUnique: unique,
      lost: Math.max(0, expected - unique),
      extra: Math.max(0, unique - expected),
      repeats: fresh.length - unique,
      stuckWorkflows,
      notes,
    };
    results.push(result);
    return result;
  }
  const mark = () => ({ mail: smtp.messages.length, hook: hooks.accepted.length });

  /** Workflows still running that should have finished: monitor runs older than a minute, incidents and interventions. */
  async function stuck(): Promise<number> {
    const cutoff = new Date(Date.now() - 60_000).toISOString();
    let n = 0;
    for await (const w of client.workflow.list({
      query: `ExecutionStatus = 'Running' AND WorkflowType = 'monitorWorkflow' AND StartTime < '${cutoff}'`,
    })) {
      void w;
      n++;
    }
    for await (const w of client.workflow.list({
      query: `ExecutionStatus = 'Running' AND WorkflowType IN ('incidentWorkflow', 'interventionWorkflow', 'archiveIngestWorkflow')`,
    })) {
      void w;
      n++;
    }
    return n;
  }

  /** A break-and-heal cycle of one monitor: its firing and its resolved message on both channels. */
  async function cycle(i: number, notes: string[], during?: () => Promise<void>): Promise<void> {
    const incident = incidentOf(monitors[i]!);
    const before = { firing: count(incident, 'firing'), resolved: count(incident, 'resolved') };
    feeding.delete(i);
    const duringDone = during?.();
    if (!(await arrived(incident, 'firing', before.firing + 1)))
      notes.push(`${monitors[i]}: firing not delivered within ${DELIVERY_WAIT_MS / 1000}s`);
    feeding.add(i);
    if (!(await arrived(incident, 'resolved', before.resolved + 1)))
      notes.push(`${monitors[i]}: resolved not delivered within ${DELIVERY_WAIT_MS / 1000}s`);
    await duringDone;
  }

  /** After a drill: no message may still be on its way. */
  const quiet = () => sleep(6_000);

  async function restartWorker(): Promise<void> {
    await worker?.kill('SIGKILL');
    await sleep(300);
    worker = await spawnWorker(workerEnv, logFile, env.bundlePath);
  }

  // -------------------------------------------------------------------- drills

  async function makeArchive(file: string): Promise<string> {
    const writer = new ZipWriter(new Uint8ArrayWriter(), { password: PASSWORD, encryptionStrength: 3 });
    await writer.add('victims.csv', new TextReader('org,date\nacme,2026-11-01\n'));
    writeFileSync(file, await writer.close());
    return file;
  }

  it('worker SIGKILLed at random moments: monitors, incidents, interventions', async () => {
    const start = mark();
    const notes: string[] = [];
    const policy = loadConfigFile(configFile, { env: false }).notification;
    const archives: Array<{ id: string; destination: string }> = [];
    for (let a = 0; a < 2; a++) {
      const input: ArchiveIngestInput = {
        archive: await makeArchive(join(dir, `incoming-${a}.zip`)),
        destination: mkdtempSync(join(dir, 'out-')),
        knownPasswords: [],
        limits: { maxEntries: 10, maxBytes: 10 * 1024 * 1024, maxRatio: 200 },
        pipeline: 'drill',
        intervention: { receiver: 'default', remindEveryMs: 3_600_000, deadlineMs: 3_600_000, defaultAction: 'skip' },
        policy,
      };
      const id = uniqueName('drill-archive');
      await client.workflow.start(archiveIngestWorkflow, {
        args: [input],
        taskQueue: workerEnv.PIPEWATCH_TASK_QUEUE!,
        workflowId: id,
      });
      archives.push({ id, destination: input.destination });
    }

    // The killer: SIGKILL at a random moment 0.5–4 s after the worker came up, KILLS times.
    let kills = 0;
    let cyclesDone = false;
    const killer = (async () => {
      while (kills < KILLS || !cyclesDone) {
        await sleep(500 + rand() * 3_500);
        if (kills >= KILLS) {
          if (cyclesDone) break;
          continue;
        }
        await restartWorker();
        kills++;
      }
    })();

    // Operators answer each question (an Update, retried while no worker is there to take it).
    const answers = (async () => {
      for (const a of archives) {
        const question = client.workflow.getHandle(interventionIdFor(a.id));
        await waitFor(
          async () => (await question.query(interventionQuery).catch(() => undefined))?.state === 'open',
          'the archive question',
          DELIVERY_WAIT_MS,
        );
        await sleep(rand() * 3_000);
        await waitFor(
          () =>
            question.executeUpdate(respondUpdate, { args: [{ answer: 'provide', by: 'drill', input: PASSWORD }] }).then(
              () => true,
              () => false,
            ),
          'the answer to be taken',
          DELIVERY_WAIT_MS,
        );
      }
    })();

    const rounds = Math.max(1, Math.ceil(KILLS / 7));
    await Promise.all(
      monitors.map(async (_, i) => {
        await sleep(i * 4_000);
        for (let r = 0; r < rounds; r++) await cycle(i, notes);
      }),
    );
    cyclesDone = true;
    await killer;
    await answers;
    const outcomes = await Promise.all(
      archives.map((a) => client.workflow.getHandle(a.id).result() as Promise<ArchiveIngestResult>),
    );
    const extracted = outcomes.filter((o) => o.status === 'extracted' && o.files === 1).length;
    if (extracted !== archives.length)
      notes.push(`${archives.length - extracted} archive(s) not extracted: ${JSON.stringify(outcomes)}`);
    await quiet();
    // firing + resolved per cycle per channel; per archive, its question and the notice that it was answered, per channel.
    const expected = monitors.length * rounds * 2 * 2 + archives.length * 2 * 2;
    notes.unshift(
      `${kills} kills, ${monitors.length * rounds} incidents, ${archives.length} archives answered through Updates (${extracted} extracted once)`,
    );
    const r = account(
      'worker-sigkill',
      'worker SIGKILLed at random moments during monitor runs, incidents and interventions',
      kills,
      expected,
      start,
      notes,
      await stuck(),
    );
    expect(kills).toBe(KILLS);
    expect(extracted).toBe(archives.length);
    expect(r).toMatchObject({ lost: 0, extra: 0, stuckWorkflows: 0 });
    expect(r.repeats).toBeLessThanOrEqual(kills);
  });

  /**
   * The alerts a message names on its channel: a webhook's causes and their downstream, an email's alert blocks
   * ("● <monitor>: <reason>" for each firing alert, cause first).
   */
  function named(since: { mail: number; hook: number }, channel: Delivered['channel'], incident: string): Set<string> {
    const ids = new Set<string>();
    if (channel === 'webhook') {
      for (const r of hooks.accepted.slice(since.hook)) {
        if (r.body.incidentId !== incident || !['firing', 'changed'].includes(String(r.body.kind))) continue;
        const causes = (r.body.correlation as { causes: Array<{ monitor: string; downstream: string[] }> } | null)
          ?.causes;
        for (const c of causes ?? []) for (const id of [c.monitor, ...c.downstream]) ids.add(id);
      }
    } else {
      for (const m of smtp.messages.slice(since.mail)) {
        const h = (name: string) => String((m.headers as Map<string, unknown>).get(name) ?? '');
        if (h('x-pipewatch-incident') !== incident || !['firing', 'changed'].includes(h('x-pipewatch-kind'))) continue;
        for (const line of m.text.split('\n')) {
          const at = /^● (\S+): /.exec(line);
          if (at) ids.add(at[1]!);
        }
      }
    }
    return ids;
  }

  it('worker SIGKILLed while a correlated pipeline joins a cause and its symptom: no alert lost by being attached', async () => {
    const start = mark();
    const notes: string[] = [];
    // Every other round the cause and its symptom fail together (one message naming both); in between the symptom
    // fails alone and must be told on its own.
    const rounds = 2 * Math.max(1, Math.ceil(KILLS / 7));
    const kills = { wanted: Math.max(2, Math.ceil(KILLS / 4)), done: 0 };
    let roundsDone = false;
    const killer = (async () => {
      while (!roundsDone) {
        await sleep(500 + rand() * 3_500);
        if (kills.done >= kills.wanted || roundsDone) continue;
        await restartWorker();
        kills.done++;
      }
    })();
    let lost = 0;
    let expectedAlerts = 0;
    let attached = 0;
    for (let r = 0; r < rounds; r++) {
      const pair = r % 2 === 0;
      const alerts = pair ? [correlated.cause, correlated.symptom] : [correlated.symptom];
      const tables = pair ? [3, 4] : [4];
      const round = mark();
      const resolvedBefore = count(correlatedIncident, 'resolved');
      for (const t of tables) feeding.delete(t);
      for (const channel of ['email', 'webhook'] as const) {
        expectedAlerts += alerts.length;
        try {
          await waitFor(
            () => alerts.every((a) => named(round, channel, correlatedIncident).has(a)),
            `${alerts.join(' and ')} named on ${channel}`,
            DELIVERY_WAIT_MS,
          );
        } catch {
          const missing = alerts.filter((a) => !named(round, channel, correlatedIncident).has(a));
          lost += missing.length;
          notes.push(`round ${r + 1}: ${missing.join(', ')} never named on ${channel}`);
        }
      }
      if (pair) {
        const hook = hooks.accepted
          .slice(round.hook)
          .filter((h) => h.body.incidentId === correlatedIncident && h.body.kind !== 'resolved')
          .at(-1);
        const causes = (hook?.body.correlation as { causes: Array<{ monitor: string; downstream: string[] }> } | null)
          ?.causes;
        if (causes?.[0]?.monitor === correlated.cause && causes[0].downstream.includes(correlated.symptom)) attached++;
      }
      for (const t of tables) feeding.add(t);
      if (!(await arrived(correlatedIncident, 'resolved', resolvedBefore + 1)))
        notes.push(`round ${r + 1}: resolved not delivered within ${DELIVERY_WAIT_MS / 1000}s`);
      // Past the incident's reopenWindow (1 s): the next round is a new incident.
      await sleep(2_000);
    }
    roundsDone = true;
    await killer;
    await quiet();
    const fresh = delivered(start);
    const changed = new Set(fresh.filter((d) => d.kind === 'changed').map((d) => `${d.channel}|${d.key}`)).size;
    notes.unshift(
      `${kills.done} kills, ${rounds} rounds (${rounds / 2} cause + symptom, ${rounds / 2} symptom alone); ${expectedAlerts} alert namings expected (alert × channel), ${expectedAlerts - lost} named; the symptom attached to its cause in ${attached} of ${rounds / 2} pair rounds; ${changed} changed message(s) (a cause told after its symptom, under a kill)`,
    );
    // One firing and one resolved message per round and channel; a changed message is news of a cause, not extra.
    const r = account(
      'correlated',
      'worker SIGKILLed while a correlated pipeline joins a cause and its symptom, and while a symptom fails alone',
      kills.done,
      rounds * 2 * 2,
      start,
      notes,
      await stuck(),
    );
    r.lost = lost + Math.max(0, r.expected - (r.deliveredUnique - changed));
    r.extra = Math.max(0, r.deliveredUnique - changed - r.expected);
    expect(kills.done).toBe(kills.wanted);
    expect(r).toMatchObject({ lost: 0, extra: 0, stuckWorkflows: 0 });
    expect(r.repeats).toBeLessThanOrEqual(kills.done);
  });

  it('Temporal dev server stopped and started on the same database file', async () => {
    const start = mark();
    const notes: string[] = [];
    for (let r = 0; r < RESTARTS; r++) {
      await cycle(r % monitors.length, notes, async () => {
        await sleep(rand() * 8_000);
        await client.connection.close();
        await server.stop();
        await sleep(2_000);
        await startServer();
      });
    }
    await quiet();
    const res = account(
      'server-restart',
      'Temporal dev server stopped at a random moment of an incident and started on the same database',
      RESTARTS,
      RESTARTS * 2 * 2,
      start,
      notes,
      await stuck(),
    );
    expect(res).toMatchObject({ lost: 0, extra: 0, repeats: 0, stuckWorkflows: 0 });
  });

  it('watched PostgreSQL unreachable during checks: "could not check", then recovery', async () => {
    const start = mark();
    const notes: string[] = [];
    const incidents = monitors.map(incidentOf);
    const before = incidents.map((inc) => ({ firing: count(inc, 'firing'), resolved: count(inc, 'resolved') }));
    await sourceProxy.cut();
    const opened = await Promise.all(incidents.map((inc, i) => arrived(inc, 'firing', before[i]!.firing + 1)));
    const statuses = (
      await admin.query(
        `SELECT monitor_id, status FROM "${store}".monitor_state WHERE monitor_id = ANY($1) ORDER BY monitor_id`,
        [monitors],
      )
    ).rows;
    await sourceProxy.restore();
    const closed = await Promise.all(incidents.map((inc, i) => arrived(inc, 'resolved', before[i]!.resolved + 1)));
    if (!opened.every(Boolean) || !closed.every(Boolean))
      notes.push(`opened ${opened.join(',')}, resolved ${closed.join(',')}`);
    const fired = hooks.accepted.slice(start.hook).filter((h) => h.body.kind === 'firing');
    const couldNotCheck = fired.filter((h) =>
      (h.body.alerts as Array<{ status: string }>).every((a) => a.status === 'error'),
    ).length;
    notes.push(
      `${couldNotCheck} of ${fired.length} firing webhooks say "could not check" (status error); the store said ${statuses.map((s) => s.status).join(', ')} while the source was away`,
    );
    await quiet();
    const r = account(
      'source-down',
      'the watched PostgreSQL unreachable during checks (connections reset, new ones refused) for all monitors',
      1,
      monitors.length * 2 * 2,
      start,
      notes,
      await stuck(),
    );
    expect(statuses.map((s) => s.status)).toEqual(monitors.map(() => 'error'));
    expect(couldNotCheck).toBe(monitors.length);
    expect(r).toMatchObject({ lost: 0, extra: 0, repeats: 0, stuckWorkflows: 0 });
  });

  it('history store unreachable while runs are recorded and notifications claimed', async () => {
    const start = mark();
    const notes: string[] = [];
    await cycle(1, notes, async () => {
      await sleep(3_000 + rand() * 3_000);
      await storeProxy.cut();
      await sleep(12_000);
      await storeProxy.restore();
    });
    await quiet();
    const dup = await admin.query(
      `SELECT run_id, count(*) FROM "${store}".metric_points GROUP BY run_id HAVING count(*) > 1`,
    );
    notes.push(`${dup.rowCount} run(s) recorded twice`);
    const r = account(
      'store-down',
      'the history store unreachable for 12 s at a random moment of an incident',
      1,
      2 * 2,
      start,
      notes,
      await stuck(),
    );
    expect(dup.rowCount).toBe(0);
    expect(r).toMatchObject({ lost: 0, extra: 0, repeats: 0, stuckWorkflows: 0 });
  });

  it('SMTP server and webhook receiver down while an incident opens', async () => {
    const start = mark();
    const notes: string[] = [];
    await smtp.stop();
    hooks.failWith = 503;
    await cycle(2, notes, async () => {
      await sleep(15_000);
      await smtp.listen();
      hooks.failWith = undefined;
    });
    await quiet();
    notes.push(`${hooks.attempts} webhook attempts in all, including refused ones`);
    const r = account(
      'channels-down',
      'SMTP server stopped and webhook answering 503 for 15 s while an incident opened',
      1,
      2 * 2,
      start,
      notes,
      await stuck(),
    );
    expect(r).toMatchObject({ lost: 0, extra: 0, repeats: 0, stuckWorkflows: 0 });
  });
});
