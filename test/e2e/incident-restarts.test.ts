// Restart safety of incidents, with `pipewatch worker` processes and a Temporal
// dev server of this test's own (so it can be stopped): the worker killed
// while an escalation is pending, the server stopped and started again on the
// same database file, and the worker killed between "recovered" and the
// resolved message going out. Every expected message arrives exactly once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfigFile } from '../../config/load.js';
import { startDevServer, type DevServer } from '../../devserver/dev-server.js';
import { alertSignal, incidentStateQuery, incidentWorkflow, type AlertEvent } from '../../workflows/incident.js';
import { incidentsFor } from '../../evaluation/check.js';
import { dataConverter } from '../../workers/codec.js';
import { spawnWorker, type WorkerProcess } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { freePort } from '../support/ports.js';
import { sleep, waitFor } from '../support/wait.js';

describe('incidents across worker and server restarts', () => {
  const env = testEnv();
  const dir = mkdtempSync(join(env.root, 'restarts-'));
  const storeSchema = uniqueName('restarts').toLowerCase();
  let server: DevServer;
  let port: number;
  let hooks: HttpReceiver;
  let worker: WorkerProcess | undefined;
  let client: Client;
  let workerEnv: NodeJS.ProcessEnv;
  let configFile: string;
  const monitorId = uniqueName('rs').toLowerCase().replace(/_/g, '-');
  const logFile = join(dir, 'worker.log');

  const startServer = async () => {
    server = await startDevServer({ cli: env.cli, dataDir: join(dir, 'temporal'), port, uiPort: null });
  };
  const connect = async () => {
    client = new Client({
      connection: await Connection.connect({ address: `127.0.0.1:${port}` }),
      dataConverter: dataConverter(),
    });
  };

  beforeAll(async () => {
    port = await freePort();
    await startServer();
    await connect();
    hooks = await HttpReceiver.start();
    configFile = join(dir, 'pipewatch.yaml');
    writeFileSync(
      configFile,
      `version: 1
defaults: { schedule: { every: 1h } }
notifications: { retry: { initialInterval: 500ms, maximumInterval: 1s }, timeout: 3s }
routing: { receiver: oncall, groupWait: 0s, groupInterval: 1h, repeatInterval: 1h }
receivers:
  oncall: { notify: [hook], escalation: ladder }
escalations:
  ladder:
    steps: [{ after: 6s, notify: [lead] }]
channels:
  hook: { type: webhook, url: "${hooks.url('/hook')}" }
  lead: { type: webhook, url: "${hooks.url('/lead')}" }
connectors:
  lake: { type: postgres, url: "postgres://x@127.0.0.1/x" }
monitors:
  - id: ${monitorId}
    connector: lake
    check: { type: freshness, dataset: t, timestamp: ts }
    rules: [{ above: 1 }]
`,
    );
    workerEnv = {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      PIPEWATCH_TASK_QUEUE: uniqueName('rs-tq'),
      DATABASE_URL: env.databaseUrl,
      PIPEWATCH_STORE_SCHEMA: storeSchema,
    };
    worker = await spawnWorker(workerEnv, logFile, env.bundlePath);
  });

  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await client?.connection.close().catch(() => undefined);
    await server?.stop();
    await hooks?.stop();
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: env.databaseUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE`);
    await c.end();
  });

  const monitor = () => loadConfigFile(configFile, { env: false }).monitors[0]!;
  async function alert(transition: AlertEvent['transition']): Promise<string> {
    const labels = { monitor: monitorId, severity: 'critical' };
    const [incident] = incidentsFor(monitor(), labels);
    const at = new Date().toISOString();
    const status = transition === 'resolve' ? 'ok' : 'critical';
    await client.workflow.signalWithStart(incidentWorkflow, {
      workflowId: incident!.incidentId,
      taskQueue: workerEnv.PIPEWATCH_TASK_QUEUE!,
      args: [incident!],
      signal: alertSignal,
      signalArgs: [
        {
          transition,
          runId: uniqueName('run'),
          monitor: { id: monitorId, perspective: 'data', labels: {} },
          labels,
          status,
          verdict: { status, value: 1, unit: 'records', reason: `${monitorId} is ${status}`, observedAt: at },
          at,
        } satisfies AlertEvent,
      ],
    });
    return incident!.incidentId;
  }
  const count = (path: string, kind: string) => hooks.ofKind(kind, path).length;

  /** Whether the ledger has recorded a message of this kind as sent (not merely received by the channel). */
  async function confirmed(kind: string): Promise<boolean> {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: env.databaseUrl });
    await c.connect();
    try {
      const { rows } = await c.query(
        `SELECT 1 FROM "${storeSchema}".notifications WHERE kind = $1 AND state = 'sent'`,
        [kind],
      );
      return rows.length > 0;
    } finally {
      await c.end();
    }
  }

  it('sends the pending escalation once after the worker is killed', async () => {
    await alert('open');
    await waitFor(() => count('/hook', 'firing') === 1, 'the firing message');
    // Killed once the firing message is confirmed: this test is about the pending escalation. A kill
    // between the channel accepting and the ledger confirming is the one window that can repeat a
    // message (docs/OPERATIONS.md, "What durability means here"); the next test aims at the send itself.
    await waitFor(() => confirmed('firing'), 'the ledger to confirm the firing message');
    await worker!.kill('SIGKILL');
    await sleep(1_000);
    worker = await spawnWorker(workerEnv, logFile, env.bundlePath);
    await waitFor(() => count('/lead', 'escalation') === 1, 'the escalation to the lead', 30_000);
  });

  it('carries on after the Temporal server is stopped and started on the same database', async () => {
    await client.connection.close();
    await server.stop();
    await sleep(1_000);
    await startServer();
    await connect();
    const [incident] = incidentsFor(monitor(), { monitor: monitorId, severity: 'critical' });
    const state = await waitFor(
      () => client.workflow.getHandle(incident!.incidentId).query(incidentStateQuery),
      'the incident to answer after the restart',
      60_000,
    );
    expect(state.state).toBe('firing');
  });

  it('sends the resolved message once when the worker dies while sending it', async () => {
    hooks.hold();
    await alert('resolve');
    await hooks.waitForHeld(60_000);
    await worker!.kill('SIGKILL');
    await sleep(500);
    hooks.release();
    worker = await spawnWorker(workerEnv, logFile, env.bundlePath);
    await waitFor(
      () => count('/hook', 'resolved') === 1 && count('/lead', 'resolved') === 1,
      'the resolved messages',
      60_000,
    );
    await sleep(3_000);
    expect({
      hookFiring: count('/hook', 'firing'),
      hookResolved: count('/hook', 'resolved'),
      leadEscalation: count('/lead', 'escalation'),
      leadResolved: count('/lead', 'resolved'),
      other: hooks.accepted.filter((r) => !['firing', 'escalation', 'resolved'].includes(String(r.body.kind))).length,
    }).toEqual({ hookFiring: 1, hookResolved: 1, leadEscalation: 1, leadResolved: 1, other: 0 });
  });
});
