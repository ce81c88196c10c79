// The Kubernetes control plane's binaries (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)
// for kubernetes.ts: found in the cache, or built there once from the Go module proxy by scripts/build-k8s.sh —
// synchronously for the tests, or in the background with progress lines for `pipewatch start`.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, findGo } from './temporal-cli.js';

export interface ControlPlaneBinaries {
  etcd: string;
  apiserver: string;
  controllerManager: string;
  scheduler: string;
  kwok: string;
}

/** What the first build costs, as docs/KUBERNETES-CLUSTER.md measured it. */
export const K8S_BUILD_TIME = '6-16 minutes on 2 cores';

export function k8sBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPEWATCH_K8S_BIN_DIR ?? join(cacheDir(env), 'k8s');
}

function binariesIn(dir: string): ControlPlaneBinaries {
  return {
    etcd: join(dir, 'etcd'),
    apiserver: join(dir, 'kube-apiserver'),
    controllerManager: join(dir, 'kube-controller-manager'),
    scheduler: join(dir, 'kube-scheduler'),
    kwok: join(dir, 'kwok'),
  };
}

/** The cached binaries when all five are there; undefined otherwise (nothing is built). */
export function cachedControlPlane(): ControlPlaneBinaries | undefined {
  const bins = binariesIn(k8sBinDir());
  return Object.values(bins).every((b) => existsSync(b)) ? bins : undefined;
}

function buildScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/devserver/ → ../../scripts; devserver/ (ts-jest) → ../scripts
  const fromDist = join(here, '..', '..', 'scripts', 'build-k8s.sh');
  return existsSync(fromDist) ? fromDist : join(here, '..', 'scripts', 'build-k8s.sh');
}

const building = (dir: string) =>
  `building etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok into ${dir} (once; ${K8S_BUILD_TIME})…`;

/** The cached binaries, built with scripts/build-k8s.sh when missing (minutes, once). */
export function findControlPlane(
  options: { build?: boolean; log?: (line: string) => void } = {},
): ControlPlaneBinaries {
  const dir = k8sBinDir();
  const cached = cachedControlPlane();
  if (cached) return cached;
  if (options.build === false)
    throw new Error(`no Kubernetes control plane in ${dir}; build it with scripts/build-k8s.sh`);
  options.log?.(building(dir));
  execFileSync('bash', [buildScript()], { env: { ...process.env, OUT: dir }, stdio: ['ignore', 'ignore', 'inherit'] });
  return binariesIn(dir);
}

/**
 * Builds the missing binaries without blocking: scripts/build-k8s.sh as a child process, each binary's
 * "built in N s" line passed on as it finishes and a "still building" line every `tickMs`; aborting
 * stops the build. Fails with the tail of the script's output, or at once when there is no Go.
 */
export async function buildControlPlane(options: {
  log: (line: string) => void;
  signal?: AbortSignal;
  tickMs?: number;
}): Promise<ControlPlaneBinaries> {
  const cached = cachedControlPlane();
  if (cached) return cached;
  options.signal?.throwIfAborted();
  const go = findGo();
  if (!go) throw new Error('building the Kubernetes binaries needs Go 1.26 or newer (https://go.dev/dl/)');
  const dir = k8sBinDir();
  const started = Date.now();
  options.log(building(dir));
  const seconds = () => Math.round((Date.now() - started) / 1000);
  const ticker = setInterval(() => options.log(`still building the Kubernetes binaries… ${seconds()} s`), 60_000);
  ticker.unref();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('bash', [buildScript()], {
        env: { ...process.env, OUT: dir, PATH: `${dirname(go)}:${process.env.PATH ?? ''}` },
        stdio: ['ignore', 'ignore', 'pipe'],
        // Its own process group, so that aborting stops the go commands under it too.
        detached: true,
      });
      let tail = '';
      let partial = '';
      child.stderr.on('data', (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-3_000);
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('build-k8s: ')) options.log(line.slice('build-k8s: '.length));
      });
      const stopGroup = () => {
        if (child.pid) {
          try {
            process.kill(-child.pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
      };
      options.signal?.addEventListener('abort', stopGroup, { once: true });
      child.on('error', (err) => reject(err));
      child.on('exit', (code, signal) => {
        options.signal?.removeEventListener('abort', stopGroup);
        if (code === 0) resolve();
        else
          reject(
            new Error(
              `scripts/build-k8s.sh ${signal ? `stopped by ${signal}` : `failed (exit ${code})`} after ${seconds()} s; it ended with:\n${tail.trim().split('\n').slice(-15).join('\n')}`,
            ),
          );
      });
    });
  } finally {
    clearInterval(ticker);
  }
  const built = cachedControlPlane();
  if (!built) throw new Error(`scripts/build-k8s.sh finished but ${dir} lacks a binary`);
  options.log(`built the Kubernetes binaries into ${dir} in ${seconds()} s (cached from now on)`);
  return built;
}
