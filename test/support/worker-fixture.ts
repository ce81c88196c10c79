// A worker with a history store, as most integration tests need one: a store
// in a schema of its own in the shared test database, an in-process worker on
// a fresh task queue (test/support/temporal.ts), and a client. close() undoes
// all of it, the store's schema included.
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { HistoryStore } from '../../store/history.js';
import { testEnv, uniqueName } from './env.js';
import { startTestWorker, testClient, type RunningWorker } from './temporal.js';

export interface WorkerWithStore {
  store: HistoryStore;
  worker: RunningWorker;
  client: Client;
  /** The store's schema: made for this fixture, dropped by close(). */
  storeSchema: string;
  /** Stops the worker, then closes the client and the store and drops its schema; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens a store in a new schema named after `name`, starts a worker on it
 * with `env` as the worker's environment (where `${ENV}` references
 * resolve), and connects a client.
 */
export async function startWorkerWithStore(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<WorkerWithStore> {
  const storeSchema = uniqueName(name).toLowerCase();
  const store = await HistoryStore.open({ url: testEnv().databaseUrl, schema: storeSchema });
  let worker: RunningWorker | undefined;
  let client: Client | undefined;
  const close = once(async () => {
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown> | undefined) => {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    };
    await attempt(() => worker?.stop());
    await attempt(() => client?.connection.close());
    await attempt(() => store.close());
    await attempt(() => dropSchema(storeSchema));
    if (errors.length) throw errors[0];
  });
  try {
    const started = await startTestWorker(store, env);
    // A test may stop the worker itself (to see what happens without one); close() then finds it stopped.
    worker = { ...started, stop: once(() => started.stop()) };
    client = await testClient();
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  return { store, worker, client, storeSchema, close };
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testEnv().databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** The first call runs `work`; later calls get the same promise. */
function once(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= work());
}
