// `npm start`: install what is missing, build when sources changed, then run
// `pipewatch start` (Temporal dev server, store, worker, example monitors).
// Node built-ins only, since it runs before dependencies exist.
import { execSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execSync(`node ${JSON.stringify(join(root, 'scripts', 'ensure-deps.mjs'))}`, { stdio: 'inherit' });

const SOURCES = [
  'activities',
  'archive',
  'logging',
  'channels',
  'cli',
  'config',
  'connectors',
  'devserver',
  'evaluation',
  'examples',
  'schedules',
  'store',
  'workers',
  'workflows',
];
function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}
const built = join(root, 'dist', 'workflow-bundle.js');
const sourceTime = Math.max(
  ...SOURCES.map((d) => newest(join(root, d))),
  statSync(join(root, 'package-lock.json')).mtimeMs,
);
if (!existsSync(built) || statSync(built).mtimeMs < sourceTime) {
  console.log('building …');
  execSync('npm run --silent build', { cwd: root, stdio: 'inherit' });
}

const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'start', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
