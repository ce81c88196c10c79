// pipewatch/logging: ECS field names, and the Elasticsearch bulk sink losing
// nothing when the receiver is slow, answers 429, or rejects single items.
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger, ElasticsearchSink } from '../../logging/index.js';
import { freePort } from '../support/ports.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, stream };
}

describe('the logging interface', () => {
  it('writes ECS fields: @timestamp, log.level, message, service.name, labels, event.*, error.*', async () => {
    const { lines, stream } = capture();
    const log = createLogger({
      service: 'crawler',
      pipeline: 'intel',
      sinks: [{ kind: 'stream', stream: stream as never }],
    });
    const run = log.child({ stage: 'parse', runId: 'r-7' });
    run.stageFailed({ error: new TypeError('no <title>'), item: 'leak-42.html', code: 'E_PARSE' });
    run.recordsDropped({ count: 3, reason: 'duplicate' });
    run.archivePasswordRequired({ path: '/in/dump.zip', source: 'leak-site-a' });
    await log.flush();
    expect(lines).toHaveLength(3);
    const [failed, dropped, archive] = lines;
    expect(failed).toMatchObject({
      'log.level': 'error',
      'service.name': 'crawler',
      'ecs.version': expect.stringMatching(/^8\./),
      message: 'stage failed on leak-42.html: no <title>',
      labels: { pipeline: 'intel', stage: 'parse', run_id: 'r-7' },
      event: { action: 'stage.failed', code: 'E_PARSE', outcome: 'failure' },
      error: { type: 'TypeError', message: 'no <title>', stack_trace: expect.stringContaining('TypeError') },
    });
    expect(new Date(String(failed!['@timestamp'])).toISOString()).toBe(failed!['@timestamp']);
    expect(dropped).toMatchObject({
      'log.level': 'warn',
      event: { action: 'records.dropped' },
      records: { dropped: 3 },
    });
    expect(archive).toMatchObject({
      event: { action: 'archive.password_required' },
      file: { path: '/in/dump.zip' },
      source: { name: 'leak-site-a' },
    });
    // One "labels" object per line, however deep the children.
    expect(Object.keys(failed!).filter((k) => k === 'labels')).toHaveLength(1);
  });
});

describe('the Elasticsearch bulk sink', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];
  let requests = 0;
  let behaviour: 'ok' | '429' | 'slow' | 'partial' = 'ok';

  beforeAll(async () => {
    port = await freePort();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests++;
        const docs = body
          .split('\n')
          .filter(Boolean)
          .filter((_, i) => i % 2 === 1);
        if (behaviour === '429') return void res.writeHead(429).end('{"error":"too many requests"}');
        const answer = () => {
          // "partial": the second item of every batch is rejected with 429 once.
          const items = docs.map((d, i) =>
            behaviour === 'partial' && i === 1 ? { create: { status: 429 } } : { create: { status: 201 } },
          );
          docs.forEach((d, i) => items[i]!.create.status === 201 && received.push(d));
          if (behaviour === 'partial') behaviour = 'ok';
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ errors: items.some((i) => i.create.status !== 201), items }));
        };
        if (behaviour === 'slow') setTimeout(answer, 300);
        else answer();
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(() => r(undefined)));
  });

  it('delivers every line through 429s, a slow server and rejected items, and flushes on close', async () => {
    behaviour = '429';
    const reports: string[] = [];
    const sink = new ElasticsearchSink({
      node: `http://127.0.0.1:${port}`,
      index: 'logs-pipewatch-test',
      batchSize: 50,
      flushInterval: 20,
      maxBackoff: 100,
      report: (m) => reports.push(m),
    });
    const log = createLogger({ service: 'etl', sinks: [{ kind: 'stream', stream: sink as never }] });
    for (let i = 0; i < 500; i++) log.info(`line ${i}`, { n: i });
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(0);
    behaviour = 'slow';
    await new Promise((r) => setTimeout(r, 500));
    behaviour = 'partial';
    for (let i = 500; i < 1000; i++) log.info(`line ${i}`, { n: i });
    await log.close();
    const ns = received.map((d) => JSON.parse(d).n as number);
    expect(new Set(ns).size).toBe(1000);
    expect(ns).toHaveLength(1000);
    expect(sink.dropped).toBe(0);
    expect(sink.sent).toBe(1000);
    expect(requests).toBeGreaterThan(20);
  });
});
