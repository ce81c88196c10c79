// Benchmark: `schedules sync` at scale (issue 20). On a dedicated Temporal dev server, for a generated
// configuration of N monitors: loading the file, the first sync (every schedule created), a no-op sync, a
// sync after one monitor's threshold changed, and a sync after every monitor's threshold changed — each timed
// as plan (reading the server) and apply. Twice per run: with the configuration a user writes (pipewatch's
// automatic cadence groups) and with `cadenceGroups: false` (a schedule per monitor, the worst case).
// Method and results: BENCHMARKS.md, "Sync at scale".
//
//   npm run build && node dist/bench/sync.js --monitors 10000 [--runs 3] [--modes auto,per-monitor]
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

const HELP = `node dist/bench/sync.js [options]      (after npm run build)

  --monitors N     monitors in the generated config, all every 1m      (default 10000)
  --runs R         repetitions of the whole sequence (median reported) (default 1)
  --modes LIST     auto (no cadenceGroups key), per-monitor (false)    (default auto,per-monitor)
  --no-mass-change leave out the change to every monitor (and the no-op after it)
  --describe-each  read versions as before PipewatchVersion: one describe per schedule (the baseline)
  --out FILE       result JSON (default bench/results/sync-<N>-<time>.json)
  --help           this text
`;

const log = (line: string) => process.stderr.write(`[bench sync] ${new Date().toISOString().slice(11, 19)} ${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The generated configuration: N count monitors every minute on one connector, threshold `below`. */
function configYaml(n: number, mode: string, below: (i: number) => number, project: string): string {
  return [
    'version: 1',
    `project: ${project}`,
    ...(mode === 'per-monitor' ? ['cadenceGroups: false'] : []),
    'selfMonitor: { enabled: false }',
    'defaults: { schedule: { every: 1m } }',
    'connectors: { lake: { type: postgres, url: "postgres://bench@127.0.0.1:1/bench" } }',
    'monitors:',
    ...Array.from(
      { length: n },
      (_, i) =>
        `  - { id: orders-${String(i).padStart(5, '0')}, connector: lake, check: { type: count, dataset: t${i % 20}, timestamp: ts, window: 1h }, rules: [{ below: ${below(i)} }] }`,
    ),
    '',
  ].join('\n');
}

interface Step {
  step: string;
  loadSeconds: number;
  planSeconds: number;
  applySeconds: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  schedules: number;
}

const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      monitors: { type: 'string' },
      runs: { type: 'string' },
      modes: { type: 'string' },
      out: { type: 'string' },
      'no-mass-change': { type: 'boolean' },
      'describe-each': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) {
    process.stdout.write(HELP);
    return;
  }
  const n = Number(v.monitors ?? 10_000);
  const runs = Number(v.runs ?? 1);
  const modes = (v.modes ?? 'auto,per-monitor').split(',');
  const { findTemporalCli } = await import('../devserver/temporal-cli.js');
  const { startDevServer } = await import('../devserver/dev-server.js');
  const { loadConfigFile } = await import('../config/load.js');
  const { applyPlan, planFor } = await import('../schedules/sync.js');
  const { connectClient } = await import('../workers/connection.js');
  const results: Array<{ run: number; mode: string; steps: Step[] }> = [];
  for (let run = 0; run < runs; run++) {
    for (const mode of modes) {
      const dir = mkdtempSync(join(tmpdir(), 'pipewatch-bench-sync-'));
      const server = await startDevServer({
        cli: await findTemporalCli({ log }),
        dataDir: join(dir, 'temporal'),
        port: await freePort(),
        uiPort: null,
      });
      const client = await connectClient({ address: server.address, namespace: 'default', taskQueue: 'bench-sync' });
      try {
        const steps: Step[] = [];
        const project = `bench-${mode}`;
        const sync = async (step: string, below: (i: number) => number) => {
          const file = join(dir, `${step}.yaml`);
          writeFileSync(file, configYaml(n, mode, below, project));
          let t = process.hrtime.bigint();
          const config = loadConfigFile(file, { env: false });
          const loadSeconds = since(t);
          const target = {
            client,
            taskQueue: 'bench-sync',
            project,
            ...(v['describe-each'] ? { versionIndexed: false } : {}),
          };
          t = process.hrtime.bigint();
          const plan = await planFor(target, config.monitors, config.groups);
          const planSeconds = since(t);
          t = process.hrtime.bigint();
          await applyPlan(target, plan);
          const applySeconds = since(t);
          const count = (a: string) => plan.steps.filter((s) => s.action === a).length;
          const s: Step = {
            step,
            loadSeconds,
            planSeconds,
            applySeconds,
            created: count('create'),
            updated: count('update'),
            deleted: count('delete'),
            unchanged: count('unchanged'),
            schedules:
              config.groups.length + config.monitors.length - config.groups.reduce((k, g) => k + g.monitors.length, 0),
          };
          log(
            `${mode} ${step}: load ${loadSeconds.toFixed(2)} s, plan ${planSeconds.toFixed(2)} s, apply ${applySeconds.toFixed(2)} s (${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged; ${s.schedules} schedules)`,
          );
          steps.push(s);
        };
        const step = sync;
        // A failing step says why before the connection closes under requests still in flight.
        const sync2 = async (name: string, below: (i: number) => number) => {
          try {
            await step(name, below);
          } catch (err) {
            log(
              `${mode} ${name} failed: ${(err as Error).message}${(err as Error).cause ? ` (cause: ${((err as Error).cause as Error).message})` : ''}`,
            );
            throw err;
          }
        };
        await sync2('first', () => 1);
        // Visibility indexes the new schedules within moments; the no-op must find them all.
        await new Promise((r) => setTimeout(r, 5_000));
        await sync2('no-op', () => 1);
        await sync2('one field of one monitor', (i) => (i === 7 ? 2 : 1));
        if (!v['no-mass-change']) {
          await new Promise((r) => setTimeout(r, 5_000));
          await sync2('one field of every monitor', () => 3);
          await new Promise((r) => setTimeout(r, 5_000));
          await sync2('no-op again', () => 3);
        }
        results.push({ run, mode, steps });
      } finally {
        await client.connection.close().catch(() => undefined);
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const out =
    v.out ??
    join(
      root,
      'bench',
      'results',
      `sync-${n}${v['describe-each'] ? '-describe-each' : ''}-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}.json`,
    );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ monitors: n, runs, describeEach: Boolean(v['describe-each']), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, results }, null, 2)}\n`,
  );
  log(`results in ${out}`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
