// Monitor results to Elasticsearch (sinks.elasticsearch): monitorWorkflow on a
// test worker writes each run through the real @elastic/elasticsearch client
// to a local HTTP server that answers as Elasticsearch's Bulk API documents
// and records what it received (test/support/fake-elasticsearch.ts). Checked:
// the ECS document of a run, one document per stage for a stageCounts run (a
// real reconciliation of two PostgreSQL tables), the run id as _id (a repeated
// run replaces, never duplicates), the API key sent but written nowhere, and a
// sink that is down or refuses documents never failing the run.
import type { Client } from '@temporalio/client';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import type { HistoryStore } from '../../store/history.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { testEnv, uniqueName } from '../support/env.js';
import { RecordingElasticsearch } from '../support/fake-elasticsearch.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import type { RunningWorker } from '../support/temporal.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const API_KEY = 'c2luay1rZXktZm9yLXRlc3RzLW9ubHk=';
const HOUR = 3_600_000;

describe('results sink to Elasticsearch', () => {
  const name = uniqueName('sink').toLowerCase().replace(/_/g, '-');
  const index = `${name}-results`;
  let schema: TestSchema;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  let fixture: WorkerWithStore;
  let es: RecordingElasticsearch;
  let monitors: Record<'backlog' | 'stages', MonitorDefinition>;

  beforeAll(async () => {
    es = await new RecordingElasticsearch().start();
    schema = await createTestSchema('sink');
    const s = `"${schema.name}"`;
    await schema.pool.query(`CREATE TABLE ${s}.backlog (id serial PRIMARY KEY)`);
    await schema.pool.query(`INSERT INTO ${s}.backlog DEFAULT VALUES`);
    await schema.pool.query(`CREATE TABLE ${s}.collected (id text, ts timestamptz)`);
    await schema.pool.query(`CREATE TABLE ${s}.parsed (id text, ts timestamptz)`);
    // The same records in each of the last three hours, so whichever hour is judged: 10 collected, 8 parsed.
    const lastHour = Math.floor(Date.now() / HOUR) * HOUR;
    for (let h = 1; h <= 3; h++) {
      const ts = new Date(lastHour - h * HOUR + 60_000);
      for (let i = 0; i < 10; i++) {
        await schema.pool.query(`INSERT INTO ${s}.collected VALUES ($1, $2)`, [`h${h}-r${i}`, ts]);
        if (i < 8) await schema.pool.query(`INSERT INTO ${s}.parsed VALUES ($1, $2)`, [`h${h}-r${i}`, ts]);
      }
    }
    fixture = await startWorkerWithStore('sinkstore', {
      ...process.env,
      LAKE_URL: testEnv().databaseUrl,
      ES_SINK_KEY: API_KEY,
    });
    ({ store, worker, client } = fixture);
    const config = parseConfig(
      `version: 1
project: ${name}
defaults: { schedule: { every: 1m }, flap: { failAfter: 2, resolveAfter: 1 }, notify: [dev] }
channels: { dev: { type: console } }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}" }
  search: { type: elasticsearch, node: "${es.url}", apiKey: "\${ES_SINK_KEY}", requestTimeout: 5s }
sinks:
  elasticsearch: { connector: search, index: ${index} }
pipelines:
  ${name}:
    stages:
      - { id: collection, connector: lake, dataset: ${schema.name}.collected, uniqueId: id, timestamp: ts }
      - { id: processing, connector: lake, dataset: ${schema.name}.parsed, uniqueId: id, timestamp: ts }
monitors:
  - id: ${name}-backlog
    perspective: data
    pipeline: ${name}
    labels: { team: lake, stage: processing }
    connector: lake
    check: { type: sql, query: 'SELECT count(*) FROM ${s}.backlog' }
    rules: [{ above: 5, severity: critical }]
  - id: ${name}-stages
    check: { type: stageCounts, pipeline: ${name}, window: 1h, settle: 0s }
    rules: [{ above: 0, severity: critical }]
`,
      'sink.yaml',
      { env: false },
    );
    monitors = { backlog: config.monitors[0]!, stages: config.monitors[1]! };
  });

  afterAll(async () => {
    await fixture?.close();
    await es?.stop();
    await schema?.drop();
  });

  const run = async (monitor: MonitorDefinition, workflowId: string) =>
    (await client.workflow.execute(monitorWorkflow, {
      workflowId,
      taskQueue: worker.settings.taskQueue,
      args: [monitor],
    })) as MonitorRunResult;

  it('writes each run as an ECS document under its run id, with the API key sent and stored nowhere', async () => {
    const runId = `pipewatch-monitor/${name}-backlog-1`;
    expect(await run(monitors.backlog, runId)).toMatchObject({ status: 'ok', value: 1 });
    const [doc, ...more] = es.docs(index);
    expect(more).toEqual([]);
    expect(doc).toEqual({
      _id: runId,
      _version: 1,
      '@timestamp': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      message: `${name}-backlog: ok — value of ${name}-backlog 1 is within all rules`,
      event: { kind: 'metric', module: 'pipewatch', dataset: 'pipewatch.run', outcome: 'success', id: runId },
      pipewatch: {
        monitor: { id: `${name}-backlog`, check: 'sql', perspective: 'data' },
        run: { id: runId, transition: 'none', alerting: false },
        pipeline: name,
        perspective: 'data',
        stage: 'processing',
        value: 1,
        unit: 'records',
        status: 'ok',
        reason: `value of ${name}-backlog 1 is within all rules`,
      },
      labels: { team: 'lake', stage: 'processing' },
    });
    // The stored point and the document agree.
    const [point] = await store.recentPoints(`${name}-backlog`, 1);
    expect(point).toMatchObject({ runId, value: 1, status: 'ok', observedAt: doc!['@timestamp'] });
    expect(es.writes.map((w) => w.authorization)).toEqual([`ApiKey ${API_KEY}`]);
    expect(JSON.stringify(es.writes.map((w) => w.doc))).not.toContain(API_KEY);
    const history = await client.workflow.getHandle(runId).fetchHistory();
    expect(JSON.stringify(history)).not.toContain(API_KEY);

    // The same run again (a retried activity, or a run repeated under its id) replaces its document.
    await run(monitors.backlog, runId);
    expect(es.docs(index)).toHaveLength(1);
    expect(es.docs(index)[0]!._version).toBe(2);
  });

  it('writes a failing run as a failure with the alert it opened', async () => {
    await schema.pool.query(`INSERT INTO "${schema.name}".backlog SELECT FROM generate_series(1, 9)`);
    for (const n of [2, 3]) await run(monitors.backlog, `pipewatch-monitor/${name}-backlog-${n}`);
    const third = es.docs(index).find((d) => d._id === `pipewatch-monitor/${name}-backlog-3`)!;
    expect(third).toMatchObject({
      event: { outcome: 'failure' },
      pipewatch: { status: 'critical', value: 10, run: { transition: 'open', alerting: true } },
    });
  });

  it('writes one document per stage of the judged window for a stageCounts run', async () => {
    const runId = `pipewatch-monitor/${name}-stages-1`;
    expect(await run(monitors.stages, runId)).toMatchObject({ status: 'critical', value: 2 });
    const docs = es
      .docs(index)
      .filter((d) => (d.pipewatch as { monitor: { id: string } }).monitor.id === `${name}-stages`);
    expect(docs.map((d) => d._id).sort()).toEqual([runId, `${runId}/stage/collection`, `${runId}/stage/processing`]);
    const stage = (id: string) => docs.find((d) => d._id === `${runId}/stage/${id}`)!;
    const [window] = await store.stageCounts(name, 1);
    expect(stage('collection')).toMatchObject({
      '@timestamp': window!.windowStart,
      event: { kind: 'metric', dataset: 'pipewatch.stage', outcome: 'success' },
      pipewatch: {
        pipeline: name,
        perspective: 'data',
        stage: 'collection',
        value: 10,
        lost: 0,
        unit: 'records',
        status: 'critical',
        run: { id: runId },
      },
    });
    expect(stage('processing')).toMatchObject({
      event: { outcome: 'failure' },
      pipewatch: { stage: 'processing', value: 8, lost: 2 },
    });
    expect(docs.find((d) => d._id === runId)).toMatchObject({
      event: { dataset: 'pipewatch.run', outcome: 'failure' },
      pipewatch: { pipeline: name, value: 2 },
    });
    // The counts are the store's.
    const stored = await store.stageCountsOfWindow(name, new Date(window!.windowStart));
    expect(stored.map((s) => [s.stage, s.count, s.lost])).toEqual([
      ['collection', 10, 0],
      ['processing', 8, 2],
    ]);
  });

  it('never fails a run when the sink is down or refuses the document', async () => {
    es.failWith = {
      status: 503,
      type: 'cluster_block_exception',
      reason: 'blocked by: [SERVICE_UNAVAILABLE/2/no master]',
    };
    const before = es.writes.length;
    const down = await run(monitors.backlog, `pipewatch-monitor/${name}-backlog-down`);
    expect(down.status).toBe('critical');
    expect((await store.recentPoints(`${name}-backlog`, 1))[0]!.runId).toBe(`pipewatch-monitor/${name}-backlog-down`);
    expect(es.writes.length).toBe(before);

    es.failWith = undefined;
    es.refuse = { index, type: 'mapper_parsing_exception', reason: 'failed to parse field [pipewatch.value]' };
    const refused = await run(monitors.backlog, `pipewatch-monitor/${name}-backlog-refused`);
    expect(refused.status).toBe('critical');
    expect(es.writes.at(-1)!.id).toBe(`pipewatch-monitor/${name}-backlog-refused`);
    expect(es.docs(index).map((d) => d._id)).not.toContain(`pipewatch-monitor/${name}-backlog-refused`);
    es.refuse = undefined;
  });
});
