// What the example runs on its local cluster (`pipewatch start`'s default):
// a parser Deployment and a collector CronJob every minute, which the
// controllers, the scheduler and the kwok node run for real (without
// containers) — and the faults only a cluster of our own can have: its
// CronJob controller stopped (`cronjob`: Kubernetes does not run the
// collector, and says nothing), its node's kubelet gone silent (`node`: kwok,
// which plays the kubelet, stops; the node lifecycle controller marks the node
// NotReady). Reconciled from the fault file with the `pod` fault
// (examples/cluster.ts).
import * as k8s from '@kubernetes/client-node';
import { apiStatus } from '../connectors/kubernetes/client.js';
import { boundedApiClient } from '../connectors/kubernetes/transport.js';
import type { ControlPlane } from '../devserver/kubernetes.js';
import { EXAMPLE_NAMESPACE, readFaults } from './faults.js';

export type LocalControls = Pick<ControlPlane, 'stopComponent' | 'startComponent'>;

export const EXAMPLE_PARSER = 'example-parser';
export const EXAMPLE_COLLECTOR = 'example-collector';
const PART_OF = { 'app.kubernetes.io/part-of': 'example' };

const ignore = (code: number) => (err: unknown) => {
  if (apiStatus(err).status !== code) throw err;
};

/** The parser Deployment and the collector CronJob, created once (left as they are when they exist). */
export async function deployExampleWorkloads(kc: k8s.KubeConfig): Promise<void> {
  const apps = boundedApiClient(kc, k8s.AppsV1Api, 10_000);
  const batch = boundedApiClient(kc, k8s.BatchV1Api, 10_000);
  const parser = { ...PART_OF, 'app.kubernetes.io/name': EXAMPLE_PARSER };
  await apps
    .createNamespacedDeployment({
      namespace: EXAMPLE_NAMESPACE,
      body: {
        metadata: { name: EXAMPLE_PARSER, labels: parser },
        spec: {
          replicas: 1,
          selector: { matchLabels: parser },
          template: {
            metadata: { labels: parser },
            spec: { containers: [{ name: 'parser', image: 'registry.k8s.io/pause:3.10' }] },
          },
        },
      },
    })
    .catch(ignore(409));
  const collector = { ...PART_OF, 'app.kubernetes.io/name': EXAMPLE_COLLECTOR };
  await batch
    .createNamespacedCronJob({
      namespace: EXAMPLE_NAMESPACE,
      body: {
        metadata: { name: EXAMPLE_COLLECTOR, labels: collector },
        spec: {
          schedule: '* * * * *',
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1,
          jobTemplate: {
            spec: {
              backoffLimit: 0,
              template: {
                metadata: { labels: collector },
                spec: {
                  restartPolicy: 'Never',
                  containers: [
                    { name: 'collector', image: 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1', command: ['true'] },
                  ],
                },
              },
            },
          },
        },
      },
    })
    .catch(ignore(409));
}

/**
 * Applies the `cronjob` and `node` faults to the local cluster when they change: the controller-manager
 * stopped or started; kwok stopped (no more node leases or statuses, as when a kubelet dies) or started.
 */
export function localFaults(controls: LocalControls, dataDir: string): () => Promise<void> {
  const applied = { 'kube-controller-manager': false, kwok: false };
  return async () => {
    const faults = readFaults(dataDir).faults;
    const wanted = { 'kube-controller-manager': 'cronjob' in faults, kwok: 'node' in faults };
    for (const component of ['kube-controller-manager', 'kwok'] as const) {
      if (wanted[component] === applied[component]) continue;
      if (wanted[component]) await controls.stopComponent(component);
      else await controls.startComponent(component);
      applied[component] = wanted[component];
    }
  };
}
