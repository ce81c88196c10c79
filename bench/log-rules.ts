// Benchmark: log-rule evaluation over a 1,000,000-line NDJSON file with the
// embedded log source — reading the file from its offset into the store and
// evaluating a frequency rule grouped by pipeline over the whole hour. Lines
// per second and peak RSS, each run in a fresh process on a fresh schema.
//
//   npm run build && node dist/bench/log-rules.js [--lines 1000000] [--runs 3]
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { logfilesConnector } from '../connectors/logfiles/index.js';
import { evaluateLogRule, type LogsCheck } from '../connectors/logs.js';
import { HistoryStore } from '../store/history.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const lines = Number(arg('lines', '1000000'));
const runs = Number(arg('runs', '3'));
const url = arg('database-url', process.env.PIPEWATCH_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const dir = join(tmpdir(), 'pipewatch-bench-logs');
const file = join(dir, `app-${lines}.ndjson`);
const T0 = Date.parse('2026-01-01T10:00:00Z');
const AT = new Date(T0 + 3_600_000 + 60_000);

async function generate(): Promise<void> {
  if (existsSync(file) && statSync(file).size > 0) return;
  mkdirSync(dir, { recursive: true });
  const out = createWriteStream(file);
  const pipelines = ['intel', 'lake', 'served', 'crawl'];
  for (let i = 0; i < lines; i++) {
    const level = i % 20 === 0 ? 'error' : 'info';
    const line = JSON.stringify({
      '@timestamp': new Date(T0 + Math.floor((i / lines) * 3_600_000)).toISOString(),
      'log.level': level,
      message: level === 'error' ? 'parse failed' : 'record stored',
      labels: { pipeline: pipelines[i % 4], stage: 'parse' },
      event: {
        action: level === 'error' ? 'stage.failed' : 'record.stored',
        code: level === 'error' ? `E${i % 7}` : undefined,
      },
    });
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

async function measure(schema: string): Promise<void> {
  const store = await HistoryStore.open({ url, schema });
  const check = {
    type: 'logs',
    rule: 'frequency',
    query: 'log.level:error',
    queryKey: 'labels.pipeline',
    window: 3_600_000,
    buffer: 0,
    lookback: 0,
    metric: 'avg',
    direction: 'up',
    minCount: 1,
    severityFromLevel: false,
    sample: 3,
    maxEvents: 500,
  } as unknown as LogsCheck;
  const connector = logfilesConnector.create('bench', {
    type: 'logfiles',
    path: file,
    timestampField: '@timestamp',
    retention: 3650 * 86_400_000,
  });
  const started = performance.now();
  const source = await connector.logSource!(check, { store });
  const ingested = performance.now();
  const result = await evaluateLogRule(source, check, AT, undefined);
  const done = performance.now();
  await store.close();
  process.stdout.write(
    `${JSON.stringify({ ingestMs: ingested - started, evaluateMs: done - ingested, totalMs: done - started, value: result.measurement.value, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--measure');
  if (child >= 0) return measure(process.argv[child + 1]!);
  await generate();
  const results = [];
  for (let r = 0; r < runs; r++) {
    const schema = `pipewatch_bench_logs_${r}`;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
    const out = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--measure', schema, '--lines', String(lines), '--database-url', url],
      { encoding: 'utf8', maxBuffer: 1e7 },
    );
    if (out.status !== 0) throw new Error(out.stderr);
    const m = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
    results.push(m);
    process.stderr.write(
      `run ${r + 1}/${runs}: ingest ${(m.ingestMs / 1000).toFixed(1)} s, evaluate ${(m.evaluateMs / 1000).toFixed(1)} s, peak RSS ${m.maxRssMb.toFixed(0)} MB, busiest pipeline ${m.value} errors\n`,
    );
    const d = new pg.Client({ connectionString: url });
    await d.connect();
    await d.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await d.end();
  }
  const total = median(results.map((m) => m.totalMs));
  const summary = {
    benchmark: 'log-rules',
    lines,
    runs,
    cpus: cpus().length,
    node: process.version,
    medianIngestMs: median(results.map((m) => m.ingestMs)),
    medianEvaluateMs: median(results.map((m) => m.evaluateMs)),
    medianTotalMs: total,
    linesPerSecond: lines / (total / 1000),
    medianPeakRssMb: median(results.map((m) => m.maxRssMb)),
    raw: results,
  };
  mkdirSync(join(here, '..', '..', 'bench', 'results'), { recursive: true });
  writeFileSync(join(here, '..', '..', 'bench', 'results', 'log-rules.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    [
      '| step | median |',
      '|---|---|',
      `| read ${lines.toLocaleString('en-US')} lines into the store | ${(summary.medianIngestMs / 1000).toFixed(1)} s |`,
      `| evaluate a grouped frequency rule over the hour | ${(summary.medianEvaluateMs / 1000).toFixed(1)} s |`,
      `| lines per second, end to end | ${Math.round(summary.linesPerSecond).toLocaleString('en-US')} |`,
      `| peak RSS | ${summary.medianPeakRssMb.toFixed(0)} MB |`,
    ].join('\n') + '\n',
  );
}

await main();
