// Known secret values, a whole pipewatch deployment that uses every one of
// them, and a scan of everything pipewatch writes or shows for them: workflow
// histories (raw as Temporal stores them, and decoded with the payload key as
// an authorised reader sees them), search attributes and memos of workflows
// and schedules, the schedules' actions, the worker's log, CLI output, every
// table of the history store, and every notification body and header.
//
// The secrets are used for real, so the scan cannot pass by their absence:
// the SMTP server requires the password, the webhook signature is checked
// against the HMAC key, the Slack URL carries its token, the HTTP API demands
// its bearer token (and one endpoint echoes it back in a failing response, as
// hostile services do), RabbitMQ is read as a user made with that password,
// a PostgreSQL connector that cannot connect carries its password in the
// failing URL, and an operator answers an archive's password question.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TextReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import pg from 'pg';
import { loadConfigFile } from '../../config/load.js';
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
import { findSecrets, payloadKeys, tableRows, temporalCorpora } from '../support/secret-scan.js';
import { waitFor } from '../support/wait.js';

const secret = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;
const SECRETS = {
  LAKE_PASSWORD: secret('lakepw'),
  BROKEN_PASSWORD: secret('brokenpw'),
  SMTP_PASSWORD: secret('smtppw'),
  HOOK_SECRET: secret('hmackey'),
  SLACK_TOKEN: secret('slacktoken'),
  API_TOKEN: secret('apitoken'),
  RABBIT_PASSWORD: secret('rabbitpw'),
  ARCHIVE_PASSWORD: secret('archivepw'),
};

describe('no secret in anything pipewatch stores, logs, shows or sends', () => {
  const env = testEnv();
  const dir = mkdtempSync(join(env.root, 'secrets-'));
  const schema = uniqueName('scan').toLowerCase();
  const project = schema.replace(/_/g, '-');
  const store = `${schema}_store`;
  const taskQueue = uniqueName('scan-tq');
  const rabbitUser = `pw_${randomBytes(4).toString('hex')}`;
  const rabbitQueue = `pw-scan-${randomBytes(4).toString('hex')}`;
  const ids = {
    fresh: `${project}-fresh`,
    broken: `${project}-broken`,
    api: `${project}-api`,
    leaky: `${project}-leaky`,
    queue: `${project}-queue`,
  };
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;
  let api: Server;
  let apiRequests = 0;
  let worker: WorkerProcess | undefined;
  let client: Client;
  let admin: pg.Pool;
  let workerEnv: NodeJS.ProcessEnv;
  let configFile: string;
  const cliOutput: string[] = [];
  const corpora: Record<string, string> = {};
  let archiveId: string;

  const management = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:15672/api${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok && res.status !== 404)
      throw new Error(`RabbitMQ management ${method} ${path}: ${res.status} ${await res.text()}`);
  };

  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: env.databaseUrl, max: 2 });
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(`CREATE TABLE "${schema}".records (id bigserial, ts timestamptz NOT NULL DEFAULT now())`);
    await admin.query(`INSERT INTO "${schema}".records DEFAULT VALUES`);
    await management('PUT', `/users/${rabbitUser}`, { password: SECRETS.RABBIT_PASSWORD, tags: 'monitoring' });
    await management('PUT', `/permissions/%2F/${rabbitUser}`, { configure: '', write: '', read: '.*' });
    await management('PUT', `/queues/%2F/${rabbitQueue}`, { durable: false, auto_delete: false });

    smtp = await SmtpReceiver.start({ auth: { user: 'pipewatch', pass: SECRETS.SMTP_PASSWORD } });
    hooks = await HttpReceiver.start();
    hooks.failWith = 500; // the first sends fail: error paths must not leak the Slack URL either
    const apiPort = await freePort();
    api = createServer((req, res) => {
      apiRequests++;
      if (req.headers.authorization !== `Bearer ${SECRETS.API_TOKEN}`)
        return void res.writeHead(401).end('{"status":"DENIED"}');
      // A hostile service: its failing answer repeats the credential it was given.
      if (req.url === '/leaky')
        return void res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: req.headers.authorization }));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP"}');
    });
    await new Promise<void>((resolve) => api.listen(apiPort, '127.0.0.1', () => resolve()));

    const lake = new URL(env.databaseUrl);
    lake.password = SECRETS.LAKE_PASSWORD;
    const broken = new URL(env.databaseUrl);
    broken.password = SECRETS.BROKEN_PASSWORD;
    broken.port = String(await freePort()); // nothing listens there
    workerEnv = {
      TEMPORAL_ADDRESS: env.temporalAddress,
      PIPEWATCH_TASK_QUEUE: taskQueue,
      DATABASE_URL: env.databaseUrl,
      PIPEWATCH_STORE_SCHEMA: store,
      LAKE_URL: lake.toString(),
      BROKEN_URL: broken.toString(),
      SMTP_PASSWORD: SECRETS.SMTP_PASSWORD,
      HOOK_SECRET: SECRETS.HOOK_SECRET,
      SLACK_URL: hooks.url(`/slack/services/T000/B000/${SECRETS.SLACK_TOKEN}`),
      API_TOKEN: SECRETS.API_TOKEN,
      RABBIT_URL: `amqp://${rabbitUser}:${SECRETS.RABBIT_PASSWORD}@127.0.0.1:5672`,
      RABBIT_PASSWORD: SECRETS.RABBIT_PASSWORD,
    };
    configFile = join(dir, 'pipewatch.yaml');
    writeFileSync(
      configFile,
      `version: 1
project: ${project}
# A schedule per monitor, so the scan reads each monitor's own schedule (at 2s these would be grouped otherwise).
cadenceGroups: false
defaults:
  schedule: { every: 2s }
  flap: { failAfter: 2, resolveAfter: 2 }
  notify: [mail, chat, hook]
notifications:
  retry: { initialInterval: 500ms, maximumInterval: 1s }
  timeout: 4s
routing: { groupWait: 0s }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}", connectTimeout: 2s, statementTimeout: 2s }
  broken: { type: postgres, url: "\${BROKEN_URL}", connectTimeout: 1s, statementTimeout: 1s }
  api:
    type: http
    url: http://127.0.0.1:${apiPort}
    headers: { authorization: "Bearer \${API_TOKEN}" }
    timeout: 2s
  broker:
    type: rabbitmq
    url: "\${RABBIT_URL}"
    management: { url: "http://127.0.0.1:15672", username: ${rabbitUser}, password: "\${RABBIT_PASSWORD}" }
channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, user: pipewatch, password: "\${SMTP_PASSWORD}" }
    from: pipewatch@example.test
    to: [oncall@example.test]
  chat: { type: slack, webhookUrl: "\${SLACK_URL}" }
  hook: { type: webhook, url: "${hooks.url('/hook')}", secret: "\${HOOK_SECRET}" }
monitors:
  - id: ${ids.fresh}
    connector: lake
    check: { type: count, dataset: ${schema}.records, window: 1d, timestamp: ts }
    rules: [{ below: 1, severity: critical }]
  - id: ${ids.broken}
    connector: broken
    check: { type: count, dataset: ${schema}.records, window: 1d, timestamp: ts }
    rules: [{ below: 1, severity: critical }]
  - id: ${ids.api}
    connector: api
    check: { type: http, path: /ok, conditions: ["[STATUS] == 200", "[BODY].status == UP"] }
    rules: [{ above: 5, severity: warning }]
  - id: ${ids.leaky}
    connector: api
    check: { type: http, path: /leaky, conditions: ["[STATUS] == 200", "[BODY].status == UP"] }
    rules: [{ above: 5, severity: warning }]
  - id: ${ids.queue}
    connector: broker
    schedule: { every: 2s } # queue checks default to every 10 minutes
    check: { type: queue, queue: ${rabbitQueue}, requireConsumers: false }
    rules: [{ above: 1000, severity: warning }]
`,
    );
    const sync = await runCli(['schedules', 'sync', '-c', configFile], workerEnv);
    cliOutput.push(sync.stdout, sync.stderr);
    if (sync.code !== 0) throw new Error(`schedules sync failed:\n${sync.stdout}\n${sync.stderr}`);
    worker = await spawnWorker(workerEnv, join(dir, 'worker.log'), env.bundlePath);
    client = new Client({
      connection: await Connection.connect({ address: env.temporalAddress }),
      dataConverter: dataConverter(),
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.kill('SIGKILL');
    for (const id of Object.values(ids))
      await client?.schedule
        .getHandle(`pipewatch-monitor/${id}`)
        .delete()
        .catch(() => undefined);
    if (client) {
      for await (const w of client.workflow.list({
        query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
      })) {
        await client.workflow
          .getHandle(w.workflowId, w.runId)
          .terminate('test over')
          .catch(() => undefined);
      }
    }
    await client?.connection.close();
    await smtp?.stop();
    await hooks?.stop();
    await new Promise((resolve) => api?.close(resolve));
    await management('DELETE', `/queues/%2F/${rabbitQueue}`).catch(() => undefined);
    await management('DELETE', `/users/${rabbitUser}`).catch(() => undefined);
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.query(`DROP SCHEMA IF EXISTS "${store}" CASCADE`);
    await admin?.end();
  });

  it('runs every monitor, alerts on every channel and takes an archive password', async () => {
    // The failing monitors fire on every channel; the first sends fail (and are retried) before the channels recover.
    await waitFor(() => hooks.attempts >= 3, 'failed sends to the webhook and Slack');
    hooks.failWith = undefined;
    const firing = (path: string, monitor: string) =>
      hooks.accepted.some((r) => r.path.startsWith(path) && JSON.stringify(r.body).includes(monitor));
    await waitFor(
      () =>
        firing('/hook', ids.broken) &&
        firing('/hook', ids.leaky) &&
        firing('/slack/', ids.broken) &&
        firing('/slack/', ids.leaky),
      'webhook and Slack alerts for both failing monitors',
      90_000,
    );
    await waitFor(
      () => smtp.messages.filter((m) => m.subject.includes(ids.broken) || m.subject.includes(ids.leaky)).length >= 2,
      'the alert emails',
      60_000,
    );
    expect(smtp.logins).toBeGreaterThan(0);
    for (const r of hooks.accepted.filter((h) => h.path === '/hook')) {
      expect(r.headers['x-pipewatch-signature']).toBe(
        `sha256=${createHmac('sha256', SECRETS.HOOK_SECRET).update(r.raw).digest('hex')}`,
      );
    }
    expect(apiRequests).toBeGreaterThan(2);

    // The healthy monitors ran and were recorded healthy with the secret-bearing connections.
    const expected = {
      [ids.fresh]: 'ok',
      [ids.broken]: 'error',
      [ids.api]: 'ok',
      [ids.leaky]: 'critical',
      [ids.queue]: 'ok',
    };
    let seen: Record<string, string> = {};
    await waitFor(
      async () => {
        const { rows } = await admin.query(`SELECT monitor_id, status FROM "${store}".monitor_state`);
        seen = Object.fromEntries(rows.map((r) => [r.monitor_id, r.status]));
        return Object.entries(expected).every(([id, status]) => seen[id] === status);
      },
      'every monitor recorded with its expected status',
      60_000,
    ).catch((err: Error) => {
      const log = worker!
        .output()
        .split('\n')
        .filter((l) => /queue|error/i.test(l))
        .slice(-8)
        .join('\n');
      throw new Error(`${err.message}: expected ${JSON.stringify(expected)}, recorded ${JSON.stringify(seen)}\n${log}`);
    });

    // An archive whose password an operator types.
    const writer = new ZipWriter(new Uint8ArrayWriter(), { password: SECRETS.ARCHIVE_PASSWORD, encryptionStrength: 3 });
    await writer.add('victims.csv', new TextReader('org,date\nacme,2026-11-01\n'));
    const archive = join(dir, 'incoming.zip');
    writeFileSync(archive, await writer.close());
    const input: ArchiveIngestInput = {
      archive,
      destination: mkdtempSync(join(dir, 'out-')),
      knownPasswords: [],
      limits: { maxEntries: 10, maxBytes: 1024 * 1024, maxRatio: 200 },
      pipeline: 'scan',
      intervention: { receiver: 'default', remindEveryMs: 3_600_000, deadlineMs: 3_600_000, defaultAction: 'skip' },
      policy: loadConfigFile(configFile, { env: false }).notification,
    };
    archiveId = uniqueName('scan-archive');
    const handle = await client.workflow.start(archiveIngestWorkflow, {
      args: [input],
      taskQueue,
      workflowId: archiveId,
    });
    const question = client.workflow.getHandle(interventionIdFor(archiveId));
    await waitFor(
      async () => (await question.query(interventionQuery).catch(() => undefined))?.state === 'open',
      'the password question',
    );
    await question.executeUpdate(respondUpdate, {
      args: [{ answer: 'provide', by: 'operator', input: SECRETS.ARCHIVE_PASSWORD }],
    });
    expect(((await handle.result()) as ArchiveIngestResult).status).toBe('extracted');

    // What an operator looks at.
    for (const args of [
      ['schedules', 'list'],
      ['incidents', 'list', '--all'],
      ['run', ids.broken],
      ['run', ids.leaky],
      ['validate'],
    ]) {
      const r = await runCli([...args, '-c', configFile], workerEnv);
      cliOutput.push(r.stdout, r.stderr);
    }
  });

  it('gathers what pipewatch wrote, showed and sent', async () => {
    const { workflows, ...temporal } = await temporalCorpora(
      client,
      taskQueue,
      Object.values(ids).map((id) => `pipewatch-monitor/${id}`),
    );
    Object.assign(corpora, temporal);
    corpora['worker log'] = worker!.output();
    corpora['CLI output'] = cliOutput.join('\n');
    corpora['history store'] = await tableRows(admin, [store]);
    corpora['emails'] = smtp.messages
      .map((m) => JSON.stringify({ ...m, headers: [...m.headers.entries()] }))
      .join('\n');
    corpora['webhook and Slack bodies'] = hooks.accepted
      .map((r) => `${r.path.startsWith('/slack/') ? '/slack/…' : r.path}\n${JSON.stringify(r.headers)}\n${r.raw}`)
      .join('\n');

    // Each corpus is real: it holds what it should, so an empty or wrong one cannot pass the scan.
    expect(workflows).toBeGreaterThan(10);
    expect(corpora['raw histories']).toContain('monitorWorkflow');
    expect(corpora['decoded histories']).toContain(ids.leaky);
    expect(corpora['decoded histories']).toContain('${API_TOKEN}'); // references travel, values do not
    expect(corpora['search attributes and memos']).toContain(ids.broken);
    expect(corpora['schedules']).toContain('${BROKEN_URL}');
    expect(corpora['worker log']).toContain('pipewatch worker polling');
    expect(corpora['worker log']).toMatch(/could not|failed|error/i); // the failing checks were logged
    expect(corpora['CLI output']).toContain(ids.queue);
    expect(corpora['CLI output']).toMatch(/could not check/);
    expect(corpora['history store']).toContain(ids.broken);
    expect(corpora['history store']).toMatch(/ECONNREFUSED|connect/); // the broken connector's error was stored
    expect(corpora['emails']).toContain(ids.leaky);
    expect(corpora['webhook and Slack bodies']).toContain(ids.broken);
  });

  it.each(Object.keys(SECRETS))('finds no %s anywhere', (name) => {
    expect(Object.keys(corpora)).toHaveLength(9);
    // The password an operator types is, by design, in the Update's input, which only a key holder can decode
    // (docs/OPERATIONS.md, "Secrets and payload encryption").
    const allowed = (secret: string, corpus: string) => secret === 'ARCHIVE_PASSWORD' && corpus === 'decoded histories';
    expect(findSecrets({ [name]: SECRETS[name as keyof typeof SECRETS] }, corpora, allowed)).toEqual([]);
  });

  it('keeps the payload key out of everything too', () => {
    expect(findSecrets(payloadKeys(), corpora)).toEqual([]);
  });
});
