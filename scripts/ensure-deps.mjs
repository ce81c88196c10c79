// Installs dependencies when node_modules is missing or older than the lock
// file, so `npm start` and `npm test` work on a fresh clone. Node built-ins only.
// Two builds started together (a test run and an editor's watch, say) take a
// lock first: without it both would run `npm ci`, and the second empties
// node_modules under the first.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const held = join(root, '.ensure-deps.lock');
/** A lock older than this was left by an install that died; npm ci takes a few minutes at most. */
const STALE_MS = 20 * 60_000;

const outdated = () => !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function acquire() {
  let said = false;
  for (;;) {
    try {
      mkdirSync(held);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let age;
    try {
      age = Date.now() - statSync(held).mtimeMs;
    } catch {
      continue; // released between the two calls
    }
    if (age > STALE_MS) {
      console.log(`removing a stale ${held} (${Math.round(age / 60_000)} min old)`);
      rmSync(held, { recursive: true, force: true });
      continue;
    }
    if (!said) console.log('another build is installing dependencies; waiting for it …');
    said = true;
    sleep(1_000);
  }
}

if (outdated()) {
  acquire();
  try {
    // The build that held the lock may have installed them already.
    if (outdated()) {
      console.log('installing dependencies (npm ci) …');
      execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
    }
  } finally {
    rmSync(held, { recursive: true, force: true });
  }
}
