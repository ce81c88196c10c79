// OpenTelemetry tracing (workers/tracing.ts): with OTEL_EXPORTER_OTLP_ENDPOINT set, one monitor run is one trace
// — the workflow, its activities and the connector call — received by an OTLP/HTTP receiver in this process.
import { createServer, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { parseConfig } from '../../config/load.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import type { RunningWorker } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** An OTLP/HTTP (JSON) trace receiver: what the exporter posts to <endpoint>/v1/traces. */
async function otlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const doc = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: ReceivedSpan[] }> }> };
        for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('tracing', () => {
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let schema: TestSchema;
  let worker: RunningWorker;
  let client: Client;
  let fixture: WorkerWithStore;

  beforeAll(async () => {
    receiver = await otlpReceiver();
    schema = await createTestSchema('trace');
    await schema.pool.query(
      `CREATE TABLE "${schema.name}".records (ts timestamptz DEFAULT now()); INSERT INTO "${schema.name}".records DEFAULT VALUES;`,
    );
    fixture = await startWorkerWithStore('tracestore', {
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      LAKE_URL: testEnv().databaseUrl,
    });
    ({ worker, client } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
    await receiver?.close();
    await schema?.drop();
  });

  it('makes one monitor run one trace: the workflow, its activities and the connector call', async () => {
    const id = uniqueName('traced').toLowerCase().replace(/_/g, '-');
    const [monitor] = parseConfig(
      `version: 1
defaults: { schedule: { every: 1m } }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}" }
monitors:
  - id: ${id}
    connector: lake
    check: { type: freshness, dataset: ${schema.name}.records, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
`,
      'tracing.yaml',
      { env: false },
    ).monitors;
    const result = (await client.workflow.execute(monitorWorkflow, {
      args: [monitor!],
      taskQueue: worker.settings.taskQueue,
      workflowId: `${uniqueName('run')}/${id}`,
    })) as MonitorRunResult;
    expect(result.status).toBe('ok');

    const root = await waitFor(
      () => receiver.spans.find((s) => s.name === 'RunWorkflow:monitorWorkflow'),
      'the workflow span',
      30_000,
    );
    const trace = await waitFor(
      () => {
        const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
        return spans.some((s) => s.name === 'postgres freshness') &&
          spans.some((s) => s.name.startsWith('RunActivity:recordRun'))
          ? spans
          : undefined;
      },
      'the activity and connector spans in the same trace',
      30_000,
    );
    const names = trace.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['RunWorkflow:monitorWorkflow', 'RunActivity:collect', 'postgres freshness']),
    );
    // The connector call hangs under the collect activity's span.
    const collect = trace.find((s) => s.name === 'RunActivity:collect')!;
    expect(trace.find((s) => s.name === 'postgres freshness')!.parentSpanId).toBe(collect.spanId);
    // And nothing of this run went to another trace.
    expect(receiver.spans.filter((s) => s.name === 'postgres freshness' && s.traceId !== root.traceId)).toHaveLength(0);
  });
});
