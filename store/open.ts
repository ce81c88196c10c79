// Which history store a process uses: DATABASE_URL when set, otherwise the
// embedded PostgreSQL under the data directory.
import { join } from 'node:path';
import type { EmbeddedPostgres } from './embedded.js';
import { HistoryStore } from './history.js';

export interface OpenedStore {
  store: HistoryStore;
  /** Set when the embedded store was started by this process. */
  embedded?: EmbeddedPostgres;
  url: string;
  close(): Promise<void>;
}

export async function openHistoryStore(options: { env?: NodeJS.ProcessEnv; dataDir: string }): Promise<OpenedStore> {
  const env = options.env ?? process.env;
  const schema = env.PIPEWATCH_STORE_SCHEMA || undefined;
  if (env.DATABASE_URL) {
    const store = await HistoryStore.open({ url: env.DATABASE_URL, schema });
    return { store, url: env.DATABASE_URL, close: () => store.close() };
  }
  // PGlite is loaded only when it is used.
  const { startEmbeddedPostgres } = await import('./embedded.js');
  const embedded = await startEmbeddedPostgres({
    dataDir: join(options.dataDir, 'store'),
    port: env.PIPEWATCH_STORE_PORT ? Number(env.PIPEWATCH_STORE_PORT) : 0,
  });
  try {
    const store = await HistoryStore.open({ url: embedded.url, schema });
    return {
      store,
      embedded,
      url: embedded.url,
      async close() {
        await store.close().catch(() => undefined);
        await embedded.stop();
      },
    };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPEWATCH_DATA_DIR || '.pipewatch';
}
