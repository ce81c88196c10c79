// External services and infrastructure against real servers: HTTP and HTTPS
// endpoints made by the test (certificates from openssl, one expiring in 5
// days), RabbitMQ at 127.0.0.1:5672 with its management API, PostgreSQL, a
// temporary filesystem path, and pipewatch's own task queue.
import { execFileSync } from 'node:child_process';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { connect, type ChannelModel } from 'amqplib';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { connectorCache } from '../../connectors/registry.js';
import { evaluate } from '../../evaluation/rules.js';
import { HistoryStore } from '../../store/history.js';
import { checkHere } from '../../cli/check-here.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { runCli } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { freePort } from '../support/ports.js';
import { startTestWorker, testClient, type RunningWorker } from '../support/temporal.js';
import { makeCertificates } from '../support/tls.js';

const listen = (server: Server, port: number) => new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));

describe('external services and infrastructure', () => {
  const env = testEnv();
  const queue = uniqueName('pw-orders');
  const storeSchema = uniqueName('svcstore').toLowerCase();
  let http: Server;
  let httpsGood: Server;
  let httpsExpiring: Server;
  let ports: { http: number; good: number; expiring: number };
  let caFile: string;
  let shapeVersion = 1;
  let rabbit: ChannelModel;
  let monitors: Record<string, MonitorDefinition>;
  let configFile: string;
  const cache = connectorCache();
  const tmp = mkdtempSync(join(env.root, 'disk-'));

  beforeAll(async () => {
    ports = { http: await freePort(), good: await freePort(), expiring: await freePort() };
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-api-version': String(shapeVersion) });
        res.end(
          JSON.stringify(
            shapeVersion === 1
              ? { status: 'UP', items: [{ id: 1, name: 'a' }] }
              : { status: 'UP', items: [{ id: '1', name: 'a', owner: 'x' }] },
          ),
        );
      } else if (req.url === '/fail') {
        res.writeHead(500).end('boom');
      } else if (req.url === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 2_000);
      } else res.writeHead(404).end();
    };
    http = createHttp(handler);
    await listen(http, ports.http);
    const certs = makeCertificates(env.root);
    caFile = certs.caFile;
    httpsGood = createHttps(certs.server(365), handler);
    httpsExpiring = createHttps(certs.server(5), handler);
    await listen(httpsGood, ports.good);
    await listen(httpsExpiring, ports.expiring);

    rabbit = await connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await rabbit.createChannel();
    await ch.assertQueue(queue, { durable: false, autoDelete: false });
    for (let i = 0; i < 3; i++) ch.sendToQueue(queue, Buffer.from(`order ${i}`));
    await ch.close();

    configFile = join(env.root, `${storeSchema}.yaml`);
    writeFileSync(
      configFile,
      `version: 1
defaults: { schedule: { every: 1h } }
connectors:
  api: { type: http, url: "http://127.0.0.1:${ports.http}", timeout: 1s, headers: { authorization: "Bearer \${API_TOKEN}" } }
  secure: { type: http, url: "https://127.0.0.1:${ports.good}", caFile: "${caFile}" }
  expiring: { type: http, url: "https://localhost:${ports.expiring}", caFile: "${caFile}" }
  untrusted: { type: http, url: "https://127.0.0.1:${ports.good}" }
  nowhere: { type: http, url: "http://pipewatch-no-such-host.invalid" }
  broker:
    type: rabbitmq
    url: "amqp://guest:\${RABBIT_PASSWORD}@127.0.0.1:5672"
    management: { url: "http://127.0.0.1:15672", username: guest, password: "\${RABBIT_PASSWORD}" }
  bad-management:
    type: rabbitmq
    url: "amqp://guest:\${RABBIT_PASSWORD}@127.0.0.1:5672"
    management: { url: "http://127.0.0.1:15672", username: guest, password: "\${WRONG_PASSWORD}" }
  this-host: { type: host }
  lake: { type: postgres, url: "${env.databaseUrl}" }
  temporal: { type: temporal }
monitors:
  - id: api-health
    connector: api
    check:
      type: http
      path: /health
      conditions: ["[STATUS] == 200", "[BODY].status == UP", "[BODY].items[0].id > 0", "[HEADER].x-api-version == 1", "[RESPONSE_TIME] < 1000"]
    rules: [{ above: 2s, severity: warning }]
  - id: api-shape
    connector: api
    check: { type: http, path: /health, conditions: ["[STATUS] == 200"], shape: { headers: [x-api-version] } }
    rules: [{ above: 2s }]
  - id: api-fail
    connector: api
    check: { type: http, path: /fail, conditions: ["[STATUS] == 200", "[BODY] =~ \\"ok\\""] }
    rules: [{ above: 2s }]
  - id: api-slow
    connector: api
    check: { type: http, path: /slow }
    rules: [{ above: 2s }]
  - id: secure
    connector: secure
    check: { type: http, path: /health, conditions: ["[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 7d"] }
    rules: [{ above: 2s }]
  - id: expiring
    connector: expiring
    check: { type: http, path: /health, conditions: ["[CERTIFICATE_EXPIRATION] > 7d"], conditionSeverity: warning }
    rules: [{ above: 2s }]
  - id: untrusted
    connector: untrusted
    check: { type: http, path: /health }
    rules: [{ above: 2s }]
  - id: nowhere
    connector: nowhere
    check: { type: http }
    rules: [{ above: 2s }]
  - id: orders-queue
    connector: broker
    check: { type: queue, queue: ${queue} }
    rules: [{ above: 1000, severity: warning }, { rising: 3, severity: warning }]
  - id: missing-queue
    connector: broker
    check: { type: queue, queue: pipewatch-no-such-queue }
    rules: [{ above: 1000 }]
  - id: bad-credentials
    connector: bad-management
    check: { type: queue, queue: ${queue} }
    rules: [{ above: 1000 }]
  - id: tmp-disk
    connector: this-host
    check: { type: disk, path: "${tmp}" }
    rules: [{ above: 99.9, severity: critical }]
  - id: tmp-inodes
    connector: this-host
    check: { type: disk, path: "${tmp}", measure: inodes }
    rules: [{ above: 99.9 }]
  - id: gone-disk
    connector: this-host
    check: { type: disk, path: "${tmp}/not-there" }
    rules: [{ above: 90 }]
  - id: memory
    connector: this-host
    check: { type: memory }
    rules: [{ above: 100 }]
  - id: db-connections
    connector: lake
    check: { type: database, measure: connections }
    rules: [{ above: 90, severity: critical }]
  - id: db-size
    connector: lake
    check: { type: database, measure: size }
    rules: [{ above: 1099511627776 }]
  - id: own-pollers
    connector: temporal
    check: { type: taskQueue, measure: pollers }
    rules: [{ below: 1, severity: critical }]
`,
    );
    process.env.API_TOKEN = 'token-for-tests';
    process.env.RABBIT_PASSWORD = 'guest';
    process.env.WRONG_PASSWORD = 'not-the-password';
    monitors = Object.fromEntries(
      parseConfig(readFileSync(configFile, 'utf8'), configFile, { env: process.env }).monitors.map((m) => [m.id, m]),
    );
  });

  afterAll(async () => {
    await cache.closeAll();
    for (const s of [http, httpsGood, httpsExpiring]) await new Promise((r) => s.close(() => r(undefined)));
    const ch = await rabbit.createChannel();
    await ch.deleteQueue(queue);
    await rabbit.close();
  });

  const run = (id: string) => checkHere(monitors[id]!, new Date(), cache);

  describe('HTTP(S)', () => {
    it('passes readable conditions on status, body, headers and time', async () => {
      const v = await run('api-health');
      expect(v).toMatchObject({ status: 'ok', unit: 'seconds', details: { status: 200 } });
      expect(v.value).toBeLessThan(1);
    });

    it('says which condition failed and what the response had', async () => {
      const v = await run('api-fail');
      expect(v.status).toBe('critical');
      expect(v.reason).toBe('[STATUS] == 200: got 500; [BODY] =~ "ok": got boom');
    });

    it('gives up at the timeout with "could not check"', async () => {
      const v = await run('api-slow');
      expect(v.status).toBe('error');
      expect(v.reason).toBe('could not check: http connector "api": GET /slow: no response within 1000 ms');
    });

    it('reads certificate expiry and warns about one that ends in 5 days', async () => {
      const good = await run('secure');
      expect(good.status).toBe('ok');
      expect(Date.parse(String(good.details!.certificateExpires)) - Date.now()).toBeGreaterThan(300 * 86_400_000);
      const soon = await run('expiring');
      expect(soon.status).toBe('warning');
      expect(soon.reason).toMatch(/^\[CERTIFICATE_EXPIRATION\] > 7d: the certificate expires in 1(19|20)h$/);
    });

    it('reports TLS and DNS failures as distinct "could not check" reasons', async () => {
      expect((await run('untrusted')).reason).toMatch(
        /^could not check: http connector "untrusted": 127\.0\.0\.1:\d+: TLS: the certificate chain cannot be verified$/,
      );
      expect((await run('nowhere')).reason).toBe(
        'could not check: http connector "nowhere": cannot resolve pipewatch-no-such-host.invalid: the host name does not resolve (DNS)',
      );
    });
  });

  describe('RabbitMQ', () => {
    // The queues these checks could touch (their own, and the missing one a passive check must not declare): other
    // tests make and delete queues of their own on the same broker meanwhile.
    const queueState = () =>
      execFileSync('rabbitmqctl', ['list_queues', '-q', 'name', 'messages', 'consumers'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => [queue, 'pipewatch-no-such-queue'].includes(line.split('\t')[0]!))
        .sort();

    it('finds the depth and the missing consumer, blames the consumer, and leaves the broker as it was', async () => {
      const before = queueState();
      expect(before).toEqual([`${queue}\t3\t0`]);
      const v = await run('orders-queue');
      expect(v).toMatchObject({ status: 'critical', value: 3, unit: 'messages' });
      expect(v.reason).toContain(
        `consumers: no consumer is attached to ${queue}: the consuming side is likely at fault`,
      );
      expect(v.details).toMatchObject({
        consumers: 0,
        likelyFault: 'consumer (no consumer is attached)',
        unacknowledged: 0,
      });
      expect(queueState()).toEqual(before);
    });

    it('is healthy again once a consumer is attached', async () => {
      const ch = await rabbit.createChannel();
      await ch.prefetch(1);
      const { consumerTag } = await ch.consume(queue, () => undefined, { noAck: false });
      try {
        const v = await run('orders-queue');
        expect(v.status).toBe('ok');
        expect(v.details).toMatchObject({ consumers: 1 });
      } finally {
        await ch.cancel(consumerTag);
        await ch.close();
      }
    });

    it('reports a missing queue and refused management credentials as "could not check"', async () => {
      const before = queueState();
      expect((await run('missing-queue')).reason).toBe(
        'could not check: rabbitmq connector "broker": queue "pipewatch-no-such-queue" does not exist in vhost "/"',
      );
      expect(queueState()).toEqual(before); // a passive check declares nothing
      expect((await run('bad-credentials')).reason).toBe(
        'could not check: rabbitmq connector "bad-management": the management API refused the credentials (401)',
      );
    });

    it('fires when the depth rose several runs in a row (producer outpaces consumer)', () => {
      const rule = monitors['orders-queue']!.rules[1]!;
      const v = evaluate(
        [rule],
        { value: 40, unit: 'messages', observedAt: 't' },
        { recent: [10, 20, 30] },
        'messages waiting',
      );
      expect(v.reason).toBe('messages waiting 40 has risen 3 runs in a row (10 → 20 → 30 → 40)');
      expect(evaluate([rule], { value: 25, unit: 'messages', observedAt: 't' }, { recent: [10, 20, 30] }).status).toBe(
        'ok',
      );
    });
  });

  describe('hosts and databases', () => {
    it('measures disk space and inodes of a path, and names a missing one', async () => {
      const space = await run('tmp-disk');
      expect(space.status).toBe('ok');
      expect(space.value).toBeGreaterThan(0);
      expect(space.value).toBeLessThan(100);
      expect(Number(space.details!.availableBytes)).toBeGreaterThan(0);
      expect((await run('tmp-inodes')).unit).toBe('percent');
      expect((await run('gone-disk')).reason).toBe(
        `could not check: host connector "this-host": cannot read the filesystem of ${tmp}/not-there: no such path`,
      );
      expect((await run('memory')).value).toBeGreaterThan(0);
    });

    it('measures PostgreSQL connection saturation and size', async () => {
      const connections = await run('db-connections');
      expect(connections).toMatchObject({ status: 'ok', unit: 'percent' });
      expect(Number(connections.details!.used)).toBeGreaterThan(0);
      const size = await run('db-size');
      expect(size.value).toBeGreaterThan(1_000_000);
      expect(size.reason).toMatch(/^database size [\d.]+ MB is within all rules$/);
    });
  });

  describe('as monitor runs, with the history store', () => {
    let store: HistoryStore;
    let worker: RunningWorker;
    let client: Client;

    beforeAll(async () => {
      store = await HistoryStore.open({ url: env.databaseUrl, schema: storeSchema });
      worker = await startTestWorker(store);
      client = await testClient();
    });
    afterAll(async () => {
      await worker.stop();
      await store.close();
      await client.connection.close();
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: env.databaseUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE`);
      await c.end();
    });

    const runMonitor = async (id: string) =>
      (await client.workflow.execute(monitorWorkflow, {
        args: [monitors[id]!],
        taskQueue: worker.settings.taskQueue,
        workflowId: uniqueName(id),
      })) as MonitorRunResult;

    it('detects a changed API shape with a readable diff, until an operator accepts it', async () => {
      shapeVersion = 1;
      expect((await runMonitor('api-shape')).status).toBe('ok'); // first shape seen: accepted
      shapeVersion = 2;
      const changed = await runMonitor('api-shape');
      expect(changed.status).toBe('warning');
      expect(changed.reason).toContain('response shape: changed since it was accepted');
      expect(changed.reason).toContain('+ $.items[].owner: string');
      expect(changed.reason).toContain('~ $.items[].id: number → string');
      expect(changed.reason).toContain('~ header x-api-version: 1 → 2');

      const accepted = await runCli(['accept-shape', 'api-shape', '--by', 'alice', '-c', configFile], {
        DATABASE_URL: env.databaseUrl,
        PIPEWATCH_STORE_SCHEMA: storeSchema,
      });
      expect(accepted.stderr).toBe('');
      expect(accepted.stdout).toContain('+ $.items[].owner: string');
      expect((await runMonitor('api-shape')).status).toBe('ok');
    });

    it("counts the workers polling pipewatch's own task queue", async () => {
      const previous = process.env.PIPEWATCH_TASK_QUEUE;
      process.env.PIPEWATCH_TASK_QUEUE = worker.settings.taskQueue;
      process.env.TEMPORAL_ADDRESS = env.temporalAddress;
      try {
        const v = await run('own-pollers');
        expect(v.status).toBe('ok');
        expect(v.value).toBeGreaterThanOrEqual(1);
      } finally {
        if (previous === undefined) delete process.env.PIPEWATCH_TASK_QUEUE;
        else process.env.PIPEWATCH_TASK_QUEUE = previous;
      }
    });
  });
});
