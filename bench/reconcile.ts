// Benchmark: reconcile two stages of 1,000,000 ids (1 % missing downstream),
// one PostgreSQL table standing in for each store: pipewatch's streamed sorted
// merge (stages behind two connectors, as in two stores), and its one-query
// comparison (both stages behind one connector) — against a plain SQL EXCEPT
// on the same data in the same run.
// Each measurement runs in a fresh child process so its peak RSS is its own.
//
//   npm run build && node dist/bench/reconcile.js [--ids 1000000] [--runs 3] [--database-url …]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { postgresConnector } from '../connectors/postgres/index.js';
import { reconcileStages } from '../connectors/stages.js';
import type { PipelineStage } from '../config/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const url = arg('database-url', process.env.PIPEWATCH_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const ids = Number(arg('ids', '1000000'));
const runs = Number(arg('runs', '3'));
const T0 = Date.parse('2026-01-01T00:00:00Z');
const SCHEMA = 'pipewatch_bench_reconcile';

function stage(id: string, table: string): PipelineStage {
  const connector = {
    id: 'lake',
    type: 'postgres' as const,
    url,
    statementTimeout: 600_000,
    connectTimeout: 10_000,
    pool: { max: 2 },
  };
  return {
    id,
    connector,
    dataset: `${SCHEMA}.${table}`,
    uniqueId: 'record_id',
    timestamp: 'stored_at',
    tolerance: 0,
    normalise: [],
  };
}

/** One measurement in this process: prints {ms, maxRssMb, missing}. */
type Kind = 'streamed' | 'in-database' | 'except';

async function measure(kind: Kind): Promise<void> {
  const started = performance.now();
  let missing: number;
  if (kind !== 'except') {
    const upstream = stage('collected', 'upstream');
    const downstream = stage('parsed', 'downstream');
    const first = postgresConnector.create('lake', upstream.connector as never);
    // Two connectors stand for two stores (streamed); one connector means one database (one query).
    const second = kind === 'streamed' ? postgresConnector.create('lake', downstream.connector as never) : first;
    const result = await reconcileStages({
      pipeline: 'bench',
      stages: [
        { stage: upstream, connector: first },
        { stage: downstream, connector: second },
      ],
      check: { type: 'stageCounts', pipeline: 'bench', window: 86_400_000, settle: 0, sample: 20 },
      at: T0 + 86_400_000,
    });
    missing = result.judgements[1]!.lost;
    await first.close();
    if (second !== first) await second.close();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT count(*)::bigint AS n FROM (SELECT record_id FROM ${SCHEMA}.upstream EXCEPT SELECT record_id FROM ${SCHEMA}.downstream) d`,
    );
    missing = Number(rows[0].n);
    await client.end();
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, missing })}\n`);
}

async function seed(): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`,
    [SCHEMA],
  );
  const existing =
    rows[0].n === 2 ? Number((await client.query(`SELECT count(*) AS n FROM ${SCHEMA}.upstream`)).rows[0].n) : 0;
  if (existing !== ids) {
    process.stderr.write(`seeding ${ids.toLocaleString('en-US')} ids (1 % missing downstream)…\n`);
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
    await client.query(
      `CREATE TABLE ${SCHEMA}.upstream AS
      SELECT 'rec-' || lpad(g::text, 9, '0') AS record_id, to_timestamp(${T0 / 1000} + (g % 86400)) AS stored_at FROM generate_series(1, $1::int) g`,
      [ids],
    );
    await client.query(
      `CREATE TABLE ${SCHEMA}.downstream AS SELECT * FROM ${SCHEMA}.upstream WHERE hashtext(record_id) % 100 <> 0`,
    );
    await client.query(`ANALYZE ${SCHEMA}.upstream; ANALYZE ${SCHEMA}.downstream`);
  }
  await client.end();
}

function of(runs: Array<{ ms: number; maxRssMb: number; missing: number }>) {
  return {
    medianMs: median(runs.map((x) => x.ms)),
    medianPeakRssMb: median(runs.map((x) => x.maxRssMb)),
    missing: runs[0]!.missing,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--measure');
  if (child >= 0) return measure(process.argv[child + 1] as Kind);
  await seed();
  const results: Record<Kind, Array<{ ms: number; maxRssMb: number; missing: number }>> = {
    streamed: [],
    'in-database': [],
    except: [],
  };
  for (let r = 0; r < runs; r++) {
    for (const kind of ['except', 'streamed', 'in-database'] as const) {
      const out = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--measure', kind, '--database-url', url, '--ids', String(ids)],
        { encoding: 'utf8' },
      );
      if (out.status !== 0) throw new Error(`${kind} run failed:\n${out.stderr}`);
      const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
      results[kind].push(result);
      process.stderr.write(
        `run ${r + 1}/${runs} ${kind}: ${(result.ms / 1000).toFixed(2)} s, peak RSS ${result.maxRssMb.toFixed(0)} MB, ${result.missing} missing\n`,
      );
    }
  }
  const summary = {
    benchmark: 'reconcile',
    ids,
    runs,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    streamed: of(results.streamed),
    inDatabase: of(results['in-database']),
    sqlExcept: { medianMs: median(results.except.map((x) => x.ms)), missing: results.except[0]!.missing },
    raw: results,
  };
  const ratio = summary.streamed.medianMs / summary.sqlExcept.medianMs;
  const inDatabaseRatio = summary.inDatabase.medianMs / summary.sqlExcept.medianMs;
  mkdirSync(join(here, '..', '..', 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(here, '..', '..', 'bench', 'results', 'reconcile.json'),
    `${JSON.stringify({ ...summary, timeRatio: ratio, inDatabaseTimeRatio: inDatabaseRatio }, null, 2)}\n`,
  );
  process.stdout.write(
    [
      `| method | median time | peak RSS (client process) | missing found |`,
      `|---|---|---|---|`,
      `| pipewatch streamed merge, two stores (2 cursors, 20,000-id batches) | ${(summary.streamed.medianMs / 1000).toFixed(2)} s | ${summary.streamed.medianPeakRssMb.toFixed(0)} MB | ${summary.streamed.missing} |`,
      `| pipewatch, both stages in one database (one query) | ${(summary.inDatabase.medianMs / 1000).toFixed(2)} s | ${summary.inDatabase.medianPeakRssMb.toFixed(0)} MB | ${summary.inDatabase.missing} |`,
      `| SQL \`EXCEPT\` in the server (baseline) | ${(summary.sqlExcept.medianMs / 1000).toFixed(2)} s | (server side) | ${summary.sqlExcept.missing} |`,
      `| ratio streamed / baseline · one query / baseline | ${ratio.toFixed(2)}× · ${inDatabaseRatio.toFixed(2)}× | | |`,
    ].join('\n') + '\n',
  );
}

await main();
