// Benchmark: the cost of a log call through pipewatch/logging (ECS fields,
// labels, typed events) against plain pino, both writing to /dev/null, each
// measurement in a fresh process; median of several runs.
//
//   npm run build && node dist/bench/logging.js [--calls 200000] [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createLogger } from '../logging/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const calls = Number(arg('calls', '200000'));
const runs = Number(arg('runs', '5'));

async function measure(kind: 'pino' | 'pipewatch'): Promise<void> {
  let call: (i: number) => void;
  let done: () => Promise<void>;
  if (kind === 'pino') {
    const dest = pino.destination({ dest: '/dev/null', sync: false });
    const log = pino(dest);
    call = (i) => log.info({ n: i, labels: { pipeline: 'intel', stage: 'parse' } }, 'record parsed');
    done = () => new Promise((r) => dest.flush(() => r()));
  } else {
    const log = createLogger({
      service: 'bench',
      pipeline: 'intel',
      stage: 'parse',
      sinks: [{ kind: 'file', path: '/dev/null' }],
    });
    call = (i) => log.info('record parsed', { n: i });
    done = () => log.flush();
  }
  for (let i = 0; i < 10_000; i++) call(i); // warm up
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) call(i);
  await done();
  const ns = Number(process.hrtime.bigint() - started) / calls;
  process.stdout.write(`${JSON.stringify({ nsPerCall: ns, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--measure');
  if (child >= 0) return measure(process.argv[child + 1] as 'pino' | 'pipewatch');
  const results: Record<string, number[]> = { pino: [], pipewatch: [] };
  for (let r = 0; r < runs; r++) {
    for (const kind of ['pino', 'pipewatch'] as const) {
      const out = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--measure', kind, '--calls', String(calls)],
        { encoding: 'utf8' },
      );
      if (out.status !== 0) throw new Error(out.stderr);
      const m = JSON.parse(out.stdout.trim());
      results[kind]!.push(m.nsPerCall);
      process.stderr.write(`run ${r + 1}/${runs} ${kind}: ${m.nsPerCall.toFixed(0)} ns/call\n`);
    }
  }
  const pinoNs = median(results.pino!);
  const ours = median(results.pipewatch!);
  const summary = {
    benchmark: 'logging',
    calls,
    runs,
    cpus: cpus().length,
    node: process.version,
    pinoNsPerCall: pinoNs,
    pipewatchNsPerCall: ours,
    ratio: ours / pinoNs,
    raw: results,
  };
  mkdirSync(join(here, '..', '..', 'bench', 'results'), { recursive: true });
  writeFileSync(join(here, '..', '..', 'bench', 'results', 'logging.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    [
      '| logger | median per call | ratio |',
      '|---|---|---|',
      `| plain pino (baseline) | ${pinoNs.toFixed(0)} ns | 1.00× |`,
      `| pipewatch/logging (ECS, labels) | ${ours.toFixed(0)} ns | ${(ours / pinoNs).toFixed(2)}× |`,
    ].join('\n') + '\n',
  );
}

await main();
