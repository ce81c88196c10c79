// The status page's HTTP server (node:http): GET / (HTML), GET /api/status
// (the same data as JSON), nothing else, and nothing that changes anything.
// Bound to anything but the loopback interface it requires a token: as
// `Authorization: Bearer <token>`, or once as `?token=<token>`, which sets a
// cookie and redirects to the same page without the token in the address.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderPage } from './page.js';
import type { StatusData } from './status.js';

export interface StatusServerOptions {
  host: string;
  port: number;
  /** Required unless host is a loopback address; when given, always required. */
  token?: string;
  refreshSeconds: number;
  load(): Promise<StatusData>;
}

export interface StatusServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export class StatusPageConfigError extends Error {}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
export const COOKIE = 'pipewatch_ui';

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase());
}

/** The cookie holds a value derived from the token, not the token itself. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('pipewatch status page session').digest('base64url');
}

function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever was sent.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

type Auth = 'ok' | 'denied' | { setCookieAndRedirect: string };

function authorise(req: IncomingMessage, url: URL, token: string | undefined): Auth {
  if (!token) return 'ok';
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (bearer !== undefined) return sameSecret(bearer, token) ? 'ok' : 'denied';
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) {
    if (!sameSecret(fromQuery, token)) return 'denied';
    url.searchParams.delete('token');
    return { setCookieAndRedirect: `${url.pathname}${url.search}` };
  }
  const cookie = cookies(req).get(COOKIE);
  return cookie !== undefined && sameSecret(cookie, sessionValue(token)) ? 'ok' : 'denied';
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const token = options.token || undefined;
  if (!token && !isLoopback(options.host)) {
    throw new StatusPageConfigError(
      `the status page on ${options.host} would be open to the network: give it a token with --token or PIPEWATCH_UI_TOKEN, or bind it to 127.0.0.1`,
    );
  }
  if (token && token.length < 16)
    throw new StatusPageConfigError(
      'the status page token is too short: use at least 16 characters (e.g. openssl rand -hex 24)',
    );

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://status.invalid');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain; charset=utf-8', 'the status page is read-only\n', { allow: 'GET, HEAD' });
    const auth = authorise(req, url, token);
    if (auth === 'denied') {
      return send(
        res,
        401,
        'text/plain; charset=utf-8',
        'a token is required: Authorization: Bearer <token>, or open the page once with ?token=<token>\n',
        {
          'www-authenticate': 'Bearer realm="pipewatch"',
        },
      );
    }
    if (typeof auth === 'object') {
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        location: auth.setCookieAndRedirect,
        'set-cookie': `${COOKIE}=${sessionValue(token!)}; HttpOnly; SameSite=Strict; Path=/`,
      });
      return res.end();
    }
    if (url.pathname !== '/' && url.pathname !== '/api/status')
      return send(res, 404, 'text/plain; charset=utf-8', 'not found: the status page is / and its data /api/status\n');
    let data: StatusData;
    try {
      data = await options.load();
    } catch (err) {
      return send(res, 500, 'text/plain; charset=utf-8', `could not gather the status: ${(err as Error).message}\n`);
    }
    if (url.pathname === '/api/status')
      return send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(data, null, 2)}\n`);
    const nonce = randomBytes(16).toString('base64');
    send(res, 200, 'text/html; charset=utf-8', renderPage(data, { refreshSeconds: options.refreshSeconds, nonce }), {
      // Even if escaping missed something, no injected script or remote resource would run.
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
