// Which history store a process uses: DATABASE_URL when set, otherwise the
// embedded PostgreSQL under the data directory.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
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
  // Another pipewatch process on this data directory already serves the
  // embedded store (PGlite allows one owner): use it through its socket.
  const urlFile = join(options.dataDir, 'store.url');
  const served = await reachable(urlFile);
  if (served) {
    const store = await HistoryStore.open({ url: served, schema });
    return { store, url: served, close: () => store.close() };
  }
  // PGlite is loaded only when it is used.
  const { startEmbeddedPostgres } = await import('./embedded.js');
  const embedded = await startEmbeddedPostgres({
    dataDir: join(options.dataDir, 'store'),
    port: env.PIPEWATCH_STORE_PORT ? Number(env.PIPEWATCH_STORE_PORT) : 0,
  });
  try {
    const store = await HistoryStore.open({ url: embedded.url, schema });
    writeFileSync(urlFile, `${embedded.url}\n`);
    return {
      store,
      embedded,
      url: embedded.url,
      async close() {
        rmSync(urlFile, { force: true });
        await store.close().catch(() => undefined);
        await embedded.stop();
      },
    };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

async function reachable(urlFile: string): Promise<string | undefined> {
  let url: string;
  try {
    url = readFileSync(urlFile, 'utf8').trim();
  } catch {
    return undefined;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return url;
  } catch {
    return undefined; // a stale file from a process that is gone
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPEWATCH_DATA_DIR || '.pipewatch';
}
