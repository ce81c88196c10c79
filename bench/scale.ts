// Benchmark: N monitors on one machine, end to end. Generates a pipewatch.yaml
// of count, freshness and http monitors against local PostgreSQL tables and
// local HTTP endpoints, syncs it with `pipewatch schedules sync` onto a
// dedicated Temporal dev server, runs `pipewatch worker` in a child process,
// breaks K monitors at a known time and measures: check runs per second,
// schedule lag, missed ticks, fault-to-email latency at a real SMTP receiver,
// and CPU and peak RSS of the worker, the dev server and the PostgreSQL
// backends serving the worker. Then the same checks run in a plain Node loop
// (cli/check-here.ts, the `pipewatch run` path, no Temporal) for the CPU
// baseline. Method and caveats: BENCHMARKS.md, section "Scale".
//
//   npm run build && npm run bench -- --monitors 250 --interval 1m --duration 10m [--runs 3]
//   npm run bench -- --help
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { formatDuration, parseDuration } from '../config/duration.js';
import { SCHEDULE_PREFIX, workflowIdOfRun } from '../evaluation/ids.js';
import { SELF_MONITOR_ID } from '../config/self-monitor.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const CLI = join(root, 'dist', 'cli', 'main.js');
const CLOCK_TICKS = 100; // USER_HZ on Linux: /proc times are in 1/100 s.

const HELP = `npm run bench -- [options]      (after npm run build; Linux: reads /proc)

Runs N monitors on a dedicated Temporal dev server with a pipewatch worker and
measures check runs per second, schedule lag, missed ticks, fault-to-email
latency and CPU/RSS of worker, server and PostgreSQL; then a plain-loop baseline.

  --monitors N          monitors, a third each count, freshness, http      (default 250)
  --interval D          every monitor's schedule, e.g. 30s, 1m              (default 1m)
  --duration D          measured window, starting on a tick boundary        (default 10m)
  --warmup D            running before the window opens                     (default: one interval)
  --fault-at D          faults start this long into the window; best mid-
                        interval (default: half an interval before the
                        tick nearest the middle of the window)
  --faults K            monitors broken at --fault-at (tables stop getting
                        rows, endpoints answer 500)                         (default: 2 % of N, 3..30)
  --runs R              repeat everything R times; medians are reported     (default 1)
  --skip-baseline       no plain-loop baseline
  --baseline-ticks T    measured baseline ticks after one warm-up tick      (default 2)
  --history-sample S    workflow histories read for task pick-up lag        (default 300)
  --worker-tuning JSON  run the worker through bench/scale.js with these
                        createWorker tuning options instead of the CLI,
                        e.g. '{"maxCachedWorkflows":200}'
  --server-arg ARG      extra argument for \`temporal server start-dev\`
                        (repeatable), e.g. --server-arg=--sqlite-pragma --server-arg=synchronous=OFF
  --cpu-prof            write V8 CPU profiles of the worker and summarise them
                        (profiling slows the worker: use it for where, not
                        how much; the profiler thread's CPU is subtracted)
  --group-size G        run monitors in cadence groups of about G (config
                        cadenceGroups): one workflow run per group and tick
                        (default: the config says nothing, pipewatch's own rule
                        decides, config/groups.ts AUTO_GROUPS)
  --per-monitor         a schedule and a run per monitor and tick
                        (cadenceGroups: false)
  --no-self-monitor     leave out the built-in self-monitor pipewatch-schedules
                        (selfMonitor: { enabled: false }): what it costs the
                        worker and the server is then not in the figures
  --aligned             every monitor ticks on the same second of the interval
                        (offset: 0s), as before pipewatch spread schedules by
                        monitor id: each tick is a burst of N starts
  --database-url URL    PostgreSQL for tables and the history store
                        (default $PIPEWATCH_BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
  --out FILE            result JSON (default bench/results/scale-<N>-<time>.json)
  --cluster             run on a multi-service Temporal cluster instead of the dev
                        server: frontend, history, matching and worker processes on
                        PostgreSQL (databases of the run's own), 4 history shards,
                        mTLS (devserver/temporal-cluster.ts); server CPU is the four
                        services', PostgreSQL CPU includes their backends
  --keep                keep the temp dir and database schemas
  --help                this text
`;

// ------------------------------------------------------------------ options

interface Options {
  monitors: number;
  intervalMs: number;
  durationMs: number;
  warmupMs: number;
  faultAtMs: number;
  faults: number;
  runs: number;
  skipBaseline: boolean;
  baselineTicks: number;
  historySample: number;
  workerTuning?: Record<string, unknown>;
  serverArgs: string[];
  cpuProf: boolean;
  /** Cadence groups of about this many monitors (config cadenceGroups); undefined: a schedule per monitor. */
  groupSize?: number;
  /** --per-monitor: cadenceGroups: false. Neither this nor groupSize: the config a user writes, pipewatch decides. */
  perMonitor?: boolean;
  /** --no-self-monitor: selfMonitor: { enabled: false }. */
  noSelfMonitor: boolean;
  aligned: boolean;
  databaseUrl: string;
  out?: string;
  keep: boolean;
  /** --cluster: the multi-service Temporal cluster on PostgreSQL instead of the dev server. */
  cluster: boolean;
}

function usage(message: string): never {
  process.stderr.write(`${message}\n(run with --help for usage)\n`);
  process.exit(2);
}

function durationOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) usage(`--${name} ${text}: not a duration; write it like 30s, 1m or 10m`);
  return ms;
}

function intOption(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) usage(`--${name} ${text}: a whole number, at least ${min}`);
  return n;
}

function parseOptions(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        monitors: { type: 'string' },
        interval: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        'fault-at': { type: 'string' },
        faults: { type: 'string' },
        runs: { type: 'string' },
        'skip-baseline': { type: 'boolean' },
        'baseline-ticks': { type: 'string' },
        'history-sample': { type: 'string' },
        'worker-tuning': { type: 'string' },
        'server-arg': { type: 'string', multiple: true },
        'cpu-prof': { type: 'boolean' },
        aligned: { type: 'boolean' },
        'group-size': { type: 'string' },
        'per-monitor': { type: 'boolean' },
        'no-self-monitor': { type: 'boolean' },
        'database-url': { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'boolean' },
        cluster: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    usage((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const monitors = intOption('monitors', v.monitors, 250, 3);
  const intervalMs = durationOption('interval', v.interval, 60_000);
  if (intervalMs < 5_000) usage('--interval: at least 5s (ticks are identified by whole seconds)');
  const durationMs = durationOption('duration', v.duration, 10 * 60_000);
  if (durationMs < intervalMs * 2) usage(`--duration ${formatDuration(durationMs)}: at least two intervals`);
  const faultAtMs = durationOption(
    'fault-at',
    v['fault-at'],
    Math.floor(durationMs / 2 / intervalMs) * intervalMs - intervalMs / 2,
  );
  if (faultAtMs >= durationMs) usage('--fault-at must fall inside the measured window');
  let workerTuning: Record<string, unknown> | undefined;
  if (v['worker-tuning']) {
    try {
      workerTuning = JSON.parse(v['worker-tuning']) as Record<string, unknown>;
    } catch {
      usage(`--worker-tuning: not JSON: ${v['worker-tuning']}`);
    }
  }
  return {
    monitors,
    intervalMs,
    durationMs,
    warmupMs: durationOption('warmup', v.warmup, intervalMs),
    faultAtMs,
    faults: Math.min(
      intOption('faults', v.faults, Math.max(3, Math.min(30, Math.round(monitors * 0.02))), 0),
      monitors,
    ),
    runs: intOption('runs', v.runs, 1, 1),
    skipBaseline: Boolean(v['skip-baseline']),
    baselineTicks: intOption('baseline-ticks', v['baseline-ticks'], 2, 1),
    historySample: intOption('history-sample', v['history-sample'], 300, 0),
    workerTuning,
    serverArgs: v['server-arg'] ?? [],
    cpuProf: Boolean(v['cpu-prof']),
    aligned: Boolean(v.aligned),
    groupSize: v['group-size'] === undefined ? undefined : intOption('group-size', v['group-size'], 50, 2),
    perMonitor: Boolean(v['per-monitor']),
    noSelfMonitor: Boolean(v['no-self-monitor']),
    databaseUrl:
      v['database-url'] ?? process.env.PIPEWATCH_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    out: v.out,
    keep: Boolean(v.keep),
    cluster: Boolean(v.cluster),
  };
}

// ------------------------------------------------------------------ helpers

const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? s[0]!;
}

function median(values: Array<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

function summary(values: number[]) {
  return {
    n: values.length,
    p50: quantile(values, 0.5),
    p99: quantile(values, 0.99),
    max: values.length ? Math.max(...values) : null,
  };
}

/** utime + stime of a process in seconds (its own threads, not its children). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * CPU seconds per thread name: "main" (the JS main thread: activities, the SDK's
 * Node side), "node" (other threads of that name: the workflow worker thread and
 * V8's GC and compiler threads), "tokio-runtime-w" (the SDK's Rust core),
 * "v8:ProfEvntProc" (the profiler, with --cpu-prof) …
 */
function threadCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = tid === String(pid) ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
    } catch {
      // thread ended
    }
  }
  return byName;
}

function threadDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, cpu] of after) {
    const d = cpu - (before.get(name) ?? 0);
    if (d >= 0.05) out[name] = Math.round(d * 100) / 100;
  }
  return out;
}

function memoryMb(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/**
 * CPU of the PostgreSQL backends serving one client process. A backend is
 * matched by the client port in its process title ("… 127.0.0.1(41234) idle")
 * against the TCP sockets the client holds open (its fds → /proc/net/tcp).
 * Sampled: a backend that ends between samples loses what it used since the
 * last one. The machine's PostgreSQL is shared, so totals would not do.
 */
class BackendCpu {
  private readonly seen = new Map<number, { first: number; last: number }>();

  /** One client process, or several (the cluster's worker and its four Temporal services). */
  constructor(private readonly clientPid: () => number | undefined | Array<number | undefined>) {}

  sample(): void {
    const pids = [this.clientPid()].flat().filter((p): p is number => p !== undefined);
    if (pids.length === 0) return;
    const ports = new Set(pids.flatMap((pid) => [...clientPorts(pid, 5432)]));
    if (ports.size === 0) return;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let title: string;
      try {
        title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      const m = /^postgres: .*\((\d+)\)/.exec(title);
      if (!m || !ports.has(Number(m[1]))) continue;
      try {
        const cpu = cpuSeconds(Number(entry));
        const known = this.seen.get(Number(entry));
        if (known) known.last = cpu;
        else this.seen.set(Number(entry), { first: cpu, last: cpu });
      } catch {
        // ended meanwhile
      }
    }
  }

  /** CPU seconds used since the mark. */
  mark(): () => number {
    const base = new Map([...this.seen].map(([pid, v]) => [pid, v.last]));
    return () => [...this.seen].reduce((sum, [pid, v]) => sum + v.last - (base.get(pid) ?? v.first), 0);
  }
}

function clientPorts(pid: number, serverPort: number): Set<number> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('socket:[')) inodes.add(target.slice(8, -1));
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return new Set();
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9]!)) continue;
      const local = parseInt(cols[1]!.split(':')[1]!, 16);
      const remote = parseInt(cols[2]!.split(':')[1]!, 16);
      if (remote === serverPort) ports.add(local);
    }
  }
  return ports;
}

// ------------------------------------------------------- the monitored world

type Kind = 'count' | 'freshness' | 'http';

interface BenchMonitor {
  id: string;
  kind: Kind;
  /** Table (schema-qualified) or endpoint path. */
  target: string;
  faulty: boolean;
}

/** A third of each kind; the faulty ones have a table or path of their own, the rest share 20 tables. */
function planMonitors(n: number, faults: number, schema: string): BenchMonitor[] {
  const kinds: Kind[] = ['count', 'freshness', 'http'];
  const monitors: BenchMonitor[] = [];
  for (let i = 0; i < n; i++) {
    const kind = kinds[i % 3]!;
    const faulty = i < faults;
    const id = `m${String(i).padStart(5, '0')}-${kind}`;
    const target = kind === 'http' ? `/svc/${i}` : faulty ? `${schema}.fault_${i}` : `${schema}.shared_${i % 20}`;
    monitors.push({ id, kind, target, faulty });
  }
  return monitors;
}

function configYaml(
  monitors: BenchMonitor[],
  o: {
    intervalMs: number;
    aligned?: boolean;
    groupSize?: number;
    perMonitor?: boolean;
    noSelfMonitor?: boolean;
    databaseUrl: string;
    httpPort: number;
    smtpPort: number;
  },
): string {
  const lines = [
    '# Generated by bench/scale.ts.',
    'version: 1',
    'project: bench',
    ...(o.groupSize ? [`cadenceGroups: { size: ${o.groupSize} }`] : o.perMonitor ? ['cadenceGroups: false'] : []),
    ...(o.noSelfMonitor ? ['selfMonitor: { enabled: false }'] : []),
    'defaults:',
    `  schedule: { every: ${formatDuration(o.intervalMs)}${o.aligned ? ', offset: 0s' : ''} }`,
    // One failing run opens the alert and nothing waits before the first message:
    // what is measured is pipewatch's machinery, not configured patience.
    '  flap: { failAfter: 1, resolveAfter: 2 }',
    '  notify: [mail]',
    'notifications:',
    '  retry: { initialInterval: 1s, maximumInterval: 5s }',
    'routing:',
    '  groupWait: 0s',
    'connectors:',
    `  lake: { type: postgres, url: "${o.databaseUrl}", statementTimeout: 10s, connectTimeout: 5s }`,
    `  svc: { type: http, url: "http://127.0.0.1:${o.httpPort}", timeout: 5s }`,
    'channels:',
    `  mail: { type: email, smtp: { host: 127.0.0.1, port: ${o.smtpPort} }, from: pipewatch@bench.test, to: [oncall@bench.test] }`,
    'monitors:',
  ];
  for (const m of monitors) {
    lines.push(`  - id: ${m.id}`);
    if (m.kind === 'http') {
      lines.push(
        '    connector: svc',
        `    check: { type: http, path: "${m.target}" }`,
        '    rules: [{ above: 5s, severity: warning }]',
      );
    } else if (m.kind === 'count') {
      lines.push(
        '    connector: lake',
        `    check: { type: count, dataset: ${m.target}, timestamp: stored_at, window: 1m }`,
        '    rules: [{ below: 1, severity: critical }]',
      );
    } else {
      lines.push(
        '    connector: lake',
        `    check: { type: freshness, dataset: ${m.target}, timestamp: stored_at }`,
        '    rules: [{ above: 30s, severity: critical }]',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function createTables(pool: pg.Pool, schema: string, monitors: BenchMonitor[]): Promise<string[]> {
  const tables = [...new Set(monitors.filter((m) => m.kind !== 'http').map((m) => m.target))];
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  for (const t of tables) {
    // Ten minutes of history, a row every 2 s: a count window of 1m sees ~30.
    await pool.query(`CREATE TABLE ${t} (id bigserial PRIMARY KEY, stored_at timestamptz NOT NULL);
      CREATE INDEX ON ${t} (stored_at);
      INSERT INTO ${t} (stored_at) SELECT now() - g * interval '2 seconds' FROM generate_series(0, 300) g;
      ANALYZE ${t}`);
  }
  return tables;
}

/** Inserts a row into every table every 2 s, except the tables that are broken. */
function feed(pool: pg.Pool, tables: string[], broken: Set<string>): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const live = tables.filter((t) => !broken.has(t));
    pool
      .query(live.map((t) => `INSERT INTO ${t} (stored_at) VALUES (now())`).join(';'))
      .catch((err: Error) => log(`feeder: ${err.message}`))
      .finally(() => (busy = false));
  }, 2_000);
  return () => clearInterval(timer);
}

/** Child role: the HTTP endpoints, so their CPU is not the worker's or the harness's. */
async function endpointsRole(): Promise<void> {
  const failing = new Set<string>();
  process.on('message', (m: { fail?: string[]; heal?: boolean }) => {
    if (m.heal) failing.clear();
    for (const p of m.fail ?? []) failing.add(p);
  });
  const server = createHttpServer((req, res) => {
    const bad = failing.has(req.url ?? '');
    res.writeHead(bad ? 500 : 200, { 'content-type': 'application/json' });
    res.end(bad ? '{"status":"DOWN"}' : '{"status":"UP"}');
  });
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
}

interface Endpoints {
  port: number;
  child: ChildProcess;
  fail(paths: string[]): void;
  heal(): void;
}

async function startEndpoints(): Promise<Endpoints> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--role', 'endpoints'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the endpoints process exited with ${code}`)));
  });
  return { port, child, fail: (paths) => child.send({ fail: paths }), heal: () => child.send({ heal: true }) };
}

interface Mail {
  at: number;
  subject: string;
}

async function startSmtp(): Promise<{ port: number; mails: Mail[]; stop(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.toString('latin1');
      });
      stream.on('end', () => {
        // The moment the message is complete at the receiver is what a person would see.
        const at = Date.now();
        const raw = /^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(head)?.[1] ?? '';
        mails.push({ at, subject: decodeSubject(raw.replace(/\r?\n[ \t]/g, ' ')) });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { port, mails, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** RFC 2047 encoded words (nodemailer encodes non-ASCII subjects). */
function decodeSubject(text: string): string {
  return text.replace(/=\?([^?]+)\?([BQbq])\?([^?]*)\?=\s*/g, (_all, _charset: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

// --------------------------------------------------------------- processes

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, NODE_OPTIONS: '' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function startWorker(env: NodeJS.ProcessEnv, o: Options, dir: string): Promise<ChildProcess> {
  const nodeFlags = o.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', join(dir, 'profile')] : [];
  const args = o.workerTuning ? [fileURLToPath(import.meta.url), '--role', 'worker'] : [CLI, 'worker'];
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    env: {
      ...process.env,
      ...env,
      NODE_OPTIONS: '',
      PIPEWATCH_BENCH_TUNING: o.workerTuning ? JSON.stringify(o.workerTuning) : '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const logFile = join(dir, 'worker.log');
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    writeFileSync(logFile, c, { flag: 'a' });
  });
  child.stderr!.on('data', (c: Buffer) => writeFileSync(logFile, c, { flag: 'a' }));
  const deadline = Date.now() + 60_000;
  while (!out.includes('polling')) {
    if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`the worker did not start within 60 s; see ${logFile}`);
    await sleep(100);
  }
  return child;
}

/** Child role: a worker made by createWorker with tuning options (experiments the CLI does not expose). */
async function workerRole(): Promise<void> {
  const { Runtime, DefaultLogger } = await import('@temporalio/worker');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { temporalSettings } = await import('../workers/connection.js');
  const { openHistoryStore } = await import('../store/open.js');
  const { createWorker } = await import('../workers/worker.js');
  const settings = temporalSettings();
  const opened = await openHistoryStore({ dataDir: tmpdir() });
  const tuning = JSON.parse(process.env.PIPEWATCH_BENCH_TUNING || '{}');
  const w = await createWorker({ settings, store: opened.store, tuning });
  process.stdout.write(`bench worker polling ${settings.taskQueue} with ${JSON.stringify(tuning)}\n`);
  await w.run();
  await opened.close();
}

function stop(child: ChildProcess | undefined, graceMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------- baseline

/** Child role: the same monitors checked by a plain loop in this process (cli/check-here.ts, no Temporal). */
async function baselineRole(configFile: string, intervalMs: number, ticks: number): Promise<void> {
  const { loadConfigFile } = await import('../config/load.js');
  const { connectorCache } = await import('../connectors/registry.js');
  const { checkHere } = await import('../cli/check-here.js');
  const config = loadConfigFile(configFile);
  const connectors = connectorCache();
  const concurrency = 16;
  const tick = async (at: Date) => {
    let next = 0;
    let errors = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < config.monitors.length) {
          const verdict = await checkHere(config.monitors[next++]!, at, connectors);
          if (verdict.status === 'error') errors++;
        }
      }),
    );
    return errors;
  };
  const boundary = () => Math.ceil(Date.now() / intervalMs) * intervalMs;
  // One warm-up tick (pools, JIT), as the worker had its warm-up.
  await tick(new Date());
  let checks = 0;
  let errors = 0;
  let wallMs = 0;
  let cpu = { user: 0, system: 0 };
  for (let t = 0; t < ticks; t++) {
    const at = boundary();
    await sleep(at - Date.now());
    const before = process.cpuUsage();
    const started = performance.now();
    errors += await tick(new Date(at));
    wallMs += performance.now() - started;
    const used = process.cpuUsage(before);
    cpu = { user: cpu.user + used.user, system: cpu.system + used.system };
    checks += config.monitors.length;
  }
  await connectors.closeAll();
  process.stdout.write(
    `${JSON.stringify({ checks, errors, cpuSeconds: (cpu.user + cpu.system) / 1e6, tickWallMs: wallMs / ticks, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

interface BaselineResult {
  checks: number;
  errors: number;
  cpuSeconds: number;
  cpuMsPerCheck: number;
  tickWallMs: number;
  peakRssMb: number;
  postgresCpuSeconds: number;
}

async function runBaseline(configFile: string, o: Options): Promise<BaselineResult> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), '--role', 'baseline', configFile, String(o.intervalMs), String(o.baselineTicks)],
    {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const backends = new BackendCpu(() => child.pid);
  const firstMeasured = Math.ceil(Date.now() / o.intervalMs) * o.intervalMs;
  let pgBase: (() => number) | undefined;
  const sampler = setInterval(() => {
    backends.sample();
    // Starts counting at the first measured tick, after the warm-up one.
    if (!pgBase && Date.now() >= firstMeasured) pgBase = backends.mark();
  }, 1_000);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`the baseline loop exited with ${code}`);
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as Omit<BaselineResult, 'cpuMsPerCheck' | 'postgresCpuSeconds'>;
  return { ...r, cpuMsPerCheck: (r.cpuSeconds * 1000) / r.checks, postgresCpuSeconds: pgBase ? pgBase() : 0 };
}

// ------------------------------------------------------------------- a run

interface RunResult {
  /** Which Temporal ran it: the dev server, or --cluster's four services on PostgreSQL. */
  temporal?: 'dev-server' | 'cluster';
  monitors: number;
  intervalMs: number;
  window: { start: string; end: string; durationMs: number };
  /** The machine's load average (1, 5, 15 min) when the window opened and closed: the machine may be shared. */
  loadAverage?: { atStart: number[]; atEnd: number[] };
  sync: { seconds: number; schedules: number };
  /** Cadence groups (--group-size); 0 when every monitor has its own schedule. */
  groups: number;
  checkRuns: { completedInWindow: number; perSecond: number; byStatus: Record<string, number> };
  /** Counted in checks: a group run that started counts its members. recorded: points in the store for the window's ticks. */
  ticks: {
    expected: number;
    started: number;
    recorded: number;
    missed: number;
    notCompleted: number;
    skippedOverlap: number;
    missedCatchupWindow: number;
    schedulesNotDescribed: number;
  };
  /** Workflow start time (the scheduler's StartWorkflowExecution) minus the tick's nominal time, seconds. */
  scheduleLag: ReturnType<typeof summary>;
  /** First workflow task started (a worker picked the run up) minus nominal time, seconds; a sample. */
  pickupLag: ReturnType<typeof summary>;
  /** Workflow close minus nominal time, seconds: when the verdict was recorded. */
  completionLag: ReturnType<typeof summary>;
  faults: {
    at: string;
    monitors: number;
    emailed: number;
    missing: string[];
    faultToEmail: ReturnType<typeof summary>;
  };
  worker: {
    cpuSeconds: number;
    cpuMsPerCheck: number;
    cpuPercent: number;
    peakRssMb: number;
    cpuSecondsByThread: Record<string, number>;
  };
  server: { cpuSeconds: number; cpuMsPerCheck: number; cpuPercent: number; peakRssMb: number };
  postgres: { cpuSeconds: number; cpuMsPerCheck: number };
  baseline?: BaselineResult;
  ratios?: { workerToBaseline: number; workerAndServerToBaseline: number; allToBaselineWithPostgres: number };
  profile?: Array<{ thread: string; where: string; selfPercent: number }>;
}

/** What an interrupted run must still undo (Ctrl-C, or SIGTERM from a CI timeout). */
let interruptCleanups: Array<() => Promise<unknown>> = [];

function cleanUpOnInterrupt(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the worker, the server and the endpoints, dropping the schemas`);
      void (async () => {
        for (const fn of interruptCleanups.reverse()) await fn().catch(() => undefined);
        process.exit(130);
      })();
    });
  }
}

async function oneRun(o: Options, r: number): Promise<RunResult> {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const schema = `pipewatch_bench_scale_${stamp}_${r}`;
  const storeSchema = `${schema}_store`;
  const dir = mkdtempSync(join(tmpdir(), 'pipewatch-bench-scale-'));
  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 2 });
  // Undone in reverse order; the temp dir goes last.
  const cleanups: Array<() => Promise<unknown>> = [
    async () => (o.keep ? undefined : rmSync(dir, { recursive: true, force: true })),
  ];
  interruptCleanups = cleanups;
  log(
    `run ${r + 1}/${o.runs}: ${o.monitors} monitors every ${formatDuration(o.intervalMs)}, window ${formatDuration(o.durationMs)}, ${o.faults} faults; state in ${dir}`,
  );
  try {
    const monitors = planMonitors(o.monitors, o.faults, schema);
    const tables = await createTables(pool, schema, monitors);
    cleanups.push(() =>
      o.keep
        ? Promise.resolve()
        : pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${storeSchema} CASCADE`),
    );
    const broken = new Set<string>();
    const stopFeeding = feed(pool, tables, broken);
    cleanups.push(async () => stopFeeding());

    const endpoints = await startEndpoints();
    cleanups.push(() => stop(endpoints.child));
    const smtp = await startSmtp();
    cleanups.push(() => smtp.stop());

    const { findTemporalCli } = await import('../devserver/temporal-cli.js');
    const { startDevServer } = await import('../devserver/dev-server.js');
    // The Temporal server: the dev server (one process), or --cluster's four services (their CPU and memory summed).
    let serverPids: () => number[];
    let temporalEnv: NodeJS.ProcessEnv;
    let stopServer: () => Promise<void>;
    if (o.cluster) {
      const { startTemporalCluster, makeClusterCertificates, prepareNamespace } =
        await import('../devserver/temporal-cluster.js');
      const { tls, client: clientCert } = makeClusterCertificates(join(dir, 'tls'));
      const cluster = await startTemporalCluster({
        dir: join(dir, 'temporal'),
        databaseUrl: o.databaseUrl,
        databasePrefix: `${schema}_t`,
        tls,
        log,
      });
      stopServer = () => cluster.stop({ dropDatabases: !o.keep });
      cleanups.push(stopServer);
      await prepareNamespace(cluster, clientCert, { searchAttributes: true });
      serverPids = () => Object.values(cluster.services).map((s) => s.pid()!);
      temporalEnv = cluster.clientEnv(clientCert);
    } else {
      const server = await startDevServer({
        cli: await findTemporalCli({ log }),
        dataDir: join(dir, 'temporal'),
        port: await freePort(),
        uiPort: null,
        extraArgs: o.serverArgs,
      });
      stopServer = () => server.stop();
      cleanups.push(stopServer);
      serverPids = () => [server.process.pid!];
      temporalEnv = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' };
    }
    const serverCpu = () => sum(serverPids().map(cpuSeconds));
    const serverMemory = () =>
      serverPids()
        .map(memoryMb)
        .reduce((x, y) => ({ rssMb: x.rssMb + y.rssMb, peakRssMb: x.peakRssMb + y.peakRssMb }));

    const configFile = join(dir, 'pipewatch.yaml');
    writeFileSync(
      configFile,
      configYaml(monitors, {
        intervalMs: o.intervalMs,
        aligned: o.aligned,
        groupSize: o.groupSize,
        perMonitor: o.perMonitor,
        noSelfMonitor: o.noSelfMonitor,
        databaseUrl: o.databaseUrl,
        httpPort: endpoints.port,
        smtpPort: smtp.port,
      }),
    );
    // Checks per run of each schedule: 1 for a monitor's own, the members of a cadence group's.
    const { loadConfigFile } = await import('../config/load.js');
    const { declaredSchedules, scheduledId } = await import('../schedules/plan.js');
    const declared = loadConfigFile(configFile, { env: false });
    const checksPerRun = new Map(
      declaredSchedules(declared.monitors, declared.groups).map((u) => [
        scheduledId(u),
        u.group ? u.group.monitors.length : 1,
      ]),
    );
    /**
     * How many checks a run of this workflow id made: its schedule id is the id without the appended tick. The
     * built-in self-monitor (synced with the monitors, as for any user) is pipewatch's own cost, not a check.
     */
    const selfRun = (workflowId: string) => workflowId.startsWith(`${SCHEDULE_PREFIX}${SELF_MONITOR_ID}-`);
    const weight = (workflowId: string) =>
      selfRun(workflowId) ? 0 : (checksPerRun.get(workflowId.slice(0, -21)) ?? 1);
    if (declared.groups.length)
      log(
        `${declared.groups.length} cadence groups of ${Math.min(...checksPerRun.values())}–${Math.max(...checksPerRun.values())} monitors`,
      );
    const env: NodeJS.ProcessEnv = {
      ...temporalEnv,
      PIPEWATCH_TASK_QUEUE: 'pipewatch-bench',
      DATABASE_URL: o.databaseUrl,
      PIPEWATCH_STORE_SCHEMA: storeSchema,
      PIPEWATCH_CODEC_KEYS: '',
      PIPEWATCH_CODEC_KEY_FILE: '',
    };

    // The worker first, so the first ticks find it polling.
    const worker = await startWorker(env, o, dir);
    cleanups.push(() => stop(worker));
    // PostgreSQL CPU: the worker's backends, and on --cluster the Temporal services' too.
    const backends = new BackendCpu(() => [worker.pid, ...(o.cluster ? serverPids() : [])]);

    const syncStarted = performance.now();
    const sync = await runCli(['schedules', 'sync', '-c', configFile], env);
    if (sync.code !== 0) throw new Error(`pipewatch schedules sync failed:\n${sync.out}`);
    const syncSeconds = (performance.now() - syncStarted) / 1000;
    log(`synced ${checksPerRun.size} schedules for ${o.monitors} monitors in ${syncSeconds.toFixed(1)} s`);

    const { connectClient, temporalSettings } = await import('../workers/connection.js');
    const client = await connectClient(temporalSettings(env));
    cleanups.push(() => client.connection.close());
    const windowStart = Math.ceil((Date.now() + o.warmupMs) / o.intervalMs) * o.intervalMs;
    const windowEnd = windowStart + o.durationMs;
    const faultAt = windowStart + o.faultAtMs;
    log(
      `warming up; window ${new Date(windowStart).toISOString()} → ${new Date(windowEnd).toISOString()}, faults at ${new Date(faultAt).toISOString()}`,
    );

    // Sampling: progress every 15 s, PostgreSQL backends every second.
    let lastRuns = 0;
    let lastCpu = { worker: cpuSeconds(worker.pid!), server: serverCpu(), t: Date.now() };
    const progress = async () => {
      const runs = await pool
        .query(`SELECT count(*)::int AS n FROM ${storeSchema}.metric_points`)
        .then((q) => q.rows[0].n as number)
        .catch(() => 0);
      const now = { worker: cpuSeconds(worker.pid!), server: serverCpu(), t: Date.now() };
      const s = (now.t - lastCpu.t) / 1000;
      const phase =
        now.t < windowStart
          ? 'warm-up'
          : now.t < windowEnd
            ? `window ${Math.round((now.t - windowStart) / 1000)}/${o.durationMs / 1000} s`
            : 'drain';
      log(
        `${phase}: ${runs} runs recorded (+${((runs - lastRuns) / s).toFixed(1)}/s) · worker ${(((now.worker - lastCpu.worker) / s) * 100).toFixed(0)} % CPU, ${memoryMb(worker.pid!).rssMb.toFixed(0)} MB · server ${(((now.server - lastCpu.server) / s) * 100).toFixed(0)} % CPU, ${serverMemory().rssMb.toFixed(0)} MB · ${smtp.mails.length} mails`,
      );
      lastRuns = runs;
      lastCpu = now;
    };
    // Progress is best effort: the worker may be gone by the time a sample runs.
    const progressTimer = setInterval(() => void progress().catch(() => undefined), 15_000);
    const backendTimer = setInterval(() => {
      try {
        backends.sample();
      } catch {
        // the worker ended meanwhile
      }
    }, 1_000);
    cleanups.push(async () => {
      clearInterval(progressTimer);
      clearInterval(backendTimer);
    });

    await sleep(windowStart - Date.now());
    backends.sample();
    const start = {
      worker: cpuSeconds(worker.pid!),
      server: serverCpu(),
      postgres: backends.mark(),
      threads: threadCpu(worker.pid!),
      load: loadavg(),
    };
    await sleep(faultAt - Date.now());
    const faulty = monitors.filter((m) => m.faulty);
    for (const m of faulty) if (m.kind !== 'http') broken.add(m.target);
    endpoints.fail(faulty.filter((m) => m.kind === 'http').map((m) => m.target));
    const mailsBefore = smtp.mails.length;
    log(`faults injected: ${faulty.map((m) => m.id).join(', ') || '(none)'}`);
    await sleep(windowEnd - Date.now());
    backends.sample();
    const threads = threadDelta(start.threads, threadCpu(worker.pid!));
    // The profiler's own thread (--cpu-prof) is not the worker's work.
    const end = {
      worker: cpuSeconds(worker.pid!) - (threads['v8:ProfEvntProc'] ?? 0),
      server: serverCpu(),
      postgres: start.postgres(),
      threads,
      load: loadavg(),
    };
    log("window closed; waiting for the window's runs and the fault emails");

    // Drain: runs of the window's ticks still open, and alerts still on their way.
    const drainUntil = Date.now() + Math.max(2 * o.intervalMs, 60_000);
    const firstFailing = async () => {
      if (faulty.length === 0) return new Map<string, number>();
      const q = await pool.query(
        `SELECT monitor_id, min(run_id) AS run FROM ${storeSchema}.metric_points WHERE monitor_id = ANY($1) AND status <> 'ok' GROUP BY monitor_id`,
        [faulty.map((m) => m.id)],
      );
      return new Map(
        q.rows.map((row: { monitor_id: string; run: string }) => [
          row.monitor_id,
          Math.max(nominalTime(workflowIdOfRun(row.run)), faultAt),
        ]),
      );
    };
    const firing = (id: string) =>
      smtp.mails.slice(mailsBefore).find((m) => m.subject.includes(`FIRING`) && m.subject.includes(`: ${id}`));
    for (;;) {
      const open = await client.workflow.count(
        `${RUN_TYPES} AND ExecutionStatus = 'Running' AND TemporalScheduledStartTime < '${new Date(windowEnd).toISOString()}'`,
      );
      const failing = await firstFailing();
      // A fault shows at the first tick that sees it (a count window must first empty): wait for every one.
      const waitingMail = faulty.filter((m) => !failing.has(m.id) || !firing(m.id));
      if ((open.count === 0 && waitingMail.length === 0) || Date.now() > drainUntil) break;
      await sleep(2_000);
    }
    const workerMem = memoryMb(worker.pid!);
    const serverMem = serverMemory();
    clearInterval(progressTimer);
    clearInterval(backendTimer);
    await stop(worker);

    // Every monitor run whose tick could fall in the window.
    log('reading the runs from Temporal');
    const runs: Array<{
      id: string;
      runId: string;
      nominal: number;
      start: number;
      close?: number;
      status: string;
      checks: number;
    }> = [];
    for await (const wf of client.workflow.list({
      query: `${RUN_TYPES} AND TemporalScheduledStartTime >= '${new Date(windowStart).toISOString()}'`,
    })) {
      const nominal = nominalTime(wf.workflowId);
      if (nominal >= windowStart && nominal < windowEnd && !selfRun(wf.workflowId)) {
        runs.push({
          id: wf.workflowId,
          runId: wf.runId,
          nominal,
          start: wf.startTime.getTime(),
          close: wf.closeTime?.getTime(),
          status: wf.status.name,
          checks: weight(wf.workflowId),
        });
      }
    }
    const completedInWindow = sum(
      (
        await collectAll(
          client.workflow.list({
            query: `${RUN_TYPES} AND CloseTime >= '${new Date(windowStart).toISOString()}' AND CloseTime < '${new Date(windowEnd).toISOString()}'`,
          }),
        )
      ).map((wf) => weight(wf.workflowId)),
    );
    // The store's view: checks recorded for the window's ticks, one point per monitor and tick.
    const recorded = await pool.query(`SELECT run_id FROM ${storeSchema}.metric_points`).then(
      (q) =>
        q.rows.filter((row: { run_id: string }) => {
          const t = nominalTime(workflowIdOfRun(row.run_id));
          return t >= windowStart && t < windowEnd && !selfRun(row.run_id);
        }).length,
    );
    const sample = pick(runs, o.historySample);
    const pickups: number[] = [];
    for (const run of sample) {
      const history = await client.workflow
        .getHandle(run.id, run.runId)
        .fetchHistory()
        .catch(() => undefined);
      if (!history) continue;
      const started = history.events?.find((e) => e.workflowTaskStartedEventAttributes);
      const t = started?.eventTime;
      if (t) pickups.push((Number(t.seconds) * 1000 + Math.round((t.nanos ?? 0) / 1e6) - run.nominal) / 1000);
    }
    let skippedOverlap = 0;
    let missedCatchupWindow = 0;
    // Describe queries the schedule's own workflow inside the server; a server behind on its work times out.
    const undescribed: string[] = [];
    for (const [id, checks] of checksPerRun) {
      try {
        const d = await client.schedule.getHandle(id).describe();
        skippedOverlap += checks * d.info.numActionsSkippedOverlap;
        missedCatchupWindow += checks * d.info.numActionsMissedCatchupWindow;
      } catch (err) {
        undescribed.push(
          `${id}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
        );
      }
    }
    if (undescribed.length) log(`${undescribed.length} schedule(s) could not be described, e.g. ${undescribed[0]}`);

    const failing = await firstFailing();
    const latencies: number[] = [];
    const missing: string[] = [];
    for (const m of faulty) {
      const from = failing.get(m.id);
      const mail = firing(m.id);
      if (from === undefined || !mail) missing.push(m.id);
      else latencies.push((mail.at - from) / 1000);
    }
    const expected = o.monitors * Math.round(o.durationMs / o.intervalMs);
    const seconds = o.durationMs / 1000;
    const byStatus: Record<string, number> = {};
    for (const run of runs) byStatus[run.status] = (byStatus[run.status] ?? 0) + run.checks;
    const distinct = [...new Map(runs.map((x) => [x.id, x])).values()];
    const perCheck = (cpu: number) => (completedInWindow ? (cpu * 1000) / completedInWindow : NaN);
    const result: RunResult = {
      temporal: o.cluster ? 'cluster' : 'dev-server',
      monitors: o.monitors,
      intervalMs: o.intervalMs,
      window: {
        start: new Date(windowStart).toISOString(),
        end: new Date(windowEnd).toISOString(),
        durationMs: o.durationMs,
      },
      loadAverage: { atStart: start.load, atEnd: end.load },
      sync: { seconds: syncSeconds, schedules: checksPerRun.size },
      groups: declared.groups.length,
      checkRuns: { completedInWindow, perSecond: completedInWindow / seconds, byStatus },
      ticks: {
        expected,
        started: sum(runs.map((x) => x.checks)),
        recorded,
        missed: expected - sum(distinct.map((x) => x.checks)),
        notCompleted: sum(runs.filter((x) => x.status !== 'COMPLETED').map((x) => x.checks)),
        skippedOverlap,
        missedCatchupWindow,
        schedulesNotDescribed: undescribed.length,
      },
      // Per check: a group run's lag is the lag of each of its members' checks.
      scheduleLag: summary(perCheckValues(runs, (x) => (x.start - x.nominal) / 1000)),
      pickupLag: summary(pickups),
      completionLag: summary(
        perCheckValues(
          runs.filter((x) => x.close),
          (x) => (x.close! - x.nominal) / 1000,
        ),
      ),
      faults: {
        at: new Date(faultAt).toISOString(),
        monitors: faulty.length,
        emailed: latencies.length,
        missing,
        faultToEmail: summary(latencies),
      },
      worker: {
        cpuSeconds: end.worker - start.worker,
        cpuMsPerCheck: perCheck(end.worker - start.worker),
        cpuPercent: ((end.worker - start.worker) / seconds) * 100,
        peakRssMb: workerMem.peakRssMb,
        cpuSecondsByThread: end.threads,
      },
      server: {
        cpuSeconds: end.server - start.server,
        cpuMsPerCheck: perCheck(end.server - start.server),
        cpuPercent: ((end.server - start.server) / seconds) * 100,
        peakRssMb: serverMem.peakRssMb,
      },
      postgres: { cpuSeconds: end.postgres, cpuMsPerCheck: perCheck(end.postgres) },
    };
    if (o.cpuProf)
      result.profile = summariseProfile(join(dir, 'profile'), `${o.out!.replace(/\.json$/, '')}-run${r + 1}`);
    await stop(worker);
    await stopServer();

    if (!o.skipBaseline) {
      broken.clear();
      endpoints.heal();
      log(
        `baseline: the same ${o.monitors} checks in a plain loop, ${o.baselineTicks} measured tick(s) after a warm-up tick`,
      );
      const b = await runBaseline(configFile, o);
      result.baseline = b;
      result.ratios = {
        workerToBaseline: result.worker.cpuMsPerCheck / b.cpuMsPerCheck,
        workerAndServerToBaseline: (result.worker.cpuMsPerCheck + result.server.cpuMsPerCheck) / b.cpuMsPerCheck,
        allToBaselineWithPostgres:
          (result.worker.cpuMsPerCheck + result.server.cpuMsPerCheck + result.postgres.cpuMsPerCheck) /
          (b.cpuMsPerCheck + (b.postgresCpuSeconds * 1000) / b.checks),
      };
    }
    return result;
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((err: Error) => log(`cleanup: ${err.message}`));
    await pool.end();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

const RUN_TYPES = `(WorkflowType = 'monitorWorkflow' OR WorkflowType = 'monitorGroupWorkflow')`;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** One value per check: each run's value repeated for the checks it made. */
function perCheckValues<T extends { checks: number }>(runs: T[], value: (run: T) => number): number[] {
  return runs.flatMap((run) => Array.from({ length: run.checks }, () => value(run)));
}

/** The tick a scheduled run belongs to: the scheduler appends its nominal time to the workflow id. */
function nominalTime(workflowId: string): number {
  return Date.parse(workflowId.slice(-20));
}

async function collectAll<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

/** An evenly spaced sample (deterministic, across all ticks and monitors). */
function pick<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

/** Self time of the V8 CPU profiles (one per JS thread) by package or pipewatch folder, idle excluded. */
function summariseProfile(dir: string, prefix: string): Array<{ thread: string; where: string; selfPercent: number }> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
  const out: Array<{ thread: string; where: string; selfPercent: number }> = [];
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
      samples: number[];
    };
    const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const totals = new Map<string, number>();
    let counted = 0;
    for (const id of profile.samples) {
      const frame = nodes.get(id);
      if (!frame || frame.functionName === '(idle)') continue;
      counted++;
      const folder = /dist\/([^/]+)\//.exec(frame.url)?.[1];
      const where = !frame.url
        ? frame.functionName // (garbage collector), (program)
        : (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1] ??
          (folder ? `pipewatch ${folder}/` : frame.url.startsWith('node:') ? 'node internals' : frame.url));
      totals.set(where, (totals.get(where) ?? 0) + 1);
    }
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread.
    const thread = file.split('.').at(-3) === '0' ? 'main' : `thread ${file.split('.').at(-3)}`;
    writeFileSync(`${prefix}.${thread.replace(' ', '')}.cpuprofile`, readFileSync(join(dir, file)));
    out.push(
      ...[...totals]
        .map(([where, n]) => ({ thread, where, selfPercent: Math.round((n / Math.max(1, counted)) * 1000) / 10 }))
        .sort((a, b) => b.selfPercent - a.selfPercent)
        .slice(0, 12),
    );
  }
  return out;
}

// ------------------------------------------------------------------ report

const fmt = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);

function table(results: RunResult[]): string {
  const m = (f: (r: RunResult) => number | null | undefined) => median(results.map((r) => f(r) ?? null));
  const rows: Array<[string, string]> = [
    [
      'monitors · interval · window',
      `${results[0]!.monitors} · ${formatDuration(results[0]!.intervalMs)} · ${formatDuration(results[0]!.window.durationMs)}`,
    ],
    ['check runs per second (completed in window)', fmt(m((r) => r.checkRuns.perSecond))],
    ['cadence groups (schedules)', `${m((r) => r.groups ?? 0)} (${m((r) => r.sync.schedules)})`],
    [
      'ticks expected / started / missed (checks)',
      `${m((r) => r.ticks.expected)} / ${m((r) => r.ticks.started)} / ${m((r) => r.ticks.missed)}`,
    ],
    ["checks recorded in the store for the window's ticks", `${m((r) => r.ticks.recorded)}`],
    [
      'runs not completed · skipped (overlap) · missed catch-up',
      `${m((r) => r.ticks.notCompleted)} · ${m((r) => r.ticks.skippedOverlap)} · ${m((r) => r.ticks.missedCatchupWindow)}`,
    ],
    [
      'schedule lag p50 / p99 / max (s)',
      `${fmt(m((r) => r.scheduleLag.p50))} / ${fmt(m((r) => r.scheduleLag.p99))} / ${fmt(m((r) => r.scheduleLag.max))}`,
    ],
    [
      'worker pick-up lag p50 / p99 / max (s)',
      `${fmt(m((r) => r.pickupLag.p50))} / ${fmt(m((r) => r.pickupLag.p99))} / ${fmt(m((r) => r.pickupLag.max))}`,
    ],
    [
      'tick to recorded verdict p50 / p99 / max (s)',
      `${fmt(m((r) => r.completionLag.p50))} / ${fmt(m((r) => r.completionLag.p99))} / ${fmt(m((r) => r.completionLag.max))}`,
    ],
    [
      'fault-to-email p50 / p99 (s), emailed of faults',
      `${fmt(m((r) => r.faults.faultToEmail.p50))} / ${fmt(m((r) => r.faults.faultToEmail.p99))}, ${m((r) => r.faults.emailed)} of ${m((r) => r.faults.monitors)}`,
    ],
    [
      'load average (1 min) at window start / end',
      `${fmt(m((r) => r.loadAverage?.atStart[0] ?? null))} / ${fmt(m((r) => r.loadAverage?.atEnd[0] ?? null))}`,
    ],
    [
      'worker CPU s · % of a core · ms per check · peak RSS MB',
      `${fmt(
        m((r) => r.worker.cpuSeconds),
        1,
      )} · ${fmt(
        m((r) => r.worker.cpuPercent),
        0,
      )} · ${fmt(m((r) => r.worker.cpuMsPerCheck))} · ${fmt(
        m((r) => r.worker.peakRssMb),
        0,
      )}`,
    ],
    [
      results[0]!.temporal === 'cluster'
        ? 'Temporal services (4 processes) CPU s · % of a core · ms per check · peak RSS MB'
        : 'dev server CPU s · % of a core · ms per check · peak RSS MB',
      `${fmt(
        m((r) => r.server.cpuSeconds),
        1,
      )} · ${fmt(
        m((r) => r.server.cpuPercent),
        0,
      )} · ${fmt(m((r) => r.server.cpuMsPerCheck))} · ${fmt(
        m((r) => r.server.peakRssMb),
        0,
      )}`,
    ],
    [
      'worker CPU s by thread (first run)',
      Object.entries(results[0]!.worker.cpuSecondsByThread)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([k, v]) => `${k} ${fmt(v, 1)}`)
        .join(' · '),
    ],
    [
      results[0]!.temporal === 'cluster'
        ? 'PostgreSQL (worker and Temporal backends) CPU s · ms per check'
        : 'PostgreSQL (worker backends) CPU s · ms per check',
      `${fmt(
        m((r) => r.postgres.cpuSeconds),
        1,
      )} · ${fmt(m((r) => r.postgres.cpuMsPerCheck))}`,
    ],
  ];
  if (results.every((r) => r.baseline)) {
    rows.push(
      [
        'baseline loop CPU ms per check · tick wall s · peak RSS MB',
        `${fmt(m((r) => r.baseline!.cpuMsPerCheck))} · ${fmt(m((r) => r.baseline!.tickWallMs / 1000))} · ${fmt(
          m((r) => r.baseline!.peakRssMb),
          0,
        )}`,
      ],
      ['CPU per check: worker / baseline', `${fmt(m((r) => r.ratios!.workerToBaseline))}×`],
      ['CPU per check: worker + server / baseline', `${fmt(m((r) => r.ratios!.workerAndServerToBaseline))}×`],
      [
        'CPU per check: worker + server + PostgreSQL / baseline + PostgreSQL',
        `${fmt(m((r) => r.ratios!.allToBaselineWithPostgres))}×`,
      ],
    );
  }
  return [
    `| measure (median of ${results.length} run${results.length > 1 ? 's' : ''}) | value |`,
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const roleAt = process.argv.indexOf('--role');
  if (roleAt >= 0) {
    const role = process.argv[roleAt + 1];
    if (role === 'endpoints') return endpointsRole();
    if (role === 'worker') return workerRole();
    if (role === 'baseline')
      return baselineRole(
        process.argv[roleAt + 2]!,
        Number(process.argv[roleAt + 3]),
        Number(process.argv[roleAt + 4]),
      );
    usage(`unknown role ${role}`);
  }
  const o = parseOptions(process.argv.slice(2));
  if (o === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (process.platform !== 'linux') usage('this benchmark reads /proc: run it on Linux');
  cleanUpOnInterrupt();
  o.out ??= join(
    root,
    'bench',
    'results',
    `scale-${o.monitors}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  mkdirSync(dirname(o.out), { recursive: true });
  const results: RunResult[] = [];
  for (let r = 0; r < o.runs; r++) {
    const result = await oneRun(o, r);
    results.push(result);
    process.stdout.write(`\n${table([result])}\n\n`);
    if (result.profile?.length) {
      process.stdout.write(
        `worker CPU profile, self time (idle excluded):\n${result.profile.map((p) => `  ${p.thread.padEnd(9)} ${p.selfPercent.toFixed(1).padStart(5)} %  ${p.where}`).join('\n')}\n\n`,
      );
    }
  }
  const out = o.out;
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const options = { ...o, databaseUrl: undefined };
  writeFileSync(out, `${JSON.stringify({ benchmark: 'scale', machine, options, runs: results }, null, 2)}\n`);
  if (results.length > 1) process.stdout.write(`${table(results)}\n`);
  log(`results: ${out}`);
}

await main();
