// The HTTP check end to end: real responses from local servers (status, JSON body, a slow answer,
// headers, a TLS certificate with a known expiry, no answer at all) go through the http connector,
// and its conditions are judged on what it measured. test/unit/gatus-conditions.test.ts ports Gatus'
// own table against hand-made facts; this table checks what the connector adds: that the facts it
// collects from a response are the ones the conditions read.
//
// Every expected verdict is written from Gatus' documented semantics (README of TwiN/gatus,
// "Conditions": [STATUS] the status code, [BODY] the trimmed body with JSON paths, len(), has(), pat()
// as a whole-value wildcard, any(); [RESPONSE_TIME] in ms; [CERTIFICATE_EXPIRATION] the time left,
// 0 without TLS; [CONNECTED] false when no answer came) and pipewatch's documented additions
// (docs/PERSPECTIVES.md: [HEADER].<name>, days as in 30d) — not by asking pipewatch.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpConnector } from '../../connectors/http/index.js';
import { CollectError } from '../../connectors/types.js';
import { makeCertificates } from '../support/tls.js';

/** The fixed answers, by path. */
const ROUTES: Record<string, { status: number; body: string; headers?: Record<string, string>; delayMs?: number }> = {
  '/health': {
    status: 200,
    body: JSON.stringify({
      status: 'UP',
      version: '2.4.1',
      count: 2,
      items: [{ id: 7 }, { id: 8 }],
      build: { commit: 'abc123' },
    }),
    headers: { 'content-type': 'application/json', 'X-Api-Version': '2', 'cache-control': 'no-store' },
  },
  '/down': {
    status: 503,
    body: JSON.stringify({ status: 'DOWN', reason: 'database' }),
    headers: { 'content-type': 'application/json' },
  },
  '/created': { status: 201, body: '{}' },
  '/text': { status: 200, body: '  OK \n', headers: { 'content-type': 'text/plain' } },
  '/slow': { status: 200, body: '{"status":"UP"}', delayMs: 400 },
};

function answer(req: IncomingMessage, res: ServerResponse): void {
  const route = ROUTES[(req.url ?? '/').split('?')[0]!];
  if (!route) return void res.writeHead(404).end();
  setTimeout(() => res.writeHead(route.status, route.headers ?? {}).end(route.body), route.delayMs ?? 0);
}

type Target = 'http' | 'https' | 'untrusted' | 'closed';
/** holds: the condition is met; fails: it is not; error: no verdict ("could not check"). */
type Verdict = 'holds' | 'fails' | 'error';

const TABLE: Array<[Target, string, string, Verdict]> = [
  // [STATUS]
  ['http', '/health', '[STATUS] == 200', 'holds'],
  ['http', '/down', '[STATUS] == 200', 'fails'],
  ['http', '/health', '[STATUS] < 300', 'holds'],
  ['http', '/down', '[STATUS] < 300', 'fails'],
  ['http', '/down', '[STATUS] >= 500', 'holds'],
  ['http', '/created', '[STATUS] == any(200, 201)', 'holds'],
  ['http', '/down', '[STATUS] == any(200, 201)', 'fails'],
  // [BODY]: JSON paths, len(), has(), pat(), the whole trimmed body
  ['http', '/health', '[BODY].status == UP', 'holds'],
  ['http', '/down', '[BODY].status == UP', 'fails'],
  ['http', '/down', '[BODY].status != UP', 'holds'],
  ['http', '/health', '[BODY].items[1].id == 8', 'holds'],
  ['http', '/health', '[BODY].items[0].id == 8', 'fails'],
  ['http', '/health', '[BODY].build.commit == abc123', 'holds'],
  ['http', '/health', 'len([BODY].items) == 2', 'holds'],
  ['http', '/health', 'len([BODY].items) > 2', 'fails'],
  ['http', '/health', '[BODY].count == len([BODY].items)', 'holds'],
  ['http', '/health', '[BODY].count > 1', 'holds'],
  ['http', '/health', 'has([BODY].errors) == false', 'holds'],
  ['http', '/health', 'has([BODY].status) == true', 'holds'],
  ['http', '/down', 'has([BODY].reason) == false', 'fails'],
  ['http', '/health', '[BODY].version == pat(2.*)', 'holds'],
  ['http', '/health', '[BODY].version == pat(3.*)', 'fails'],
  ['http', '/health', '[BODY].version == pat(2.4)', 'fails'], // matched whole, not found inside
  ['http', '/health', '[BODY].missing == UP', 'fails'],
  ['http', '/text', '[BODY] == OK', 'holds'],
  ['http', '/text', '[BODY].status == UP', 'fails'], // not JSON
  // [RESPONSE_TIME], in ms
  ['http', '/health', '[RESPONSE_TIME] < 5000', 'holds'],
  ['http', '/slow', '[RESPONSE_TIME] > 300', 'holds'],
  ['http', '/slow', '[RESPONSE_TIME] < 300', 'fails'],
  ['http', '/slow', '[RESPONSE_TIME] < 5s', 'holds'],
  // [HEADER].<name>: HTTP header names are case-insensitive
  ['http', '/health', '[HEADER].x-api-version == 2', 'holds'],
  ['http', '/health', '[HEADER].x-api-version == 3', 'fails'],
  ['http', '/health', '[HEADER].X-Api-Version == 2', 'holds'],
  ['http', '/health', '[HEADER].x-missing == 2', 'fails'],
  ['http', '/health', '[HEADER].cache-control == no-store', 'holds'],
  // [CERTIFICATE_EXPIRATION]: the certificate below is valid for 10 days; over plain HTTP there is none
  ['https', '/health', '[CERTIFICATE_EXPIRATION] > 48h', 'holds'],
  ['https', '/health', '[CERTIFICATE_EXPIRATION] > 7d', 'holds'],
  ['https', '/health', '[CERTIFICATE_EXPIRATION] > 30d', 'fails'],
  ['https', '/health', '[CERTIFICATE_EXPIRATION] < 264h', 'holds'],
  ['http', '/health', '[CERTIFICATE_EXPIRATION] > 48h', 'fails'],
  ['https', '/health', '[STATUS] == 200', 'holds'],
  // [CONNECTED], [IP]
  ['http', '/health', '[CONNECTED] == true', 'holds'],
  ['http', '/down', '[CONNECTED] == true', 'holds'], // an error status is still an answer
  ['http', '/health', '[IP] == 127.0.0.1', 'holds'],
  ['closed', '/health', '[CONNECTED] == false', 'holds'],
  ['closed', '/health', '[CONNECTED] == true', 'fails'],
  ['untrusted', '/health', '[CONNECTED] == false', 'holds'], // a certificate that does not verify: no answer
  // Without a [CONNECTED] condition, no answer is "could not check", never a verdict on the service.
  ['closed', '/health', '[STATUS] == 200', 'error'],
  ['untrusted', '/health', '[STATUS] == 200', 'error'],
];

describe('HTTP conditions on what the http connector measured', () => {
  const root = mkdtempSync(join(tmpdir(), 'pipewatch-http-conditions-'));
  const certificates = makeCertificates(root);
  const servers: Server[] = [];
  const urls = {} as Record<Target, string>;

  const listen = (server: Server, scheme: string) =>
    new Promise<string>((resolve) => {
      servers.push(server);
      server.listen(0, '127.0.0.1', () => resolve(`${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });

  beforeAll(async () => {
    const tls = certificates.server(10);
    urls.http = await listen(createHttpServer(answer), 'http');
    urls.https = await listen(createHttpsServer({ key: tls.key, cert: tls.cert }, answer), 'https');
    // Signed by a CA the connector is not told about.
    const stranger = makeCertificates(root, 'a CA nobody trusts').server(10);
    urls.untrusted = await listen(createHttpsServer({ key: stranger.key, cert: stranger.cert }, answer), 'https');
    const closed = createHttpServer();
    urls.closed = await listen(closed, 'http');
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    servers.pop();
  });

  afterAll(async () => {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    rmSync(root, { recursive: true, force: true });
  });

  const probe = (target: Target, path: string, conditions: string[]) => {
    const connector = httpConnector.create('probe', {
      type: 'http',
      url: urls[target],
      headers: {},
      timeout: 5_000,
      rejectUnauthorized: true,
      ...(target === 'https' ? { caFile: certificates.caFile } : {}),
    });
    return connector.collect({
      check: { type: 'http', path, method: 'GET', conditions, conditionSeverity: 'warning' },
      at: new Date(),
    });
  };

  it.each(TABLE)('%s %s: %s %s', async (target, path, condition, expected) => {
    let verdict: Verdict;
    try {
      const m = await probe(target, path, [condition]);
      verdict = m.failed?.some((f) => f.condition === condition) ? 'fails' : 'holds';
    } catch (err) {
      if (!(err instanceof CollectError)) throw err;
      verdict = 'error';
    }
    expect(verdict).toBe(expected);
  });

  it("reports the failing conditions only, in order, at the check's severity, with the response time as the value", async () => {
    const conditions = [
      '[STATUS] == 200',
      '[BODY].status == UP',
      '[CONNECTED] == true',
      '[RESPONSE_TIME] < 300',
      'len([BODY].reason) > 0',
    ];
    const m = await probe('http', '/down', conditions);
    expect(m.failed?.map((f) => f.condition)).toEqual(['[STATUS] == 200', '[BODY].status == UP']);
    expect(m.failedSeverity).toBe('warning');
    expect(m.unit).toBe('seconds');
    const slow = await probe('http', '/slow', ['[STATUS] == 200']);
    expect(slow.failed).toBeUndefined();
    expect(slow.value).toBeGreaterThanOrEqual(0.4);
    expect(slow.value).toBeLessThan(5);
  });

  it('names the expiry it judged: 10 days ahead', async () => {
    const m = await probe('https', '/health', ['[CERTIFICATE_EXPIRATION] > 48h']);
    const left = Date.parse(String(m.details!.certificateExpires)) - Date.now();
    expect(left).toBeGreaterThan(9 * 86_400_000);
    expect(left).toBeLessThanOrEqual(10 * 86_400_000 + 60_000);
  });
});
