// Hostile and broken answers from HTTP endpoints, Elasticsearch and the
// Kubernetes API. Servers made here on 127.0.0.1 send what no healthy service
// would: bodies of 100–200 MB, bodies that never end, no answer at all, bytes
// that are not HTTP, invalid or absurdly nested JSON, a million hits, a gzip
// bomb, a watch line that never ends. Every case must end in a clear error or
// verdict within the configured timeout, with this process's memory (heap and
// buffers, sampled while the check runs) far below the size of what was sent,
// and the connection closed instead of drained.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcp, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip } from 'node:zlib';
import * as k8s from '@kubernetes/client-node';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { checkHere } from '../../cli/check-here.js';
import { elasticsearchConnector, MAX_RESPONSE_BYTES as ES_MAX } from '../../connectors/elasticsearch/index.js';
import { httpConnector, MAX_BODY } from '../../connectors/http/index.js';
import { eventSource, watchEvents } from '../../connectors/kubernetes/events.js';
import { MAX_WATCH_LINE_BYTES } from '../../connectors/kubernetes/watch-stream.js';
import type { LogsCheck } from '../../connectors/logs.js';
import { connectorCache } from '../../connectors/registry.js';
import type { Connector } from '../../connectors/types.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const MB = 1024 * 1024;
const TOKEN = 'hostile-test-token-do-not-print';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Measured<T> {
  result: T;
  ms: number;
  /** Highest heap + external memory seen while the work ran, above what was in use before it. */
  peakMB: number;
}

/** Runs work, timing it and sampling memory every few ms (the servers in this process are included: they write with backpressure). */
async function measured<T>(work: () => Promise<T>): Promise<Measured<T>> {
  gc();
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const base = used();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, used())), 2);
  const started = performance.now();
  try {
    const result = await work();
    peak = Math.max(peak, used());
    return { result, ms: Math.round(performance.now() - started), peakMB: Math.round(((peak - base) / MB) * 10) / 10 };
  } finally {
    clearInterval(sampler);
  }
}

const report: Array<{ case: string; ms: number; peakMB: number; sentMB?: number }> = [];
function note<T>(name: string, m: Measured<T>, sent?: number): Measured<T> {
  report.push({
    case: name,
    ms: m.ms,
    peakMB: m.peakMB,
    ...(sent !== undefined ? { sentMB: Math.round((sent / MB) * 10) / 10 } : {}),
  });
  return m;
}

/** What a server sent for one request, and whether the client hung up. */
interface Served {
  sent: number;
  closed: boolean;
}

/** Writes `total` bytes of `chunk` over and over (forever by default), waiting for the reader; stops when it hangs up. */
function pour(out: Writable, chunk: Buffer, served: Served, total = Infinity): void {
  out.once('close', () => (served.closed = true));
  out.on('error', () => undefined);
  const write = () => {
    while (!served.closed && served.sent < total) {
      const piece = total - served.sent < chunk.length ? chunk.subarray(0, total - served.sent) : chunk;
      served.sent += piece.length;
      if (!out.write(piece)) {
        out.once('drain', write);
        return;
      }
    }
    if (!served.closed) out.end();
  };
  write();
}

/** One byte every 100 ms until the reader hangs up. */
function trickle(out: Writable, served: Served): void {
  const timer = setInterval(() => {
    served.sent++;
    out.write('a');
  }, 100);
  out.once('close', () => {
    served.closed = true;
    clearInterval(timer);
  });
  out.on('error', () => undefined);
}

const listen = (server: Server | TcpServer, port: number) =>
  new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
const close = (server: Server | TcpServer | undefined) =>
  new Promise((r) => (server ? server.close(() => r(undefined)) : r(undefined)));

afterAll(() => {
  // The numbers the report quotes: time and memory per case.
  console.log(
    `hostile responses, measured:\n${report.map((r) => `  ${r.case}: ${r.ms} ms, peak +${r.peakMB} MB${r.sentMB !== undefined ? `, server sent ${r.sentMB} MB` : ''}`).join('\n')}`,
  );
});

// ----------------------------------------------------------------- HTTP

describe('HTTP checks against hostile endpoints', () => {
  // A raw TCP server, so that answers can break HTTP itself; one request per connection.
  let server: TcpServer;
  let port: number;
  const served: Record<string, Served> = {};
  let monitors: Record<string, MonitorDefinition>;
  const cache = connectorCache();
  let direct: Connector;

  const answer = (socket: Socket, type: string, body: string) =>
    socket.end(
      `HTTP/1.1 200 OK\r\ncontent-type: ${type}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );

  beforeAll(async () => {
    port = await freePort();
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`field${i}`, i])));
    server = createTcp((socket) => {
      socket.on('error', () => undefined);
      let head = '';
      socket.on('data', (data) => {
        if (head.includes('\r\n\r\n')) return;
        head += data.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const path = head.split(' ')[1]!;
        const s: Served = (served[path] = { sent: 0, closed: false });
        switch (path) {
          case '/huge':
            socket.write(
              `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${200 * MB}\r\nconnection: close\r\n\r\n`,
            );
            return pour(socket, Buffer.alloc(64 * 1024, 'a'), s, 200 * MB);
          case '/trickle':
            socket.write(
              `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000000\r\nconnection: close\r\n\r\n`,
            );
            return trickle(socket, s);
          case '/silent':
            socket.once('close', () => (s.closed = true));
            return;
          case '/garbage':
            return socket.end(
              Buffer.concat([Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'), Buffer.from([0, 255, 254, 13, 10, 13, 10])]),
            );
          case '/bad-status':
            return socket.end('HTTP/1.1 2x0 Fine\r\ncontent-length: 0\r\n\r\n');
          case '/not-json':
            return answer(socket, 'application/json', '{"status": UP, "items": [');
          case '/deep':
            return answer(socket, 'application/json', deep);
          case '/wide':
            return answer(socket, 'application/json', wide);
          default:
            return socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        }
      });
    });
    await listen(server, port);
    const config = parseConfig(
      `version: 1
defaults: { schedule: { every: 1h } }
connectors:
  hostile: { type: http, url: "http://127.0.0.1:${port}", timeout: 1s, headers: { authorization: "Bearer ${TOKEN}" } }
monitors:
  - { id: huge, connector: hostile, check: { type: http, path: /huge, conditions: ["[STATUS] == 200", "[BODY].status == UP"] }, rules: [{ above: 5s }] }
  - { id: huge-status, connector: hostile, check: { type: http, path: /huge, conditions: ["[STATUS] == 200"] }, rules: [{ above: 5s }] }
  - { id: trickle, connector: hostile, check: { type: http, path: /trickle }, rules: [{ above: 5s }] }
  - { id: silent, connector: hostile, check: { type: http, path: /silent }, rules: [{ above: 5s }] }
  - { id: garbage, connector: hostile, check: { type: http, path: /garbage }, rules: [{ above: 5s }] }
  - { id: bad-status, connector: hostile, check: { type: http, path: /bad-status }, rules: [{ above: 5s }] }
  - { id: not-json, connector: hostile, check: { type: http, path: /not-json, conditions: ["[BODY].status == UP"] }, rules: [{ above: 5s }] }
  - { id: deep, connector: hostile, check: { type: http, path: /deep, conditions: ["[BODY][0] == 1"] }, rules: [{ above: 5s }] }
`,
      'hostile.yaml',
      { env: false },
    );
    monitors = Object.fromEntries(config.monitors.map((m) => [m.id, m]));
    direct = httpConnector.create('hostile', {
      type: 'http',
      url: `http://127.0.0.1:${port}`,
      timeout: 1000,
      rejectUnauthorized: true,
      headers: {},
    } as never);
  });

  afterAll(async () => {
    await cache.closeAll();
    await close(server);
  });

  const run = (id: string) => measured(() => checkHere(monitors[id]!, new Date(), cache));
  const shapeOf = async (path: string) =>
    (
      await direct.collect({
        check: {
          type: 'http',
          path,
          method: 'GET',
          conditions: [],
          conditionSeverity: 'critical',
          shape: { headers: [] },
        } as never,
        at: new Date(),
      })
    ).shape!;

  it('reads the first 5 MB of a 200 MB body, notes the cap in the verdict, and hangs up', async () => {
    const m = note('HTTP 200 MB body', await run('huge-status'), served['/huge']?.sent);
    expect(m.result.status).toBe('ok');
    expect(m.result.details).toMatchObject({
      status: 200,
      bodyBytes: MAX_BODY,
      bodyTruncated: 'only the first 5 MB was read (the limit); conditions saw that part',
    });
    expect(m.ms).toBeLessThan(5_000);
    expect(m.peakMB).toBeLessThan(60);
    await waitFor(() => served['/huge']!.closed, 'the client to hang up', 5_000);
    // Read 5 MB, then closed: the server got nowhere near the 200 MB it meant to send.
    expect(served['/huge']!.sent).toBeLessThan(50 * MB);
    report.at(-1)!.sentMB = Math.round((served['/huge']!.sent / MB) * 10) / 10;
  });

  it('says a JSON condition was not judged on a body cut at the limit', async () => {
    const m = note('HTTP 200 MB body, JSON condition', await run('huge'));
    expect(m.result.status).toBe('critical');
    expect(m.result.reason).toBe('[BODY].status == UP: the body is larger than the limit, so it was not read as JSON');
    expect(m.peakMB).toBeLessThan(60);
  });

  it('gives up on a body that trickles a byte every 100 ms at the timeout', async () => {
    const m = note('HTTP endless trickle', await run('trickle'));
    expect(m.result.status).toBe('error');
    expect(m.result.reason).toMatch(
      /^could not check: http connector "hostile": GET \/trickle: the body did not end within 1000 ms \(\d+ bytes received\)$/,
    );
    expect(m.ms).toBeGreaterThanOrEqual(950);
    expect(m.ms).toBeLessThan(3_000);
    await waitFor(() => served['/trickle']!.closed, 'the client to hang up', 2_000);
  }, 15_000);

  it('gives up on a server that accepts and never answers', async () => {
    const m = note('HTTP never answers', await run('silent'));
    expect(m.result.reason).toBe('could not check: http connector "hostile": GET /silent: no response within 1000 ms');
    expect(m.ms).toBeLessThan(3_000);
    await waitFor(() => served['/silent']!.closed, 'the client to hang up', 2_000);
  }, 15_000);

  it('calls an answer that is not HTTP "could not check", naming what is wrong, without the credentials', async () => {
    const garbage = note('HTTP garbage bytes', await run('garbage')).result;
    expect(garbage.status).toBe('error');
    expect(garbage.reason).toBe(
      `could not check: http connector "hostile": GET http://127.0.0.1:${port}/garbage: the answer is not valid HTTP (it does not start with an HTTP status line)`,
    );
    const badStatus = (await run('bad-status')).result;
    expect(badStatus.status).toBe('error');
    expect(badStatus.reason).toMatch(
      /^could not check: http connector "hostile": GET http:\/\/127\.0\.0\.1:\d+\/bad-status: the answer is not valid HTTP \(.+\)$/,
    );
    expect(JSON.stringify([garbage, badStatus])).not.toContain(TOKEN);
  });

  it('says the body is not JSON when a condition or a shape needs JSON', async () => {
    const v = (await run('not-json')).result;
    expect(v.status).toBe('critical');
    expect(v.reason).toBe('[BODY].status == UP: the body is not JSON');
    expect(await shapeOf('/not-json')).toEqual({ $: 'not JSON' });
  });

  it('survives JSON nested 100,000 deep: the condition says so, the shape stops at 64 levels', async () => {
    const m = note('HTTP 100k-deep JSON', await run('deep'));
    expect(m.result.reason).toBe('[BODY][0] == 1: got a value nested too deeply to compare');
    expect(m.result.status).toBe('critical');
    const shape = await shapeOf('/deep');
    expect(shape.$).toBe('array');
    expect(Object.keys(shape)).toHaveLength(65);
    expect(shape[`$${'[]'.repeat(64)}`]).toBe('nested deeper than 64 levels');
  });

  it('describes at most 2,000 paths of a JSON object with 100,000 fields', async () => {
    const shape = await shapeOf('/wide');
    expect(Object.keys(shape)).toHaveLength(2_001);
    expect(shape['$.field0']).toBe('number');
    expect(shape['…']).toBe('more than 2000 paths; the rest are not described');
  });
});

// -------------------------------------------------------- Elasticsearch

describe('Elasticsearch through the real client against a hostile server', () => {
  let server: Server;
  let es: Connector;
  let gzipBomb: Buffer;
  const served: Record<string, Served> = {};
  const headers = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };
  const at = new Date('2026-11-20T12:00:00Z');
  const range = { from: new Date('2026-11-20T11:00:00Z'), to: at };

  /** A search answer that looks right but holds `n` hits (or buckets): small items, so it stays under the size limit. */
  function millionItems(res: ServerResponse, kind: 'hits' | 'buckets', s: Served): void {
    res.writeHead(200, headers);
    const open =
      kind === 'hits'
        ? '{"took":1,"timed_out":false,"hits":{"total":{"value":1000000,"relation":"eq"},"hits":['
        : '{"took":1,"timed_out":false,"hits":{"hits":[]},"aggregations":{"groups":{"buckets":[';
    const item = kind === 'hits' ? '{"_id":"1"}' : '{"key":"a","doc_count":1}';
    const block = Array.from({ length: 10_000 }, () => item).join(',');
    res.write(open);
    for (let i = 0; i < 100; i++) {
      res.write(i ? `,${block}` : block);
      s.sent += block.length;
    }
    res.end(kind === 'hits' ? ']}}' : ']}}}');
  }

  beforeAll(async () => {
    // 256 MB of spaces compress to about 250 KB.
    gzipBomb = await new Promise<Buffer>((resolve) => {
      const gzip = createGzip({ level: 9 });
      const parts: Buffer[] = [];
      gzip.on('data', (c: Buffer) => parts.push(c));
      gzip.on('end', () => resolve(Buffer.concat(parts)));
      const chunk = Buffer.alloc(MB, ' ');
      for (let i = 0; i < 256; i++) gzip.write(chunk);
      gzip.end();
    });
    const port = await freePort();
    server = createHttp((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      const index = decodeURIComponent(String(req.url).split('/')[1]!.split('?')[0]!);
      const s: Served = (served[index] = { sent: 0, closed: false });
      res.on('close', () => (s.closed = true));
      switch (index) {
        case 'huge':
          // Streamed without a length, so the limit must be applied while reading.
          res.writeHead(200, headers);
          return pour(res, Buffer.alloc(64 * 1024, ' '), s, 100 * MB);
        case 'huge-declared':
          res.writeHead(200, { ...headers, 'content-length': String(100 * MB) });
          return pour(res, Buffer.alloc(64 * 1024, ' '), s, 100 * MB);
        case 'endless':
          res.writeHead(200, headers);
          return trickle(res, s);
        case 'garbage':
          res.writeHead(200, headers);
          return res.end('<html><body>502 Bad Gateway</body></html>');
        case 'text':
          res.writeHead(200, { 'content-type': 'text/html', 'x-elastic-product': 'Elasticsearch' });
          return res.end('<html>maintenance</html>');
        case 'gzip-bomb':
          res.writeHead(200, { ...headers, 'content-encoding': 'gzip' });
          s.sent = gzipBomb.length;
          return res.end(gzipBomb);
        case 'million-hits':
          return millionItems(res, 'hits', s);
        case 'million-buckets':
          return millionItems(res, 'buckets', s);
        default:
          res.writeHead(404, headers);
          return res.end('{"error":{"type":"index_not_found_exception","reason":"no such index"},"status":404}');
      }
    });
    await listen(server, port);
    es = elasticsearchConnector.create('search', {
      type: 'elasticsearch',
      node: `http://127.0.0.1:${port}`,
      username: 'elastic',
      password: TOKEN,
      requestTimeout: 1000,
      rejectUnauthorized: true,
    });
  });

  afterAll(async () => {
    await es.close();
    await close(server);
  });

  const freshness = (dataset: string) =>
    es.collect({ check: { type: 'freshness', dataset, timestamp: '@timestamp' }, at });
  const logs = (index: string) => es.logSource!({ index, query: '' } as LogsCheck, { store: undefined as never });
  const failure = async (work: () => Promise<unknown>): Promise<string> => {
    try {
      await work();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).not.toContain(TOKEN);
      return message;
    }
    throw new Error('expected the call to fail');
  };

  it('refuses a 100 MB answer at 32 MB, streamed or declared, and hangs up', async () => {
    const m = note('ES 100 MB body (streamed)', await measured(() => failure(() => freshness('huge'))));
    expect(m.result).toBe(
      `elasticsearch connector "search": the answer is larger than ${ES_MAX / MB} MB (the limit), so it was not read; a logs check with a large maxEvents over big documents can ask for less`,
    );
    expect(m.ms).toBeLessThan(5_000);
    expect(m.peakMB).toBeLessThan(100);
    await waitFor(() => served.huge!.closed, 'the client to hang up', 5_000);
    expect(served.huge!.sent).toBeLessThan(60 * MB);
    report.at(-1)!.sentMB = Math.round((served.huge!.sent / MB) * 10) / 10;

    const declared = note(
      'ES 100 MB body (content-length)',
      await measured(() => failure(() => freshness('huge-declared'))),
    );
    expect(declared.result).toBe(m.result);
    expect(declared.peakMB).toBeLessThan(20);
  });

  it('gives up on an answer that never ends at the request timeout', async () => {
    const m = note('ES endless trickle', await measured(() => failure(() => freshness('endless'))));
    expect(m.result).toBe('elasticsearch connector "search": no complete answer within the request timeout (1000 ms)');
    expect(m.ms).toBeGreaterThanOrEqual(950);
    // No retry after the deadline (the client would back off a second or more first).
    expect(m.ms).toBeLessThan(2_000);
    await waitFor(() => served.endless!.closed, 'the client to hang up', 2_000);
  }, 15_000);

  it('says an answer is not JSON, or not a search response', async () => {
    expect(await failure(() => freshness('garbage'))).toBe(
      'elasticsearch connector "search": the answer is not valid JSON',
    );
    expect(await failure(() => freshness('text'))).toBe(
      'elasticsearch connector "search": the answer is not a JSON search response',
    );
    expect(await failure(async () => (await logs('text')).samples(range, 5))).toBe(
      'elasticsearch connector "search": the answer is not a JSON search response',
    );
  });

  it('refuses a gzip bomb while inflating it', async () => {
    const m = note(
      'ES gzip bomb (256 MB inflated)',
      await measured(() => failure(() => freshness('gzip-bomb'))),
      gzipBomb.length,
    );
    expect(m.result).toMatch(/^elasticsearch connector "search": the answer is larger than 32 MB \(the limit\)/);
    expect(m.peakMB).toBeLessThan(100);
  });

  it('refuses a search answer with a million hits, or a million buckets, where a handful were asked for', async () => {
    const hits = note(
      'ES 1,000,000 hits',
      await measured(async () => failure(async () => (await logs('million-hits')).samples(range, 5))),
    );
    expect(hits.result).toBe(
      'elasticsearch connector "search": the answer holds 1000000 hits where at most 5 were asked for',
    );
    const buckets = note(
      'ES 1,000,000 buckets',
      await measured(async () => failure(async () => (await logs('million-buckets')).counts(range, ['service']))),
    );
    expect(buckets.result).toBe(
      'elasticsearch connector "search": the answer holds 1000000 buckets where at most 1000 were asked for',
    );
    // Under the size limit these are parsed (a million small objects) before they are judged: bounded by the limit, not by the server.
    for (const m of [hits, buckets]) {
      expect(m.ms).toBeLessThan(10_000);
      expect(m.peakMB).toBeLessThan(400);
    }
  });
});

// ----------------------------------------------------------- Kubernetes

describe('Kubernetes against a hostile API server', () => {
  let server: Server;
  let port: number;
  let dir: string;
  let kubeconfig: string;
  let monitors: Record<string, MonitorDefinition>;
  const cache = connectorCache();
  const served: Record<string, Served> = {};
  const json = { 'content-type': 'application/json' };
  const event = JSON.stringify({
    type: 'ADDED',
    object: {
      kind: 'Event',
      metadata: { name: 'loader.1', namespace: 'watched', uid: 'uid-1', resourceVersion: '11' },
      involvedObject: { kind: 'Pod', name: 'loader', namespace: 'watched' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      type: 'Warning',
      count: 1,
      lastTimestamp: new Date().toISOString(),
    },
  });

  beforeAll(async () => {
    port = await freePort();
    server = createHttp((req, res) => {
      req.resume();
      const url = new URL(String(req.url), 'http://x');
      const [, , , , namespace, resource] = url.pathname.split('/');
      const watching = url.searchParams.get('watch') === 'true';
      const key = `${namespace}/${resource}${watching ? '?watch' : ''}`;
      const s: Served = (served[key] = { sent: 0, closed: false });
      res.on('close', () => (s.closed = true));
      if (resource === 'events' && !watching) {
        res.writeHead(200, json);
        return res.end('{"kind":"EventList","apiVersion":"v1","metadata":{"resourceVersion":"10"},"items":[]}');
      }
      if (resource === 'events') {
        res.writeHead(200, json);
        if (namespace === 'watched') {
          // One good event, then a line that never ends.
          res.write(`${event}\n{"type":"ADDED","object":{"message":"`);
          return pour(res, Buffer.alloc(64 * 1024, 'x'), s);
        }
        return res.write(`${event}\nthis is not JSON\n`);
      }
      switch (namespace) {
        case 'huge':
          res.writeHead(200, json);
          res.write('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[');
          return pour(
            res,
            Buffer.from(`${'{"metadata":{"name":"p","namespace":"huge"}},'.repeat(1_000)}`),
            s,
            200 * MB,
          );
        case 'garbage':
          res.writeHead(200, json);
          return res.end('{"kind":"PodList","items":[{"metadata":');
        case 'text':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<html>proxy error</html>');
        case 'endless':
          res.writeHead(200, json);
          return trickle(res, s);
        default:
          res.writeHead(404, json);
          return res.end('{"kind":"Status","status":"Failure","message":"not here","code":404}');
      }
    });
    await listen(server, port);
    dir = mkdtempSync(join(tmpdir(), 'pw-hostile-k8s-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: hostile, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: someone, user: { token: ${TOKEN} } }]
contexts: [{ name: hostile, context: { cluster: hostile, user: someone } }]
current-context: hostile
`,
    );
    const config = parseConfig(
      `version: 1
defaults: { schedule: { every: 1h } }
connectors:
  cluster: { type: kubernetes, kubeconfig: "${kubeconfig}", requestTimeout: 1s }
monitors:
${['huge', 'garbage', 'text', 'endless'].map((ns) => `  - { id: pods-${ns}, connector: cluster, check: { type: podHealth, namespace: ${ns} }, rules: [{ above: 0 }] }`).join('\n')}
`,
      'hostile-k8s.yaml',
      { env: false },
    );
    monitors = Object.fromEntries(config.monitors.map((m) => [m.id, m]));
  });

  afterAll(async () => {
    await cache.closeAll();
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (id: string) => measured(() => checkHere(monitors[id]!, new Date(), cache));

  it('refuses a 200 MB pod list at 32 MB and hangs up', async () => {
    const m = note('K8s 200 MB pod list', await run('pods-huge'));
    expect(m.result.status).toBe('error');
    expect(m.result.reason).toBe(
      'could not check: kubernetes connector "cluster": listing pods in namespace huge: the API server\'s answer is larger than 32 MB (the limit), so it was not read',
    );
    expect(m.ms).toBeLessThan(5_000);
    expect(m.peakMB).toBeLessThan(100);
    await waitFor(() => served['huge/pods']!.closed, 'the client to hang up', 5_000);
    expect(served['huge/pods']!.sent).toBeLessThan(60 * MB);
    report.at(-1)!.sentMB = Math.round((served['huge/pods']!.sent / MB) * 10) / 10;
  });

  it('says a pod list is not JSON, or not JSON at all', async () => {
    expect((await run('pods-garbage')).result.reason).toBe(
      'could not check: kubernetes connector "cluster": listing pods in namespace garbage: the API server\'s answer is not valid JSON',
    );
    expect((await run('pods-text')).result.reason).toBe(
      'could not check: kubernetes connector "cluster": listing pods in namespace text: the API server answered with text/html instead of JSON',
    );
  });

  it('gives up on a pod list that never ends at the request timeout, and closes the connection', async () => {
    const m = note('K8s endless pod list', await run('pods-endless'));
    expect(m.result.status).toBe('error');
    expect(m.result.reason).toMatch(
      /^could not check: kubernetes connector "cluster": listing pods in namespace endless: .*within 1s/,
    );
    expect(m.result.reason).not.toContain(TOKEN);
    expect(m.ms).toBeLessThan(3_000);
    // The download stops with the check: nothing keeps reading in the background.
    await waitFor(() => served['endless/pods']!.closed, 'the client to hang up', 2_000);
  }, 15_000);

  describe('event watch', () => {
    const kc = () => {
      const config = new k8s.KubeConfig();
      config.loadFromFile(kubeconfig);
      return config;
    };

    it('stops a watch line that never ends at 16 MB and reports it, keeping what came before', async () => {
      const watch = watchEvents(eventSource(kc(), { namespace: 'watched', requestTimeout: 1000 }), {
        namespace: 'watched',
        max: 100,
      });
      try {
        const m = note(
          'K8s watch line without end',
          await measured(async () => {
            await watch.ready;
            return waitFor(() => watch.lastError, 'the watch to fail', 20_000, 20);
          }),
          served['watched/events?watch']?.sent,
        );
        expect(m.result).toBe(
          `the watch of events in namespace watched: the watch stream sent a line longer than ${MAX_WATCH_LINE_BYTES / MB} MB (the limit) without ending it`,
        );
        expect(watch.items().map((e) => e.reason)).toEqual(['BackOff']);
        expect(watch.connected).toBe(false);
        expect(m.peakMB).toBeLessThan(100);
        report.at(-1)!.sentMB = Math.round((served['watched/events?watch']!.sent / MB) * 10) / 10;
      } finally {
        watch.stop();
      }
    }, 30_000);

    it('reports a watch line that is not JSON instead of skipping it', async () => {
      const watch = watchEvents(eventSource(kc(), { namespace: 'noisy', requestTimeout: 1000 }), {
        namespace: 'noisy',
        max: 100,
      });
      try {
        await watch.ready;
        expect(await waitFor(() => watch.lastError, 'the watch to fail', 5_000, 20)).toBe(
          'the watch of events in namespace noisy: the watch stream sent a line that is not JSON',
        );
      } finally {
        watch.stop();
      }
    });
  });
});
