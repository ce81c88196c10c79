// The Kubernetes control plane's binaries (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)
// for kubernetes.ts: found in the cache, or built there once from the Go module proxy by scripts/build-k8s.sh.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './temporal-cli.js';

export interface ControlPlaneBinaries {
  etcd: string;
  apiserver: string;
  controllerManager: string;
  scheduler: string;
  kwok: string;
}

export function k8sBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPEWATCH_K8S_BIN_DIR ?? join(cacheDir(env), 'k8s');
}

/** The cached binaries, built with scripts/build-k8s.sh when missing (minutes, once). */
export function findControlPlane(
  options: { build?: boolean; log?: (line: string) => void } = {},
): ControlPlaneBinaries {
  const dir = k8sBinDir();
  const bins = {
    etcd: join(dir, 'etcd'),
    apiserver: join(dir, 'kube-apiserver'),
    controllerManager: join(dir, 'kube-controller-manager'),
    scheduler: join(dir, 'kube-scheduler'),
    kwok: join(dir, 'kwok'),
  };
  if (Object.values(bins).every((b) => existsSync(b))) return bins;
  if (options.build === false)
    throw new Error(`no Kubernetes control plane in ${dir}; build it with scripts/build-k8s.sh`);
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'build-k8s.sh');
  const scriptPath = existsSync(script)
    ? script
    : join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'build-k8s.sh');
  options.log?.(
    `building etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok into ${dir} (once; 6-16 minutes on 2 cores)…`,
  );
  execFileSync('bash', [scriptPath], { env: { ...process.env, OUT: dir }, stdio: ['ignore', 'ignore', 'inherit'] });
  return bins;
}
