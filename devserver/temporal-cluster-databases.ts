// The cluster's two PostgreSQL databases (persistence and visibility): where the server reaches them, made and
// migrated with the server's own SQL tool, and dropped again when a run asks for it.
import { execFileSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { logTail } from './log-tail.js';
import type { ServerBinaries } from './temporal-server-binaries.js';

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function pgTarget(databaseUrl: string): PgTarget {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
  };
}

/**
 * Creates a database and brings its schema to the newest version with the
 * server's own tool (create-database, setup-schema -v 0.0, update-schema), as
 * the server's documentation has operators do.
 */
export function createSchema(
  bins: ServerBinaries,
  pg: PgTarget,
  database: string,
  kind: 'temporal' | 'visibility',
  logFile: string,
): void {
  const base = [
    '--plugin',
    'postgres12',
    '--ep',
    pg.host,
    '-p',
    String(pg.port),
    '-u',
    pg.user,
    ...(pg.password ? ['--pw', pg.password] : []),
  ];
  const out = openSync(logFile, 'a');
  const run = (args: string[]) => {
    try {
      execFileSync(bins.sqlTool, args, { stdio: ['ignore', out, out] });
    } catch {
      throw new Error(
        `${bins.sqlTool} ${args.filter((a) => a !== pg.password).join(' ')} failed; its output is in ${logFile}:\n${logTail(logFile, 30)}`,
      );
    }
  };
  run([...base, '--db', database, 'create-database']);
  run([...base, '--db', database, 'setup-schema', '-v', '0.0']);
  run([...base, '--db', database, 'update-schema', '-d', join(bins.schemaDir, kind, 'versioned')]);
}

export function dropDatabases(bins: ServerBinaries, pg: PgTarget, databases: string[]): void {
  for (const db of databases) {
    try {
      execFileSync(
        bins.sqlTool,
        [
          '--plugin',
          'postgres12',
          '--ep',
          pg.host,
          '-p',
          String(pg.port),
          '-u',
          pg.user,
          ...(pg.password ? ['--pw', pg.password] : []),
          '--db',
          db,
          'drop-database',
          '--force',
        ],
        { stdio: 'ignore' },
      );
    } catch {
      // best effort: a left-over test database is harmless and uniquely named
    }
  }
}
