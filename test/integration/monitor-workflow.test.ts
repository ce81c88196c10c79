// MonitorWorkflow on a real worker, dev server, PostgreSQL and SMTP server:
// verdicts are recorded, "could not check" is its own status, incidents are
// opened with an email, and no resolved secret ever reaches workflow history.
import type { Client } from '@temporalio/client';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import type { HistoryStore } from '../../store/history.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { STATUS } from '../../workflows/search-attributes.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import { SmtpReceiver } from '../support/smtp.js';
import { decodedHistoryText, type RunningWorker } from '../support/temporal.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const SECRET = 'sup3r-secret-pa55word';

describe('monitorWorkflow', () => {
  let schema: TestSchema;
  let store: HistoryStore;
  let smtp: SmtpReceiver;
  let worker: RunningWorker;
  let client: Client;
  let fixture: WorkerWithStore;
  const workerEnv = { ...process.env, LAKE_URL: testEnv().databaseUrl, DOWN_PASSWORD: SECRET };

  beforeAll(async () => {
    schema = await createTestSchema('monwf');
    await schema.pool.query(`CREATE TABLE "${schema.name}".records (id text, ts timestamptz DEFAULT now())`);
    await schema.pool.query(`INSERT INTO "${schema.name}".records (id) VALUES ('a'), ('b')`);
    smtp = await SmtpReceiver.start();
    fixture = await startWorkerWithStore('monwfstore', workerEnv);
    ({ store, worker, client } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
    await smtp?.stop();
    await schema.drop();
  });

  function definitions(): Record<'fresh' | 'down' | 'unset', MonitorDefinition> {
    const config = parseConfig(
      `version: 1
defaults: { schedule: { every: 1m }, flap: { failAfter: 1, resolveAfter: 1 }, notify: [mail] }
routing: { groupWait: 0s }
notifications: { retry: { initialInterval: 1s, maximumInterval: 2s }, timeout: 10s }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}", statementTimeout: 2s, connectTimeout: 2s }
  down: { type: postgres, url: "postgres://postgres@127.0.0.1:1/test", password: "\${DOWN_PASSWORD}", connectTimeout: 1s }
  unset: { type: postgres, url: "\${NOT_SET_ANYWHERE}" }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port} }, from: pw@example.test, to: [ops@example.test] }
monitors:
  - id: ${uniqueName('fresh').toLowerCase().replace(/_/g, '-')}
    connector: lake
    check: { type: freshness, dataset: ${schema.name}.records, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
  - id: ${uniqueName('down').toLowerCase().replace(/_/g, '-')}
    connector: down
    check: { type: freshness, dataset: records, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
  - id: ${uniqueName('unset').toLowerCase().replace(/_/g, '-')}
    connector: unset
    check: { type: count, dataset: records, timestamp: ts, window: 1h }
    rules: [{ below: 1, severity: critical }]
`,
      'test.yaml',
      { env: false },
    );
    const [fresh, down, unset] = config.monitors;
    return { fresh: fresh!, down: down!, unset: unset! };
  }
  let defs: Record<'fresh' | 'down' | 'unset', MonitorDefinition>;
  beforeAll(() => {
    defs = definitions();
  });

  const run = (monitor: MonitorDefinition) =>
    client.workflow.start(monitorWorkflow, {
      args: [monitor],
      taskQueue: worker.settings.taskQueue,
      workflowId: `${uniqueName('run')}/${monitor.id}`,
    });

  it('records a healthy verdict and marks the run with its status', async () => {
    const handle = await run(defs.fresh);
    const result = (await handle.result()) as MonitorRunResult;
    expect(result).toMatchObject({ status: 'ok', transition: 'none' });
    expect(result.value).toBeLessThan(60);
    expect((await store.recentPoints(defs.fresh.id))[0]).toMatchObject({ runId: handle.workflowId, status: 'ok' });
    expect((await handle.describe()).typedSearchAttributes.get(STATUS)).toBe('ok');
  });

  it('reports an unreachable source as "could not check", opens an incident and emails it, without leaking the secret', async () => {
    const handle = await run(defs.down);
    const result = (await handle.result()) as MonitorRunResult;
    expect(result.status).toBe('error');
    expect(result.reason).toMatch(/^could not check: postgres connector "down": cannot connect: .*ECONNREFUSED/);
    expect(result.transition).toBe('open');

    const [mail] = await smtp.waitForCount(new RegExp(`FIRING ERROR: ${defs.down.id}`), 1);
    expect(mail!.text).toContain('pipewatch could not run the check');

    const rawHistories = [
      await handle.fetchHistory(),
      await client.workflow.getHandle(`pipewatch-incident/default/monitor=${defs.down.id}`).fetchHistory(),
    ];
    for (const history of rawHistories) {
      // Neither in the stored (encrypted) history, nor in what an authorised reader decodes: only the reference.
      const raw = JSON.stringify(history);
      const decoded = await decodedHistoryText(history);
      for (const text of [raw, decoded]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
      }
    }
    expect(await decodedHistoryText(rawHistories[0])).toContain('${DOWN_PASSWORD}');
    expect(JSON.stringify(rawHistories[0])).not.toContain('DOWN_PASSWORD');
  });

  it('names a variable the worker does not have, without retrying in vain', async () => {
    const started = Date.now();
    const result = (await (await run(defs.unset)).result()) as MonitorRunResult;
    expect(result.status).toBe('error');
    expect(result.reason).toBe(
      'could not check: environment variable NOT_SET_ANYWHERE is not set (referenced by connectors.unset.url)',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
