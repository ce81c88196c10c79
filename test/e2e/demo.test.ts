// `pipewatch demo` end to end: the example pipeline (collector → RabbitMQ →
// ETL → serving table, as Temporal workflows on schedules) and its monitors
// from examples/pipewatch.yaml — with shorter intervals and thresholds — run
// by the real CLI against the shared dev server, a database of its own,
// a RabbitMQ vhost of its own and a real SMTP receiver. Each fault injected
// with `pipewatch demo break` must produce its alert, and `pipewatch demo heal`
// its resolved message; the archive's password and the malformed record are
// answered through `pipewatch intervene respond` (a Temporal Update).
// The example runs with known secrets — its database role's password, its
// RabbitMQ user's password, the archive's password, the payload key — and at
// the end everything it left behind is scanned for them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { loadConfigFile } from '../../config/load.js';
import { demoArchivePassword } from '../../examples/faults.js';
import { CLI, runCli } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { Cluster, adminConfig, startTestControlPlane } from '../support/kubernetes.js';
import type { ControlPlane } from '../../devserver/kubernetes.js';
import { findSecrets, payloadKeys, tableRows, temporalCorpora } from '../support/secret-scan.js';
import { SmtpReceiver } from '../support/smtp.js';
import { testClient } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';
import { incidentStateQuery } from '../../workflows/incident.js';
import { interventionQuery } from '../../workflows/intervention.js';

const MANAGEMENT = 'http://127.0.0.1:15672';
const AUTH = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` };

/** The example's config with test-sized intervals: every override is a line that must exist. */
function testConfig(): string {
  let text = readFileSync(join(process.cwd(), 'examples', 'pipewatch.yaml'), 'utf8');
  const overrides: Array<[string | RegExp, string]> = [
    // A schedule per monitor, as the example has at its own intervals (at test intervals the automatic rule would group them).
    [/^version: 1$/m, 'version: 1\ncadenceGroups: false'],
    [/every: 15s/g, 'every: 3s'],
    ['every: 1m', 'every: 5s'],
    // Long enough for a cause that opens a moment after its first symptom to lead the first message.
    ['groupWait: 10s', 'groupWait: 3s'],
    ['[BODY].waitingSeconds < 20', '[BODY].waitingSeconds < 6'],
    ['groupInterval: 1m', 'groupInterval: 2s'],
    ['above: 45s', 'above: 10s'],
    ['window: 1m        # aligned', 'window: 20s        # aligned'],
    ['settle: 10s', 'settle: 3s'],
    ['pending: 30s', 'pending: 3s'],
    [
      "query: 'log.level:error AND labels.pipeline:example'\n      window: 1m\n      buffer: 5s",
      "query: 'log.level:error AND labels.pipeline:example'\n      window: 8s\n      buffer: 2s",
    ],
  ];
  for (const [from, to] of overrides) {
    const before = text;
    text = text.replace(from, to);
    if (text === before)
      throw new Error(`examples/pipewatch.yaml no longer has ${String(from)}: update the test's overrides`);
  }
  return text;
}

describe('pipewatch demo: the example pipeline with faults', () => {
  const env = testEnv();
  const dir = mkdtempSync(join(env.root, 'demo-'));
  const dataDir = join(dir, '.pipewatch');
  const taskQueue = uniqueName('demo-tq');
  const database = uniqueName('pwdemo').toLowerCase();
  const vhost = uniqueName('pwdemo');
  const secrets = {
    DATABASE_PASSWORD: `dbpw-${randomBytes(12).toString('hex')}`,
    RABBIT_PASSWORD: `mqpw-${randomBytes(12).toString('hex')}`,
  };
  const dbRole = `${database}_owner`;
  const rabbitUser = `${vhost}-user`;
  const dbUrl = new URL(env.databaseUrl);
  dbUrl.pathname = `/${database}`;
  dbUrl.username = dbRole;
  dbUrl.password = secrets.DATABASE_PASSWORD;
  const cliOutput: string[] = [];
  let smtp: SmtpReceiver;
  let child: ChildProcess;
  let output = '';
  let exit: Promise<number | null>;
  let client: Client;
  let db: pg.Pool;
  let childEnv: NodeJS.ProcessEnv;
  let controlPlane: ControlPlane;
  const configFile = join(dir, 'pipewatch.yaml');

  const subjects = () => smtp.messages.map((m) => m.subject);
  const count = (re: RegExp) => subjects().filter((s) => re.test(s)).length;
  const firing = (monitor: string) => new RegExp(`\\] FIRING( [A-Z]+)?: ${monitor} `);
  const resolved = (monitor: string) => new RegExp(`\\] RESOLVED: ${monitor} `);
  const cli = async (args: string[], stdin?: string) => {
    const result = await runCli(
      ['--config', configFile, ...args],
      { ...childEnv, PIPEWATCH_DATA_DIR: dataDir },
      60_000,
      stdin,
    );
    cliOutput.push(result.stdout, result.stderr);
    return result;
  };

  /** Every incident opened so far has resolved. */
  const quiet = (monitors: string[]) => monitors.every((m) => count(firing(m)) <= count(resolved(m)));

  async function expectFault(fault: string, monitors: string[], timeoutMs = 60_000): Promise<void> {
    const before = new Map(monitors.map((m) => [m, count(firing(m))]));
    const broke = await cli(['demo', 'break', fault]);
    expect(broke.stdout).toContain(`broken: ${fault}`);
    for (const m of monitors) {
      await waitFor(
        () => count(firing(m)) > before.get(m)!,
        `an alert from ${m} after "demo break ${fault}"`,
        timeoutMs,
        500,
      ).catch((err: Error) => {
        throw new Error(
          `${err.message}\nemails:\n${subjects().join('\n')}\npipewatch demo said (last lines):\n${output.slice(-4000)}`,
        );
      });
    }
  }

  async function expectHealed(monitors: string[], timeoutMs = 60_000): Promise<void> {
    const healed = await cli(['demo', 'heal']);
    expect(healed.stdout).toMatch(/healed: .*the example pipeline runs normally/);
    for (const m of monitors)
      await waitFor(
        () => count(resolved(m)) >= count(firing(m)),
        `the resolved message of ${m}\n${subjects().join('\n')}`,
        timeoutMs,
        500,
      );
  }

  /** The example pipeline is correlated: its critical alerts form one incident at example-oncall (issue 24). */
  const ONCALL_INCIDENT = 'pipewatch-incident/example-oncall/pipeline=example';
  const oncall = () => smtp.messages.filter((m) => m.text.includes(`Incident ${ONCALL_INCIDENT},`));
  const kindOf = (subject: string) => /\] ([A-Z]+)/.exec(subject)?.[1];
  /** Notifications per fault, at example-oncall: printed at the end for docs/CORRELATION.md. */
  const measured: Array<{ fault: string; messages: string[] }> = [];

  /**
   * One fault, one cause: after `demo break`, the first example-oncall message names one of `causes`; once every
   * monitor in `symptoms` has joined as downstream of it (the incident's own view), `demo heal` — and the fault
   * gave exactly one firing and one resolved message, the resolved one naming the cause and its symptoms.
   */
  async function expectOneCause(fault: string, causes: string[], symptoms: string[]): Promise<void> {
    const start = oncall().length;
    const broke = await cli(['demo', 'break', fault]);
    expect(broke.stdout).toContain(`broken: ${fault}`);
    const first = await waitFor(
      () => oncall()[start],
      `the example-oncall message after "demo break ${fault}"`,
      90_000,
      500,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\nemails:\n${subjects().join('\n')}\npipewatch demo said (last lines):\n${output.slice(-4000)}`,
      );
    });
    expect(causes.some((c) => firing(c).test(first.subject))).toBe(true);
    expect(first.text.split('\n')[0]).toMatch(
      new RegExp(`^FIRING CRITICAL: (${causes.join('|')}) \\(services, stage parsed\\)`),
    );
    const handle = client.workflow.getHandle(ONCALL_INCIDENT);
    await waitFor(
      async () => {
        const s = await handle.query(incidentStateQuery);
        const lead = s.correlation?.causes[0];
        return (
          lead && causes.includes(lead.cause) && symptoms.every((m) => m === lead.cause || lead.downstream.includes(m))
        );
      },
      `${symptoms.join(', ')} downstream of the cause`,
      90_000,
      1_000,
    );
    const healed = await cli(['demo', 'heal']);
    expect(healed.stdout).toMatch(/healed: .*the example pipeline runs normally/);
    await waitFor(
      () =>
        oncall()
          .slice(start)
          .some((m) => kindOf(m.subject) === 'RESOLVED'),
      `the resolved message after healing ${fault}\n${subjects().join('\n')}`,
      120_000,
      500,
    );
    await sleep(2_000);
    const messages = oncall().slice(start);
    measured.push({ fault, messages: messages.map((m) => m.subject) });
    expect(messages.map((m) => kindOf(m.subject))).toEqual(['FIRING', 'RESOLVED']);
    const done = messages[1]!;
    expect(causes.some((c) => resolved(c).test(done.subject))).toBe(true);
    for (const m of symptoms.filter((m) => !done.subject.includes(`: ${m} `)))
      expect(done.text).toMatch(new RegExp(`downstream: .*${m}: `));
  }

  async function openIntervention(titlePart: string): Promise<string> {
    return waitFor(
      async () => {
        for await (const w of client.workflow.list({
          query: `WorkflowType = "interventionWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = "${taskQueue}"`,
        })) {
          const view = await client.workflow.getHandle(w.workflowId).query(interventionQuery);
          if (view.title.includes(titlePart)) return w.workflowId;
        }
        return undefined;
      },
      `an open intervention "${titlePart}"`,
      60_000,
      1_000,
    );
  }

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    await admin.query(`CREATE ROLE "${dbRole}" LOGIN PASSWORD '${secrets.DATABASE_PASSWORD}'`);
    await admin.query(`CREATE DATABASE "${database}" OWNER "${dbRole}"`);
    await admin.end();
    db = new pg.Pool({ connectionString: dbUrl.toString(), max: 2 });
    // pool.end() resolves before its sockets close; DROP DATABASE … (FORCE) in afterAll may terminate them then.
    db.on('error', () => undefined);
    for (const [path, body] of [
      [`/api/vhosts/${encodeURIComponent(vhost)}`, {}],
      [`/api/users/${encodeURIComponent(rabbitUser)}`, { password: secrets.RABBIT_PASSWORD, tags: '' }],
      [
        `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(rabbitUser)}`,
        { configure: '.*', write: '.*', read: '.*' },
      ],
    ] as const) {
      const r = await fetch(`${MANAGEMENT}${path}`, {
        method: 'PUT',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`RabbitMQ management ${path}: ${r.status} ${await r.text()}`);
    }
    smtp = await SmtpReceiver.start();
    // The example's operations side: a real API server (no nodes, so a pod stays Pending).
    controlPlane = await startTestControlPlane();
    writeFileSync(configFile, testConfig());
    childEnv = {
      NODE_OPTIONS: '',
      TEMPORAL_ADDRESS: env.temporalAddress,
      PIPEWATCH_TASK_QUEUE: taskQueue,
      DATABASE_URL: dbUrl.toString(),
      EXAMPLE_DATABASE_URL: dbUrl.toString(),
      EXAMPLE_AMQP_URL: `amqp://${encodeURIComponent(rabbitUser)}:${secrets.RABBIT_PASSWORD}@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
      // The SMTP receiver holds the port, so the demo sends there instead of starting its outbox.
      PIPEWATCH_OUTBOX_PORT: String(smtp.port),
      PIPEWATCH_WORKFLOW_BUNDLE: env.bundlePath,
    };
    child = spawn(
      process.execPath,
      [
        CLI,
        '--config',
        configFile,
        'demo',
        '--data-dir',
        dataDir,
        '--headless',
        '--every',
        '2s',
        '--api-port',
        '0',
        '--kubeconfig',
        controlPlane.kubeconfig,
      ],
      {
        env: { ...process.env, ...childEnv },
        cwd: dir,
      },
    );
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`pipewatch demo exited with ${child.exitCode}:\n${output}`);
        return output.includes('pipewatch is running');
      },
      'pipewatch demo to be running',
      90_000,
    );
    client = await testClient();
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await Promise.race([exit, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (client) {
      // Schedules on the shared dev server would tick for ever against this test's dead task queue.
      const config = loadConfigFile(configFile, { env: false });
      const ids = [
        ...config.monitors.map((m) => `pipewatch-monitor/${m.id}`),
        'pipewatch-report/example',
        `pipewatch-demo/${taskQueue}/collect`,
        `pipewatch-demo/${taskQueue}/etl`,
      ];
      for (const id of ids)
        await client.schedule
          .getHandle(id)
          .delete()
          .catch(() => undefined);
      await client.connection.close();
    }
    await db?.end();
    await smtp?.stop();
    await controlPlane?.stop();
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS "${dbRole}"`);
    await admin.end();
    await fetch(`${MANAGEMENT}/api/vhosts/${encodeURIComponent(vhost)}`, { method: 'DELETE', headers: AUTH }).catch(
      () => undefined,
    );
    await fetch(`${MANAGEMENT}/api/users/${encodeURIComponent(rabbitUser)}`, { method: 'DELETE', headers: AUTH }).catch(
      () => undefined,
    );
  }, 60_000);

  it('runs the pipeline on RabbitMQ and reaches the serving table', async () => {
    expect(output).toContain(
      `RabbitMQ queue example.collected at amqp://${encodeURIComponent(rabbitUser)}:***@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
    );
    // The example's monitors and the built-in self-monitor.
    expect(output).toMatch(/schedules\s+13 to create/);
    expect(output).toContain(
      `example cluster ${adminConfig(controlPlane).getCurrentCluster()!.server}, namespace pipewatch-example`,
    );
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM example.served WHERE record_id NOT LIKE 'seed-%'`,
        );
        return Number(rows[0]!.n) >= 6;
      },
      'records collected, queued, parsed and served',
      60_000,
      1_000,
    );
    // The pipeline logs through pipewatch/logging to NDJSON under the data directory.
    const lines = readFileSync(join(dataDir, 'demo', 'logs', 'pipeline.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      lines.some(
        (l) =>
          (l.event as { action?: string } | undefined)?.action === 'stage.completed' &&
          (l.labels as { stage?: string }).stage === 'parse',
      ),
    ).toBe(true);
  }, 90_000);

  it('drop, errors, a malformed record and a protected archive: each alerts or asks, and heals', async () => {
    const monitors = ['stage-losses', 'pipeline-errors', 'parsed-freshness', 'queue-consumers', 'collected-queue'];
    await waitFor(() => quiet(monitors), 'no open incident before the faults', 60_000, 500);

    // Four faults at once; each has its own witness.
    await expectFault('drop', []);
    await cli(['demo', 'break', 'errors']);
    await cli(['demo', 'break', 'malformed']);
    await cli(['demo', 'break', 'archive']);
    const lossesBefore = count(firing('stage-losses'));
    const errorsBefore = count(firing('pipeline-errors'));
    await waitFor(
      () => count(firing('pipeline-errors')) > errorsBefore,
      `pipeline-errors to fire\n${subjects().join('\n')}`,
      90_000,
      500,
    );
    await waitFor(
      () => count(firing('stage-losses')) > lossesBefore,
      `stage-losses to fire\n${subjects().join('\n')}\n${output.slice(-4000)}`,
      90_000,
      500,
    );
    // The losing stage is named: records collected but never parsed.
    const loss = smtp.messages.find((m) => firing('stage-losses').test(m.subject))!;
    expect(`${loss.subject}\n${loss.text}`).toMatch(/parsed/);
    // Compared by ids (one query: the stages share a database), with some of the missing ones named.
    expect(loss.text).toMatch(/comparedBy: missing ids/);
    expect(loss.text).toMatch(/sampleMissing: \S+/);

    // The archive flow asks for a password: a wrong one is refused on the spot, the right one extracts it.
    const archiveQuestion = await openIntervention('password for');
    await waitFor(
      () => subjects().some((s) => s.includes('needs an operator: password for')),
      'the archive question by email',
      30_000,
      500,
    );
    const wrong = await cli(
      ['intervene', 'respond', archiveQuestion, '--answer', 'provide', '--by', 'tester'],
      'not-the-password\n',
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('refused: wrong password');
    const right = await cli(
      ['intervene', 'respond', archiveQuestion, '--answer', 'provide', '--by', 'tester'],
      `${demoArchivePassword(dataDir)}\n`,
    );
    expect(right.stdout).toContain('accepted: provide by tester');
    const archiveFlow = archiveQuestion.replace(/^pipewatch-intervention\//, '');
    const ingested = await client.workflow.getHandle(archiveFlow).result();
    expect(ingested).toMatchObject({ status: 'extracted', files: 1, openedBy: 'tester' });
    expect(existsSync(join((ingested as { destination: string }).destination, 'victims.csv'))).toBe(true);

    // The record the parser cannot read waits on an operator (humanStep), who skips it.
    const recordQuestion = await openIntervention('parse needs a decision');
    const skipped = await cli([
      'intervene',
      'respond',
      recordQuestion,
      '--answer',
      'skip',
      '--by',
      'tester',
      '--note',
      'scanned PDFs are out of scope',
    ]);
    expect(skipped.stdout).toContain('accepted: skip by tester');
    const recordFlow = recordQuestion.replace(/^pipewatch-intervention\//, '').replace(/\/parse\/\d+$/, '');
    expect(await client.workflow.getHandle(recordFlow).result()).toMatchObject({ status: 'skipped' });
    const { rows } = await db.query<{ outcome: string }>(`SELECT outcome FROM example.held`);
    expect(rows.map((r) => r.outcome)).toEqual(['skipped']);
    await expectHealed(['stage-losses', 'pipeline-errors'], 90_000);
  }, 240_000);

  it('stall: one message names the stalled consumer, parsed-freshness and stage-losses downstream; one resolved message', async () => {
    await waitFor(
      () => quiet(['queue-consumers', 'parsed-freshness', 'stage-losses']),
      'no open incident before the stall',
      60_000,
      500,
    );
    // The broker's own check may see the idle consumer first: either names the queue's consumer.
    await expectOneCause('stall', ['queue-consumers', 'collected-queue'], ['parsed-freshness', 'stage-losses']);
  }, 300_000);

  it('queue: one message names the detached consumer, the rest downstream; one resolved message', async () => {
    await waitFor(
      () => quiet(['queue-consumers', 'collected-queue', 'parsed-freshness', 'stage-losses']),
      'no open incident before the queue fault',
      60_000,
      500,
    );
    await expectOneCause(
      'queue',
      ['queue-consumers', 'collected-queue'],
      ['queue-consumers', 'collected-queue', 'parsed-freshness'],
    );
    // The firing message says why: RabbitMQ's "no consumer", or the API's consumer count.
    const told = oncall()
      .filter((m) => kindOf(m.subject) === 'FIRING')
      .at(-1)!;
    expect(told.text).toMatch(/no consumer|\[BODY\]\.consumers >= 1/);
    process.stdout.write(
      `notifications per fault at example-oncall:\n${measured.map((f) => `  ${f.fault}: ${f.messages.length}\n${f.messages.map((s) => `    ${s}`).join('\n')}`).join('\n')}\n`,
    );
  }, 300_000);

  it('pod: a parser pod that cannot start fires example-pods (operations), and resolves when it is gone', async () => {
    const cluster = new Cluster(adminConfig(controlPlane));
    const pods = async () =>
      (await cluster.core.listNamespacedPod({ namespace: 'pipewatch-example' })).items.map((p) => p.metadata!.name);
    expect(await pods()).toEqual([]);
    await expectFault('pod', ['example-pods']);
    expect(await pods()).toEqual(['example-parser-canary']);
    const alert = smtp.messages.filter((m) => firing('example-pods').test(m.subject)).at(-1)!;
    expect(`${alert.subject}\n${alert.text}`).toMatch(/example-parser-canary[\s\S]*(Pending|not scheduled)/);
    await expectHealed(['example-pods']);
    expect(await pods()).toEqual([]);
  }, 150_000);

  it('stops cleanly on Ctrl-C and pauses the pipeline schedules', async () => {
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    const described = await client.schedule.getHandle(`pipewatch-demo/${taskQueue}/collect`).describe();
    expect(described.state.paused).toBe(true);
  }, 60_000);

  it('leaves none of its secrets in histories, search attributes, memos, schedules, logs, the store or emails', async () => {
    const config = loadConfigFile(configFile, { env: false });
    const scheduleIds = [
      ...config.monitors.map((m) => `pipewatch-monitor/${m.id}`),
      'pipewatch-report/example',
      `pipewatch-demo/${taskQueue}/collect`,
      `pipewatch-demo/${taskQueue}/etl`,
    ];
    const { workflows, ...temporal } = await temporalCorpora(client, taskQueue, scheduleIds);
    const corpora: Record<string, string> = {
      ...temporal,
      'pipewatch demo output (its worker log)': output,
      'CLI output': cliOutput.join('\n'),
      'history store and example tables': await tableRows(db, ['pipewatch', 'example']),
      'pipeline log': readFileSync(join(dataDir, 'demo', 'logs', 'pipeline.ndjson'), 'utf8'),
      emails: smtp.messages.map((m) => JSON.stringify({ ...m, headers: [...m.headers.entries()] })).join('\n'),
    };
    // Each corpus is real, so the scan cannot pass by looking at nothing.
    expect(workflows).toBeGreaterThan(20);
    expect(corpora['raw histories']).toContain('demoCollectWorkflow');
    expect(corpora['decoded histories']).toContain('${EXAMPLE_DATABASE_URL}'); // references travel, values do not
    expect(corpora['search attributes and memos']).toContain('example');
    expect(corpora['schedules']).toContain('stage-losses');
    expect(corpora['pipewatch demo output (its worker log)']).toContain('pipewatch is running');
    expect(corpora['CLI output']).toContain('broken: archive');
    expect(corpora['history store and example tables']).toContain('stage-losses');
    expect(corpora['pipeline log']).toContain('stage.completed');
    expect(corpora['emails']).toContain('FIRING');

    const known = { ...secrets, ARCHIVE_PASSWORD: demoArchivePassword(dataDir), ...payloadKeys() };
    // The archive's password is, by design, in the input of the Update that answered it, readable only with the payload key.
    expect(
      findSecrets(known, corpora, (name, corpus) => name === 'ARCHIVE_PASSWORD' && corpus === 'decoded histories'),
    ).toEqual([]);
    expect(corpora['decoded histories']).toContain(known.ARCHIVE_PASSWORD); // … where the scan does find it
  }, 120_000);
});
