// The CLI's one way to reach Temporal: settings from the environment (workers/connection.ts reads the
// same variables the temporal CLI does) and a client with pipewatch's data converter. Every command and
// the status page of `pipewatch ui` and `pipewatch start` get their client here. The SDK loads only when
// a command asks for it, so `pipewatch --help` stays quick.
import type { Client } from '@temporalio/client';
import type { TemporalSettings } from '../workers/connection.js';

export interface TemporalSession {
  client: Client;
  settings: TemporalSettings;
  taskQueue: string;
  close(): Promise<void>;
}

/** TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, the task queue, TLS and API key, as the workers read them. */
export async function temporalSettings(): Promise<TemporalSettings> {
  const connection = await import('../workers/connection.js');
  return connection.temporalSettings();
}

/** A connected client; close() closes its connection. Settings default to the environment's. */
export async function openTemporal(settings?: TemporalSettings): Promise<TemporalSession> {
  const { connectClient, temporalSettings: fromEnv } = await import('../workers/connection.js');
  const chosen = settings ?? fromEnv();
  const client = await connectClient(chosen);
  return { client, settings: chosen, taskQueue: chosen.taskQueue, close: () => client.connection.close() };
}

/** Runs fn with a client and closes its connection afterwards, whatever fn did. */
export async function withTemporal<T>(
  fn: (session: TemporalSession) => Promise<T>,
  settings?: TemporalSettings,
): Promise<T> {
  const session = await openTemporal(settings);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
