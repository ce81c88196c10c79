// The Temporal connection settings (workers/connection.ts) over TLS, against
// real TLS servers in front of the shared dev server, which has no TLS options
// itself: mutual TLS with certificates made here by openssl (client and
// worker do real work; a missing, foreign or untrusted certificate and a wrong
// server name are refused), and an API key checked on every gRPC call.
import type { Client } from '@temporalio/client';
import { connectClient, connectWorker, temporalSettings } from '../../workers/connection.js';
import { createWorker, type PipewatchWorker } from '../../workers/worker.js';
import { HistoryStore } from '../../store/history.js';
import { heartbeatWorkflow, type HeartbeatInput } from '../../workflows/heartbeat.js';
import pg from 'pg';
import { testEnv, uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { makeCertificates, type IssuedCertificate, type TestCertificates } from '../support/tls.js';
import { ApiKeyGateway, TlsTerminator } from '../support/tls-front.js';

const API_KEY = 'pwk_live_7d1f0c2a9be34e58a6f1c0de5ecret';

describe('Temporal over TLS', () => {
  const env = testEnv();
  const storeSchema = uniqueName('tlsstore').toLowerCase();
  let certs: TestCertificates;
  let clientCert: IssuedCertificate;
  let foreignClientCert: IssuedCertificate;
  let terminator: TlsTerminator;
  let gateway: ApiKeyGateway;
  let store: HistoryStore;
  let hooks: HttpReceiver;
  const clients: Client[] = [];
  const workers: Array<{ worker: PipewatchWorker; running: Promise<void> }> = [];

  beforeAll(async () => {
    certs = makeCertificates(env.root);
    const server = certs.server(30);
    clientCert = certs.client('pipewatch-worker');
    foreignClientCert = makeCertificates(env.root, 'some other CA').client('pipewatch-worker');
    terminator = await TlsTerminator.start({
      target: env.temporalAddress,
      key: server.key,
      cert: server.cert,
      ca: certs.ca,
    });
    gateway = await ApiKeyGateway.start({
      target: env.temporalAddress,
      key: server.key,
      cert: server.cert,
      apiKey: API_KEY,
    });
    store = await HistoryStore.open({ url: env.databaseUrl, schema: storeSchema });
    hooks = await HttpReceiver.start();
  });

  afterAll(async () => {
    for (const w of workers) w.worker.shutdown();
    await Promise.allSettled(workers.map((w) => w.running));
    await Promise.allSettled(clients.map((c) => c.connection.close()));
    await terminator?.close();
    await gateway?.close();
    await hooks?.stop();
    await store?.close();
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE`);
    await admin.end();
  });

  /** The environment an operator would set for mutual TLS to the terminator. */
  const mtlsEnv = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = {
      TEMPORAL_ADDRESS: terminator.address,
      TEMPORAL_TLS_CLIENT_CERT_PATH: clientCert.certFile,
      TEMPORAL_TLS_CLIENT_KEY_PATH: clientCert.keyFile,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caFile,
      PIPEWATCH_TASK_QUEUE: uniqueName('tls-tq'),
    };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete e[name];
      else e[name] = value;
    }
    return e;
  };

  async function client(e: NodeJS.ProcessEnv): Promise<Client> {
    const c = await connectClient(temporalSettings(e));
    clients.push(c);
    return c;
  }

  /** A pipewatch worker connected with these settings, and a heartbeat run through it to completion. */
  async function heartbeatThrough(e: NodeJS.ProcessEnv): Promise<void> {
    const settings = temporalSettings(e);
    const worker = await createWorker({ settings, store, workflowBundlePath: env.bundlePath, env: process.env });
    workers.push({ worker, running: worker.run() });
    const c = await client(e);
    const project = uniqueName('tls');
    const input: HeartbeatInput = { project, url: hooks.url('/beat'), monitors: [], staleAfter: 2 };
    const result = await c.workflow.execute(heartbeatWorkflow, {
      args: [input],
      taskQueue: settings.taskQueue,
      workflowId: uniqueName('tls-beat'),
      workflowExecutionTimeout: '60s',
    });
    expect(result).toEqual({ status: 'ok', stale: [] });
    expect(hooks.accepted.some((r) => r.path === '/beat' && r.body.project === project)).toBe(true);
  }

  const unreachable = (address: string) =>
    new RegExp(`^cannot reach Temporal at ${address.replace(/\./g, '\\.')} \\(namespace default\\): `);

  /** The messages of a client and a worker connection with these variables, both of which must fail. */
  async function refusals(e: NodeJS.ProcessEnv): Promise<string[]> {
    const settings = temporalSettings(e);
    const outcomes = await Promise.allSettled([connectClient(settings), connectWorker(settings)]);
    return Promise.all(
      outcomes.map(async (o) => {
        if (o.status === 'rejected') return (o.reason as Error).message;
        await ('connection' in o.value ? o.value.connection : o.value).close();
        throw new Error(`connected to ${settings.address} although it should have been refused`);
      }),
    );
  }

  describe('mutual TLS', () => {
    it('reads the certificate variables into TLS settings', () => {
      const settings = temporalSettings(mtlsEnv());
      expect(settings.address).toBe(terminator.address);
      expect(settings.tls).toMatchObject({
        clientCertPair: { crt: clientCert.cert, key: clientCert.key },
        serverRootCACertificate: certs.ca,
      });
    });

    it('a client with the certificate talks to Temporal through the terminator', async () => {
      const before = terminator.accepted.length;
      const c = await client(mtlsEnv());
      const { namespaceInfo } = await c.workflowService.describeNamespace({ namespace: 'default' });
      expect(namespaceInfo?.name).toBe('default');
      expect(terminator.accepted.slice(before)).toContainEqual({ clientCn: 'pipewatch-worker' });
    });

    it('a worker (NativeConnection) and a client over mutual TLS complete a workflow', async () => {
      const before = terminator.accepted.length;
      await heartbeatThrough(mtlsEnv());
      // One handshake for the worker's native connection and its activity client, one for the starter.
      expect(terminator.accepted.length - before).toBeGreaterThanOrEqual(3);
    });

    it('TEMPORAL_TLS_SERVER_NAME chooses the name checked against the server certificate', async () => {
      // The certificate names 127.0.0.1 and localhost.
      const c = await client(mtlsEnv({ TEMPORAL_TLS_SERVER_NAME: 'localhost' }));
      await expect(c.workflowService.getSystemInfo({})).resolves.toBeDefined();
      const native = await connectWorker(temporalSettings(mtlsEnv({ TEMPORAL_TLS_SERVER_NAME: 'localhost' })));
      await native.close();

      for (const message of await refusals(mtlsEnv({ TEMPORAL_TLS_SERVER_NAME: 'temporal.example.com' }))) {
        expect(message).toMatch(unreachable(terminator.address));
        expect(message).toMatch(
          /Host: temporal\.example\.com\. is not in the cert's altnames.*TEMPORAL_TLS_SERVER_NAME sets the name to check/,
        );
      }
    });

    it('without a client certificate the server refuses the handshake, and the error says so and names the address', async () => {
      const before = terminator.rejected.length;
      const messages = await refusals(
        mtlsEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: undefined, TEMPORAL_TLS_CLIENT_KEY_PATH: undefined }),
      );
      for (const message of messages) {
        expect(message).toMatch(unreachable(terminator.address));
        expect(message).toContain(
          'the server requires a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH)',
        );
      }
      expect(terminator.rejected.slice(before).map((r) => r.error)).toContain(
        'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
      );
    });

    it('a client certificate from another CA is refused', async () => {
      const before = terminator.rejected.length;
      const acceptedBefore = terminator.accepted.length;
      const messages = await refusals(
        mtlsEnv({
          TEMPORAL_TLS_CLIENT_CERT_PATH: foreignClientCert.certFile,
          TEMPORAL_TLS_CLIENT_KEY_PATH: foreignClientCert.keyFile,
        }),
      );
      for (const message of messages) {
        expect(message).toMatch(unreachable(terminator.address));
        expect(message).toContain('as servers do when they refuse the client certificate');
      }
      // OpenSSL's verdict on a certificate whose issuer it does not know.
      expect(terminator.rejected.slice(before)).toContainEqual({ error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      expect(terminator.accepted.length).toBe(acceptedBefore);
    });

    it('a server certificate from a CA the client does not trust is refused', async () => {
      const acceptedBefore = terminator.accepted.length;
      const e = mtlsEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: undefined });
      // Still TLS because of the client certificate; the server's is checked against the system roots.
      expect(temporalSettings(e).tls).toBeTruthy();
      for (const message of await refusals(e)) {
        expect(message).toMatch(unreachable(terminator.address));
        expect(message).toContain(
          'the server certificate is not signed by a CA this client trusts (TEMPORAL_TLS_SERVER_CA_CERT_PATH)',
        );
      }
      expect(terminator.accepted.length).toBe(acceptedBefore);
    });

    it('TLS towards the plaintext dev server says the server does not speak TLS', async () => {
      for (const message of await refusals({ TEMPORAL_ADDRESS: env.temporalAddress, TEMPORAL_TLS: 'true' })) {
        expect(message).toMatch(unreachable(env.temporalAddress));
        expect(message).toContain('the server does not speak TLS');
      }
    });
  });

  describe('API key', () => {
    const keyEnv = (apiKey: string): NodeJS.ProcessEnv => ({
      TEMPORAL_ADDRESS: gateway.address,
      TEMPORAL_API_KEY: apiKey,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caFile,
      PIPEWATCH_TASK_QUEUE: uniqueName('key-tq'),
    });

    it('TEMPORAL_API_KEY implies TLS and is sent as a bearer token on every call, from client and worker', async () => {
      expect(temporalSettings({ TEMPORAL_API_KEY: API_KEY }).tls).toBeTruthy();
      const before = gateway.calls.length;
      await heartbeatThrough(keyEnv(API_KEY));
      const calls = gateway.calls.slice(before);
      const paths = new Set(calls.map((c) => c.path));
      expect(paths).toContain('/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution');
      for (const method of [
        'PollWorkflowTaskQueue',
        'RespondWorkflowTaskCompleted',
        'PollActivityTaskQueue',
        'RespondActivityTaskCompleted',
      ]) {
        expect(paths).toContain(`/temporal.api.workflowservice.v1.WorkflowService/${method}`);
      }
      expect(calls.filter((c) => c.authorization !== `Bearer ${API_KEY}`)).toEqual([]);
    });

    it('a refused key fails with the address and without the key in the message', async () => {
      const wrongKey = 'pwk_live_0000wrong0000key0000';
      const before = gateway.calls.length;
      for (const message of await refusals(keyEnv(wrongKey))) {
        expect(message).toMatch(unreachable(gateway.address));
        expect(message).toContain('API key not accepted');
        expect(message).not.toContain(wrongKey);
      }
      // The key was sent (so the check above is not vacuous), just not repeated.
      expect(gateway.calls.slice(before).map((c) => c.authorization)).toContain(`Bearer ${wrongKey}`);
    });
  });
});
