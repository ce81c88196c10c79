#!/usr/bin/env node
// `npm run drills`: the crash and outage drills of test/drills/reliability.test.ts
// at full strength, then the table in docs/RELIABILITY.md rewritten from the
// result (docs/reliability/drills.json). The same drills run briefly in `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HELP = `usage: npm run drills -- [--kills N] [--restarts N] [--seed N] [--no-docs]

Runs the crash and outage drills against a Temporal dev server of their own,
PostgreSQL (PIPEWATCH_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test),
an SMTP server and a webhook receiver, then writes docs/reliability/drills.json
and the results table in docs/RELIABILITY.md.

  --kills N      worker SIGKILLs at random moments (default 20)
  --restarts N   Temporal dev server restarts on the same database (default 3)
  --seed N       seed of the random kill moments (default 20261126)
  --no-docs      leave docs/ alone; print the table only
  -h, --help     this text

Takes about five minutes with the defaults. Needs the services \`npm test\` needs.`;

let args;
try {
  args = parseArgs({
    options: {
      kills: { type: 'string', default: '20' },
      restarts: { type: 'string', default: '3' },
      seed: { type: 'string', default: '20261126' },
      'no-docs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  process.stderr.write(`drills: ${err.message}\n\n${HELP}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
for (const name of ['kills', 'restarts', 'seed']) {
  if (!/^\d+$/.test(args[name]) || (name !== 'seed' && Number(args[name]) < 1)) {
    process.stderr.write(`drills: --${name} must be a positive whole number, got "${args[name]}"\n`);
    process.exit(2);
  }
}

const out = join(root, 'docs', 'reliability', 'drills.json');
mkdirSync(dirname(out), { recursive: true });
const run = (cmd, argv, env = {}) => {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
};

process.stdout.write(`drills: building\n`);
if (run('npm', ['run', '-s', 'build']) !== 0) process.exit(1);
process.stdout.write(`drills: ${args.kills} worker kills, ${args.restarts} server restarts, seed ${args.seed}\n`);
const status = run(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', 'test/drills/'], {
  PIPEWATCH_DRILL_KILLS: args.kills,
  PIPEWATCH_DRILL_RESTARTS: args.restarts,
  PIPEWATCH_DRILL_SEED: args.seed,
  PIPEWATCH_DRILL_OUT: out,
});

let report;
try {
  report = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  process.stderr.write(`drills: no results in ${out} (the drills did not get far enough to write them)\n`);
  process.exit(1);
}
const n = (x) => x.toLocaleString('en-US');
const rows = report.results.map(
  (r) =>
    `| ${r.drill} | ${r.what} | ${n(r.repetitions)} | ${n(r.expected)} | ${n(r.deliveredRaw)} | ${n(r.deliveredUnique)} | ${n(r.lost)} | ${n(r.extra)} | ${n(r.repeats)} | ${n(r.stuckWorkflows)} | ${r.notes.join('; ').replace(/\|/g, '\\|')} |`,
);
const table = [
  `Run ${report.at.slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}; seed ${report.seed}; \`npm run drills -- --kills ${report.kills} --restarts ${report.restarts}\`. Messages counted on both channels (email and webhook).`,
  '',
  '| drill | what | repetitions | expected | delivered (raw) | delivered (unique keys) | lost | extra (new keys) | repeats (same key) | stuck workflows | notes |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
process.stdout.write(`\n${table}\n`);

if (!args['no-docs']) {
  const doc = join(root, 'docs', 'RELIABILITY.md');
  const text = readFileSync(doc, 'utf8');
  const begin = '<!-- drills:begin -->';
  const end = '<!-- drills:end -->';
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    process.stderr.write(`drills: ${doc} has no ${begin} … ${end} section to rewrite\n`);
    process.exit(1);
  }
  writeFileSync(doc, `${text.slice(0, a + begin.length)}\n${table}\n${text.slice(b)}`);
  process.stdout.write(`drills: wrote ${out} and the table in docs/RELIABILITY.md\n`);
}
process.exit(status);
