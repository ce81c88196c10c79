// Where the Temporal service is and how to reach it, read from the same
// environment variables the `temporal` CLI uses, so one environment serves
// both: a local dev server, a self-hosted cluster with mTLS, or Temporal Cloud
// with an API key.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { dataConverter } from './codec.js';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

export const DEFAULT_TASK_QUEUE = 'pipewatch';

/**
 * A PEM from TEMPORAL_TLS_<what>_PATH (a file) or TEMPORAL_TLS_<what>_DATA
 * (the PEM itself, as Kubernetes secrets are often passed), as the CLI reads
 * them. Both at once is refused rather than one silently winning.
 */
function readPem(env: NodeJS.ProcessEnv, what: string): Uint8Array | undefined {
  const pathName = `TEMPORAL_TLS_${what}_PATH`;
  const dataName = `TEMPORAL_TLS_${what}_DATA`;
  const path = env[pathName];
  const data = env[dataName];
  if (path && data) throw new Error(`set ${pathName} or ${dataName}, not both`);
  if (data) return Buffer.from(data, 'utf8');
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(
      `${pathName}=${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      { cause: err },
    );
  }
}

/** The CLI's reading of a boolean variable: 1/0/true/false, any case. */
function readBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`${name}=${value}: expected true or false`);
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const cert = readPem(env, 'CLIENT_CERT');
  const key = readPem(env, 'CLIENT_KEY');
  if (Boolean(cert) !== Boolean(key)) {
    throw new Error(
      'set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or the _DATA forms) for mTLS, or neither',
    );
  }
  const ca = readPem(env, 'SERVER_CA_CERT');
  const serverName = env.TEMPORAL_TLS_SERVER_NAME || undefined;
  // Neither SDK connection (grpc-js for clients, the Rust core for workers)
  // can skip the host name check; verifying anyway would fail later with a
  // less helpful message.
  if (readBool(env, 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION')) {
    throw new Error(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported: set TEMPORAL_TLS_SERVER_NAME to a name the server certificate carries',
    );
  }
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const tlsFlag = readBool(env, 'TEMPORAL_TLS');
  const tlsWanted = tlsFlag ?? Boolean(cert || ca || serverName || apiKey);
  const tls: TLSConfig | false = tlsWanted
    ? {
        ...(cert && key ? { clientCertPair: { crt: cert, key } } : {}),
        ...(ca ? { serverRootCACertificate: ca } : {}),
        ...(serverName ? { serverNameOverride: serverName } : {}),
      }
    : false;
  return {
    address: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.PIPEWATCH_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    tls,
    apiKey,
  };
}

/** The error and its causes, as one line (the SDKs wrap the server's reason in a cause). */
function reasons(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && parts.length < 4; e = e instanceof Error ? e.cause : undefined) {
    const text = e instanceof Error ? e.message : String(e);
    if (!parts.some((p) => p.includes(text))) parts.push(text);
  }
  return parts.join(': ');
}

function unreachable(settings: TemporalSettings, err: unknown, diagnosis?: string): Error {
  let text = reasons(err) + (diagnosis ? ` (${diagnosis})` : '');
  // Belt and braces: no SDK message is known to echo the key, but one that did must not leak it.
  if (settings.apiKey) text = text.split(settings.apiKey).join('[API key]');
  return new Error(`cannot reach Temporal at ${settings.address} (namespace ${settings.namespace}): ${text}`);
}

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(at + 1)) };
}

/** TLS failures (OpenSSL's alert names, Node's checks) in the operator's terms. */
const TLS_REASONS: Array<[RegExp, (reason: string) => string]> = [
  [
    /certificate required/,
    () => 'the server requires a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH)',
  ],
  [/unknown ca|bad certificate|certificate unknown/, () => 'the server does not accept the client certificate'],
  [/certificate expired/, () => 'the server says the client certificate has expired'],
  [
    /self-signed certificate|unable to get local issuer|unable to verify the first certificate/,
    (r) => `the server certificate is not signed by a CA this client trusts (TEMPORAL_TLS_SERVER_CA_CERT_PATH): ${r}`,
  ],
  [/does not match certificate's altnames/, (r) => `${r} (TEMPORAL_TLS_SERVER_NAME sets the name to check)`],
  [
    /wrong version number|packet length too long|http request/,
    () => 'the server does not speak TLS (a plaintext server wants TEMPORAL_TLS=false and no TLS variables)',
  ],
];

function tlsReason(err: Error): string {
  // OpenSSL's own text is "<id>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:…".
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(err.message)?.[1] ?? err.message;
  const known = TLS_REASONS.find(([pattern]) => pattern.test(reason));
  return known ? known[1](reason) : reason;
}

/**
 * grpc-js reports any TLS failure as "Failed to connect before the deadline",
 * and the worker's Rust core sometimes only as a closed connection. After a
 * failure, one TLS handshake with the same material says why: an untrusted or
 * misnamed server certificate, or the server refusing ours. In TLS 1.3 the
 * server judges the client certificate after the client has finished its side
 * of the handshake, so a refusal arrives after 'secureConnect', as an alert or
 * a closed connection; a gRPC server that accepted us sends its HTTP/2
 * settings at once instead.
 */
function tlsDiagnosis(settings: TemporalSettings): Promise<string | undefined> {
  if (!settings.tls) return Promise.resolve(undefined);
  const tls = settings.tls === true ? {} : settings.tls;
  const { host, port } = splitAddress(settings.address);
  const name = tls.serverNameOverride ?? host;
  return new Promise((resolve) => {
    let settled = false;
    let handshaken = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (reason?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason && `TLS: ${reason}`);
    };
    const socket = tlsConnect({
      host,
      port,
      ALPNProtocols: ['h2'],
      servername: isIP(name) ? undefined : name,
      ca: tls.serverRootCACertificate ? Buffer.from(tls.serverRootCACertificate) : undefined,
      cert: tls.clientCertPair ? Buffer.from(tls.clientCertPair.crt) : undefined,
      key: tls.clientCertPair ? Buffer.from(tls.clientCertPair.key) : undefined,
      checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
    });
    socket.once('secureConnect', () => (handshaken = true));
    socket.on('data', () => done());
    socket.once('error', (err) => done(tlsReason(err)));
    socket.once('close', () =>
      done(
        handshaken
          ? 'the server closed the connection right after the handshake, as servers do when they refuse the client certificate'
          : undefined,
      ),
    );
    timer = setTimeout(() => done(), 5_000);
    timer.unref();
  });
}

export async function connectClient(settings: TemporalSettings): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: settings.address,
      tls: settings.tls,
      apiKey: settings.apiKey,
      connectTimeout: '10s',
    });
  } catch (err) {
    throw unreachable(settings, err, await tlsDiagnosis(settings).catch(() => undefined));
  }
  return new Client({ connection, namespace: settings.namespace, dataConverter: dataConverter() });
}

export async function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: settings.address, tls: settings.tls, apiKey: settings.apiKey });
  } catch (err) {
    throw unreachable(settings, err, await tlsDiagnosis(settings).catch(() => undefined));
  }
}
