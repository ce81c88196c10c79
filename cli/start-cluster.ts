// Which Kubernetes cluster the example's operations perspective watches under `pipewatch start` / `demo`,
// and starting it. A cluster of the user's (--kubeconfig, $EXAMPLE_KUBECONFIG) comes first; otherwise a local
// one (examples/local-cluster.ts) is the default: started at once when its binaries are cached, or — when they
// are not and Go is here — built in the background with progress lines while the rest of the example runs,
// then started, and its monitors added then. Without Go, or with --no-cluster, the example runs without it
// and the start-up summary says why.
import { cachedControlPlane, K8S_BUILD_TIME, type ControlPlaneBinaries } from '../devserver/kubernetes-binaries.js';
import { findGo } from '../devserver/temporal-cli.js';
import type { DemoCluster } from '../examples/cluster.js';

export type ClusterChoice =
  | { kind: 'kubeconfig'; file: string }
  | { kind: 'local'; binaries: ControlPlaneBinaries }
  | { kind: 'build' }
  | { kind: 'none'; why: string };

export function chooseCluster(opts: { kubeconfig?: string; cluster?: boolean }): ClusterChoice {
  const file = opts.kubeconfig ?? (process.env.EXAMPLE_KUBECONFIG || undefined);
  if (file) return { kind: 'kubeconfig', file };
  if (opts.cluster === false)
    return { kind: 'none', why: 'turned off with --no-cluster (--kubeconfig FILE watches a cluster of yours)' };
  const binaries = cachedControlPlane();
  if (binaries) return { kind: 'local', binaries };
  if (!findGo())
    return {
      kind: 'none',
      why: `no Go to build a local one (with Go 1.26 or newer, https://go.dev/dl/, pipewatch builds it once: ${K8S_BUILD_TIME}; or give --kubeconfig FILE)`,
    };
  return { kind: 'build' };
}

export interface ExampleCluster {
  cluster: DemoCluster;
  kubeconfig: string;
  stop(): Promise<void>;
}

/** The example's side of a cluster: a given one, or the local one started here (control plane, workloads, faults). */
export async function startExampleCluster(options: {
  kubeconfig?: string;
  binaries?: ControlPlaneBinaries;
  dataDir: string;
  log: (line: string) => void;
}): Promise<ExampleCluster> {
  const { startDemoCluster } = await import('../examples/cluster.js');
  if (options.kubeconfig) {
    const cluster = await startDemoCluster({
      kubeconfig: options.kubeconfig,
      dataDir: options.dataDir,
      log: options.log,
    });
    return { cluster, kubeconfig: options.kubeconfig, stop: () => cluster.stop() };
  }
  const { startLocalCluster } = await import('../examples/local-cluster.js');
  const started = Date.now();
  const local = await startLocalCluster({ dataDir: options.dataDir, binaries: options.binaries! });
  try {
    const cluster = await startDemoCluster({
      kubeconfig: local.kubeconfig,
      dataDir: options.dataDir,
      log: options.log,
      local,
    });
    options.log(`the local Kubernetes cluster started in ${Math.round((Date.now() - started) / 1000)} s`);
    return {
      cluster,
      kubeconfig: local.kubeconfig,
      async stop() {
        await cluster.stop();
        await local.stop();
      },
    };
  } catch (err) {
    await local.stop();
    throw err;
  }
}

/**
 * Builds the local cluster's binaries in the background, starts the cluster and hands it to `ready` (which adds
 * the operations monitors). A failure is said and the example keeps running without it; stop() aborts the
 * build or stops what was started.
 */
export function startClusterLater(options: {
  dataDir: string;
  log: (line: string) => void;
  ready: (started: ExampleCluster) => Promise<void>;
}): { done: Promise<void>; stop(): Promise<void> } {
  const abort = new AbortController();
  let started: ExampleCluster | undefined;
  const done = (async () => {
    const { buildControlPlane } = await import('../devserver/kubernetes-binaries.js');
    const binaries = await buildControlPlane({ log: options.log, signal: abort.signal });
    if (abort.signal.aborted) return;
    options.log(
      'starting the local Kubernetes cluster (etcd, kube-apiserver, controller-manager, scheduler, a kwok node) …',
    );
    started = await startExampleCluster({ binaries, dataDir: options.dataDir, log: options.log });
    if (abort.signal.aborted) return;
    await options.ready(started);
  })().catch((err: Error) => {
    if (!abort.signal.aborted)
      options.log(`the local cluster did not start (${err.message}); the example runs without it`);
  });
  return {
    done,
    async stop() {
      abort.abort();
      await done;
      await started?.stop();
    },
  };
}
