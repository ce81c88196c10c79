// A Kubernetes cluster on this machine for the example's operations
// perspective (the default of `pipewatch start` without --kubeconfig): the
// test control plane of devserver/kubernetes.ts — etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and a kwok node that runs pods
// without containers — with its state under the data directory. The binaries
// are built once from the Go module proxy (scripts/build-k8s.sh; cli/start-cluster.ts
// builds them in the background while the rest of the example runs) and cached.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ControlPlaneBinaries } from '../devserver/kubernetes.js';

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
  binaries: ControlPlaneBinaries;
}): Promise<ControlPlane> {
  // A fresh cluster per start: its certificates and tokens are made anew, so old etcd data would not be readable by them.
  const dir = join(options.dataDir, 'cluster');
  rmSync(dir, { recursive: true, force: true });
  return startControlPlane({
    dir,
    binaries: options.binaries,
    // A node without heartbeats is NotReady after 20 s (default 50 s): the `node` fault shows within a minute.
    running: {
      controllers: LOCAL_CLUSTER_CONTROLLERS,
      controllerManagerArgs: ['--node-monitor-grace-period=20s'],
      scheduler: true,
      nodes: [LOCAL_CLUSTER_NODE],
    },
  });
}
