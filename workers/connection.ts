// Where the Temporal service is and how to reach it, read from the same
// environment variables the `temporal` CLI uses, so one environment serves
// both: a local dev server, a self-hosted cluster with mTLS, or Temporal Cloud
// with an API key.
import { readFileSync } from 'node:fs';
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

function readPath(env: NodeJS.ProcessEnv, name: string): Uint8Array | undefined {
  const path = env[name];
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${name}=${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const cert = readPath(env, 'TEMPORAL_TLS_CLIENT_CERT_PATH');
  const key = readPath(env, 'TEMPORAL_TLS_CLIENT_KEY_PATH');
  if (Boolean(cert) !== Boolean(key)) {
    throw new Error('set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH for mTLS, or neither');
  }
  const ca = readPath(env, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH');
  const serverName = env.TEMPORAL_TLS_SERVER_NAME;
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const tlsWanted = env.TEMPORAL_TLS === 'true' || Boolean(cert || ca || serverName || apiKey);
  const tls: TLSConfig | undefined = tlsWanted
    ? {
        ...(cert && key ? { clientCertPair: { crt: cert, key } } : {}),
        ...(ca ? { serverRootCACertificate: ca } : {}),
        ...(serverName ? { serverNameOverride: serverName } : {}),
      }
    : undefined;
  return {
    address: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.PIPEWATCH_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    tls: env.TEMPORAL_TLS === 'false' ? false : tls,
    apiKey,
  };
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
    throw new Error(`cannot reach Temporal at ${settings.address} (namespace ${settings.namespace}): ${(err as Error).message}`);
  }
  return new Client({ connection, namespace: settings.namespace, dataConverter: dataConverter() });
}

export async function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: settings.address, tls: settings.tls, apiKey: settings.apiKey });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${settings.address} (namespace ${settings.namespace}): ${(err as Error).message}`);
  }
}
