// A Kubernetes cluster on this machine for the example's operations
// perspective (`pipewatch start --cluster`): the test control plane of
// devserver/kubernetes.ts — etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and a kwok node that runs pods without containers — with
// its state under the data directory. The binaries are built once from the
// Go module proxy (scripts/build-k8s.sh, about ten minutes on 2 cores) and
// cached; without Go the build fails and the example runs without a cluster.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { findControlPlane, k8sBinDir, startControlPlane, type ControlPlane } from '../devserver/kubernetes.js';

/** The controllers a small cluster needs for Deployments, CronJobs and nodes that stop reporting. */
export const LOCAL_CLUSTER_CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'cronjob-controller',
  'job-controller',
  'node-lifecycle-controller',
  'garbage-collector-controller',
];

export const LOCAL_CLUSTER_NODE = 'kwok-node-1';

export async function startLocalCluster(options: {
  dataDir: string;
  log: (line: string) => void;
}): Promise<ControlPlane> {
  const started = Date.now();
  let binaries;
  try {
    binaries = findControlPlane({ log: options.log });
  } catch (err) {
    const go = spawnSync('go', ['version'], {
      env: { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH ?? ''}` },
    });
    throw new Error(
      go.status === 0
        ? `building the Kubernetes binaries failed (scripts/build-k8s.sh; its output is above): ${(err as Error).message.split('\n')[0]}`
        : 'building the Kubernetes binaries needs Go 1.26 or newer (https://go.dev/dl/), and no go command was found',
      { cause: err },
    );
  }
  if (Date.now() - started > 5_000)
    options.log(
      `built the Kubernetes binaries into ${k8sBinDir()} in ${Math.round((Date.now() - started) / 1000)} s (cached from now on)`,
    );
  // A fresh cluster per start: its certificates and tokens are made anew, so old etcd data would not be readable by them.
  const dir = join(options.dataDir, 'cluster');
  rmSync(dir, { recursive: true, force: true });
  return startControlPlane({
    dir,
    binaries,
    // A node without heartbeats is NotReady after 20 s (default 50 s): the `node` fault shows within a minute.
    running: {
      controllers: LOCAL_CLUSTER_CONTROLLERS,
      controllerManagerArgs: ['--node-monitor-grace-period=20s'],
      scheduler: true,
      nodes: [LOCAL_CLUSTER_NODE],
    },
  });
}
