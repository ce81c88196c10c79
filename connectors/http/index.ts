// HTTP(S) probes: one request per run, timed; DNS resolution time; the TLS
// certificate's expiry and chain; conditions on status, time, body and headers
// (evaluation/conditions.ts); and the JSON shape for change detection. The
// body is read up to a limit, so a huge response cannot exhaust the worker.
// When a condition reads [CONNECTED], no answer (DNS, TLS, refused, no response
// in time, not HTTP) is a fact the conditions judge, as in Gatus, instead of a
// "could not check"; [IP] is the address the request went to.
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import type { CheckSpec, ConnectorSpec } from '../../config/model.js';
import {
  checkCondition,
  conditionUses,
  jsonShape,
  parseCondition,
  type ResponseFacts,
} from '../../evaluation/conditions.js';
import type { Measurement } from '../../evaluation/types.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory } from '../types.js';

type HttpSpec = Extract<ConnectorSpec, { type: 'http' }>;
type HttpCheck = Extract<CheckSpec, { type: 'http' }>;

/** Bodies are read this far at most; the rest is not downloaded. */
export const MAX_BODY = 5 * 1024 * 1024;

const HTTP_PARSE_ERRORS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'its headers are larger than 16 KB',
  HPE_INVALID_CONSTANT: 'it does not start with an HTTP status line',
  HPE_INVALID_VERSION: 'its status line has no valid HTTP version',
  HPE_INVALID_STATUS: 'its status line has no valid status code',
};

const NETWORK_ERRORS: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve (DNS)',
  EAI_AGAIN: 'DNS did not answer',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ETIMEDOUT: 'the connection timed out',
  CERT_HAS_EXPIRED: 'TLS: the certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS: the certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS: a self-signed certificate in the chain is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS: the certificate chain cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS: the certificate is not valid for this host name',
};

function networkError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return NETWORK_ERRORS[e.code ?? ''] ?? e.message;
}

/** An address as Gatus prints it: an IPv4 address mapped into IPv6 ("::ffff:10.0.0.1") as plain IPv4. */
function plainAddress(address: string | undefined): string | undefined {
  return address?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

/** No HTTP answer came: Gatus' [CONNECTED] false. Still a CollectError for checks that do not judge the connection. */
class NoAnswer extends CollectError {
  constructor(
    message: string,
    readonly why: string,
    readonly known: { ip?: string; dnsTimeMs?: number },
  ) {
    super(message);
  }
}

class HttpConnector implements Connector {
  private readonly ca?: Buffer;

  constructor(
    private readonly id: string,
    private readonly spec: HttpSpec,
  ) {
    this.ca = spec.caFile ? readFileSync(spec.caFile) : undefined;
  }

  private url(path: string): URL {
    try {
      return new URL(`${this.spec.url.replace(/\/+$/, '')}${path && !path.startsWith('/') ? '/' : ''}${path}`);
    } catch {
      throw new CollectError(`http connector "${this.id}": "${this.spec.url}${path}" is not a URL`);
    }
  }

  /** The peer certificate of an https endpoint: when it expires, and whether its chain verifies. */
  private certificate(url: URL, deadline: number): Promise<{ expiresAt: number; authorized: boolean; error?: string }> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({
        host: url.hostname,
        port: Number(url.port || 443),
        servername: url.hostname,
        ca: this.ca,
        rejectUnauthorized: false,
        timeout: Math.max(1, deadline - Date.now()),
      });
      socket.once('secureConnect', () => {
        const cert: PeerCertificate = socket.getPeerCertificate();
        resolve({
          expiresAt: Date.parse(cert.valid_to),
          authorized: socket.authorized,
          error: socket.authorizationError?.toString(),
        });
        socket.end();
      });
      socket.once('timeout', () =>
        socket.destroy(Object.assign(new Error('no TLS handshake before the timeout'), { code: 'ETIMEDOUT' })),
      );
      socket.once('error', reject);
    });
  }

  /**
   * One request with the whole exchange bounded: the deadline covers the body as
   * well as the headers (a server trickling a byte at a time keeps an idle
   * timeout from ever firing), and reading stops at MAX_BODY.
   */
  private send(
    url: URL,
    check: HttpCheck,
    deadline: number,
  ): Promise<{ response: IncomingMessage; body: string; truncated: boolean; ms: number; ip?: string }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      let settled = false;
      let response: IncomingMessage | undefined;
      let received = 0;
      // Read when the answer starts: a socket handed back to the agent no longer says.
      let ip: string | undefined;
      const settle = (err: Error | undefined, body?: { text: string; truncated: boolean }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else
          resolve({
            response: response!,
            body: body!.text,
            truncated: body!.truncated,
            ms: performance.now() - started,
            ip,
          });
        // Whatever is still arriving is not wanted: close the connection rather than drain it.
        if (err || body!.truncated) request.destroy();
      };
      const timer = setTimeout(
        () => {
          const what = response
            ? `the body did not end within ${this.spec.timeout} ms (${received} bytes received)`
            : `no response within ${this.spec.timeout} ms`;
          settle(Object.assign(new Error(what), { code: 'TIMEOUT', answered: response !== undefined }));
        },
        Math.max(1, deadline - Date.now()),
      );
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        {
          method: check.method,
          headers: { 'user-agent': 'pipewatch', ...this.spec.headers },
          ca: this.ca,
          rejectUnauthorized: this.spec.rejectUnauthorized,
        },
        (res) => {
          response = res;
          ip = plainAddress(res.socket?.remoteAddress);
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            if (received + c.length > MAX_BODY) {
              chunks.push(c.subarray(0, MAX_BODY - received));
              received = MAX_BODY;
              settle(undefined, { text: Buffer.concat(chunks).toString('utf8'), truncated: true });
              return;
            }
            received += c.length;
            chunks.push(c);
          });
          res.on('end', () => settle(undefined, { text: Buffer.concat(chunks).toString('utf8'), truncated: false }));
          res.on('error', (err) => settle(err));
        },
      );
      request.once('error', (err) => settle(err));
      request.end(check.body);
    });
  }

  /**
   * DNS, the certificate, then the request. A failure before any HTTP answer is a NoAnswer, which
   * a check with a [CONNECTED] condition judges; other checks report it as "could not check".
   */
  private async reach(
    url: URL,
    check: HttpCheck,
    deadline: number,
    at: Date,
  ): Promise<{ facts: ResponseFacts; response: IncomingMessage; certificateExpires?: number }> {
    let dnsTimeMs: number | undefined;
    // Literal addresses need no lookup; [IP] is the address itself until a socket says otherwise.
    let ip = /^[\d.]+$/.test(url.hostname)
      ? url.hostname
      : url.hostname.startsWith('[')
        ? url.hostname.slice(1, -1)
        : undefined;
    const noAnswer = (message: string, why: string) =>
      new NoAnswer(`http connector "${this.id}": ${message}`, why, { ip, dnsTimeMs });
    if (ip === undefined && url.hostname !== 'localhost') {
      const started = performance.now();
      try {
        ip = plainAddress((await lookup(url.hostname)).address);
      } catch (err) {
        throw noAnswer(
          `cannot resolve ${url.hostname}: ${networkError(err)}`,
          `cannot resolve ${url.hostname}: ${networkError(err)}`,
        );
      }
      dnsTimeMs = performance.now() - started;
    }

    let certificate: Awaited<ReturnType<HttpConnector['certificate']>> | undefined;
    if (url.protocol === 'https:') {
      try {
        certificate = await this.certificate(url, deadline);
      } catch (err) {
        throw noAnswer(
          `TLS handshake with ${url.host} failed: ${networkError(err)}`,
          `TLS handshake failed: ${networkError(err)}`,
        );
      }
      if (this.spec.rejectUnauthorized && !certificate.authorized) {
        const code = certificate.error ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
        const why = NETWORK_ERRORS[code] ?? `TLS: ${code}`;
        throw noAnswer(`${url.host}: ${why}`, why);
      }
    }

    let result: Awaited<ReturnType<HttpConnector['send']>>;
    try {
      result = await this.send(url, check, deadline);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { answered?: boolean };
      if (e.code === 'TIMEOUT') {
        const message = `${check.method} ${url.pathname}: ${e.message}`;
        // A body that stopped coming came with an answer: that is "could not check", connected or not.
        if (e.answered) throw new CollectError(`http connector "${this.id}": ${message}`);
        throw noAnswer(message, e.message);
      }
      // Node's HTTP parser names what it choked on (HPE_INVALID_CONSTANT, HPE_HEADER_OVERFLOW …).
      if (e.code?.startsWith('HPE_')) {
        const why = `the answer is not valid HTTP (${HTTP_PARSE_ERRORS[e.code] ?? e.message})`;
        throw noAnswer(`${check.method} ${url.origin}${url.pathname}: ${why}`, why);
      }
      throw noAnswer(`${check.method} ${url.href}: ${networkError(err)}`, networkError(err));
    }
    const headers = Object.fromEntries(
      Object.entries(result.response.headers).map(([k, v]) => [
        k.toLowerCase(),
        Array.isArray(v) ? v.join(', ') : String(v ?? ''),
      ]),
    );
    return {
      response: result.response,
      certificateExpires: certificate?.expiresAt,
      facts: {
        status: result.response.statusCode ?? 0,
        responseTimeMs: result.ms,
        body: result.body,
        bodyTruncated: result.truncated,
        headers,
        certificateExpiresInMs: certificate ? certificate.expiresAt - at.getTime() : undefined,
        dnsTimeMs,
        connected: true,
        ip: result.ip ?? ip,
      },
    };
  }

  async collect({ check, at }: CollectRequest): Promise<Measurement> {
    if (check.type !== 'http') throw new CollectError(`http connector "${this.id}" cannot run a ${check.type} check`);
    const url = this.url(check.path);
    const deadline = Date.now() + this.spec.timeout;
    const conditions = check.conditions.map((text) => ({ text, condition: parseCondition(text) }));
    const judgesConnection = conditions.some(
      ({ condition }) => typeof condition !== 'string' && conditionUses(condition, 'CONNECTED'),
    );

    const started = performance.now();
    let facts: ResponseFacts;
    let certificateExpires: number | undefined;
    try {
      ({ facts, certificateExpires } = await this.reach(url, check, deadline, at));
    } catch (err) {
      if (!(err instanceof NoAnswer) || !judgesConnection) throw err;
      facts = {
        status: 0,
        responseTimeMs: performance.now() - started,
        body: '',
        headers: {},
        connected: false,
        connectionError: err.why,
        ...err.known,
      };
    }
    const failed = conditions.flatMap(({ text, condition }) => {
      // Validated at load; a definition that skipped validation still says what is wrong.
      const why = typeof condition === 'string' ? condition : checkCondition(condition, facts);
      return why === undefined ? [] : [{ condition: text, reason: why }];
    });

    let shape: Record<string, string> | undefined;
    if (check.shape && facts.connected) {
      try {
        shape = facts.bodyTruncated
          ? { $: `larger than ${MAX_BODY / 1024 / 1024} MB, so not read as JSON` }
          : jsonShape(JSON.parse(facts.body));
      } catch {
        shape = { $: 'not JSON' };
      }
      for (const name of check.shape.headers)
        shape[`header ${name.toLowerCase()}`] = facts.headers[name.toLowerCase()] ?? '(absent)';
    }

    return {
      value: facts.responseTimeMs / 1000,
      unit: 'seconds',
      observedAt: at.toISOString(),
      details: {
        url: `${url.origin}${url.pathname}`,
        status: facts.status,
        ...(facts.connected ? {} : { connected: false, noAnswer: facts.connectionError }),
        ...(facts.ip ? { ip: facts.ip } : {}),
        ...(facts.dnsTimeMs !== undefined ? { dnsMs: Math.round(facts.dnsTimeMs) } : {}),
        ...(certificateExpires !== undefined ? { certificateExpires: new Date(certificateExpires).toISOString() } : {}),
        bodyBytes: Buffer.byteLength(facts.body),
        ...(facts.bodyTruncated
          ? {
              bodyTruncated: `only the first ${MAX_BODY / 1024 / 1024} MB was read (the limit); conditions saw that part`,
            }
          : {}),
      },
      ...(failed.length ? { failed, failedSeverity: check.conditionSeverity } : {}),
      ...(shape ? { shape } : {}),
    };
  }

  async ping(): Promise<void> {
    await this.collect({
      check: { type: 'http', path: '', method: 'HEAD', conditions: [], conditionSeverity: 'critical' },
      at: new Date(),
    });
  }

  async close(): Promise<void> {}
}

export const httpConnector: ConnectorFactory<'http'> = {
  type: 'http',
  create: (id, spec) => new HttpConnector(id, spec),
};
