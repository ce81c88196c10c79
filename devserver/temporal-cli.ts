// Finds the `temporal` CLI (which carries the dev server and Web UI), building
// it once from the Go module proxy when there is none. Order: TEMPORAL_CLI,
// `temporal` on PATH, the cached build, then `go install` into that cache.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, openSync, closeSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** v1.6 and later carry a replace directive and cannot be go-installed. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = 'github.com/temporalio/cli/cmd/temporal';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPEWATCH_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pipewatch');
}

export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The go command: on PATH, or where Go's installer puts it. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return onPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

export const INSTALL_HELP = [
  'pipewatch needs the Temporal CLI (it runs the dev server and Web UI). Either:',
  `  - install Go (https://go.dev/dl) and re-run: pipewatch builds ${MODULE}@${TEMPORAL_CLI_VERSION} once into ${'<cache>'}`,
  `  - or build it yourself: GOBIN=<dir> go install ${MODULE}@${TEMPORAL_CLI_VERSION}, then set TEMPORAL_CLI=<dir>/temporal`,
  '  - or install a release binary from https://temporal.download/cli and put `temporal` on PATH',
].join('\n');

export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  /** Build with `go install` when nothing is found (default true). */
  build?: boolean;
  log?: (line: string) => void;
}

export async function findTemporalCli(options: FindOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) throw new Error(`TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file`);
    return env.TEMPORAL_CLI;
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return fromPath;
  const cached = cachedCliPath(env);
  if (isExecutable(cached)) return cached;
  if (options.build === false) throw new Error(`no Temporal CLI found.\n${INSTALL_HELP.replace('<cache>', cached)}`);

  const go = findGo(env);
  if (!go)
    throw new Error(
      `no Temporal CLI found and no Go toolchain to build one.\n${INSTALL_HELP.replace('<cache>', cached)}`,
    );
  await buildCli(go, cached, env, log);
  return cached;
}

/** go install into the cache, with one build at a time across processes (a lock file). */
async function buildCli(
  go: string,
  target: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  const dir = join(target, '..');
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, '.building');
  let fd: number | undefined;
  const deadline = Date.now() + 20 * 60_000;
  while (fd === undefined) {
    try {
      fd = openSync(lock, 'wx');
    } catch {
      if (isExecutable(target)) return; // another process finished the build
      if (Date.now() > deadline)
        throw new Error(
          `waited 20 minutes for another build of the Temporal CLI (lock ${lock}); remove the lock if no build is running`,
        );
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
  try {
    if (isExecutable(target)) return;
    log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with ${go} into ${dir} (one time, a few minutes)…`);
    const started = Date.now();
    const ticker = setInterval(() => log(`  still building… ${Math.round((Date.now() - started) / 1000)}s`), 30_000);
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(go, ['install', `${MODULE}@${TEMPORAL_CLI_VERSION}`], {
          env: { ...env, GOBIN: dir, CGO_ENABLED: env.CGO_ENABLED ?? '0' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr = (stderr + chunk.toString()).slice(-4_000);
        });
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0
            ? resolve()
            : reject(
                new Error(
                  `go install ${MODULE}@${TEMPORAL_CLI_VERSION} failed (exit ${code}):\n${stderr.trim()}\n\n${INSTALL_HELP.replace('<cache>', target)}`,
                ),
              ),
        );
      });
    } finally {
      clearInterval(ticker);
    }
    if (!existsSync(target)) throw new Error(`go install finished but ${target} is missing`);
    log(`built ${target} in ${Math.round((Date.now() - started) / 1000)}s`);
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

export function cliVersion(cli: string): string {
  const out = spawnSync(cli, ['--version'], { encoding: 'utf8' });
  return (out.stdout || out.stderr || '').trim();
}
