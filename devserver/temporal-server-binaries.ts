// The Temporal server and its SQL schema tool (go.temporal.io/server) for the multi-service cluster of
// temporal-cluster.ts: found in the cache, or built there once by scripts/build-temporal-server.sh.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './temporal-cli.js';

/** The server the Temporal CLI v1.5.1 embeds (its dev server), so both run the same code. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export interface ServerBinaries {
  server: string;
  sqlTool: string;
  /** schema/postgresql of the server module: the SQL tool's versioned migrations. */
  schemaDir: string;
  dir: string;
}

export function temporalServerDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPEWATCH_TEMPORAL_SERVER_DIR ?? join(cacheDir(env), 'temporal-server', TEMPORAL_SERVER_VERSION);
}

function scriptPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/devserver/ → ../../scripts; devserver/ (ts-jest) → ../scripts
  const fromDist = join(here, '..', '..', 'scripts', 'build-temporal-server.sh');
  return existsSync(fromDist) ? fromDist : join(here, '..', 'scripts', 'build-temporal-server.sh');
}

/** The cached server and SQL tool, built with scripts/build-temporal-server.sh when missing (about 3 minutes, once). */
export function findTemporalServer(
  options: { build?: boolean; log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): ServerBinaries {
  const env = options.env ?? process.env;
  const dir = temporalServerDir(env);
  const bins: ServerBinaries = {
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
    dir,
  };
  if (existsSync(bins.server) && existsSync(bins.sqlTool) && existsSync(bins.schemaDir)) return bins;
  if (options.build === false)
    throw new Error(`no Temporal server in ${dir}; build it with scripts/build-temporal-server.sh`);
  options.log?.(
    `building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool into ${dir} (once; about 3 minutes)…`,
  );
  execFileSync('bash', [scriptPath()], {
    env: { ...env, OUT: dir, TEMPORAL_SERVER_VERSION },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return bins;
}
