// A real Kubernetes API server per test file (etcd + kube-apiserver from the
// cache, ~3 s to start) and helpers that write what a kubelet and the
// controllers would: pods and their status, events, CronJobs and Jobs.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../devserver/kubernetes.js';
import { testEnv } from './env.js';

export async function startTestControlPlane(options: Omit<ControlPlaneOptions, 'dir'> = {}): Promise<ControlPlane> {
  return startControlPlane({ dir: mkdtempSync(join(testEnv().root, 'k8s-')), ...options });
}

export function adminConfig(cp: ControlPlane): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  return kc;
}

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export class Cluster {
  readonly core: k8s.CoreV1Api;
  readonly batch: k8s.BatchV1Api;
  readonly rbac: k8s.RbacAuthorizationV1Api;

  constructor(readonly kc: k8s.KubeConfig) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.batch = kc.makeApiClient(k8s.BatchV1Api);
    this.rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  }

  async namespace(name: string): Promise<string> {
    await this.core.createNamespace({ body: { metadata: { name } } });
    return name;
  }

  /**
   * A node that reports Ready, as a kubelet would (no node lifecycle controller runs here to change it): pods bound
   * to a node that does not exist or is not Ready are a node-layer problem to podHealth, as on a real cluster.
   */
  async readyNode(name: string): Promise<void> {
    await this.core.createNode({ body: { metadata: { name } } });
    const now = new Date();
    await this.core.patchNodeStatus(
      {
        name,
        body: {
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'KubeletReady',
                message: 'kubelet is posting ready status',
                lastHeartbeatTime: now,
                lastTransitionTime: now,
              },
            ],
          },
        },
      },
      merge,
    );
  }

  /** A pod as a controller would create it; `nodeName` binds it (no scheduler runs here). */
  async pod(
    namespace: string,
    name: string,
    labels: Record<string, string>,
    options: { nodeName?: string; containers?: string[]; finalizers?: string[] } = {},
  ): Promise<k8s.V1Pod> {
    return this.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels, finalizers: options.finalizers },
        spec: {
          nodeName: options.nodeName,
          containers: (options.containers ?? ['main']).map((c) => ({ name: c, image: `registry.example/${c}:1` })),
        },
      },
    });
  }

  /** Writes a pod's status as the kubelet would, through the status subresource. */
  async podStatus(namespace: string, name: string, status: k8s.V1PodStatus): Promise<k8s.V1Pod> {
    return this.core.patchNamespacedPodStatus({ namespace, name, body: { status } }, merge);
  }

  async event(
    namespace: string,
    involved: { kind: string; name: string; uid?: string },
    e: {
      reason: string;
      message: string;
      type?: 'Warning' | 'Normal';
      count?: number;
      first?: Date;
      last?: Date;
      name?: string;
    },
  ): Promise<k8s.CoreV1Event> {
    const last = e.last ?? new Date();
    return this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: e.name ?? `${involved.name}.${Math.random().toString(16).slice(2, 12)}` },
        involvedObject: { kind: involved.kind, name: involved.name, namespace, uid: involved.uid },
        reason: e.reason,
        message: e.message,
        type: e.type ?? 'Warning',
        count: e.count ?? 1,
        firstTimestamp: e.first ?? last,
        lastTimestamp: last,
        source: { component: 'kubelet', host: 'node-1' },
      },
    });
  }

  async cronJob(
    namespace: string,
    name: string,
    spec: {
      schedule: string;
      timeZone?: string;
      suspend?: boolean;
      startingDeadlineSeconds?: number;
      concurrencyPolicy?: string;
    },
    labels: Record<string, string> = {},
  ): Promise<k8s.V1CronJob> {
    return this.batch.createNamespacedCronJob({
      namespace,
      body: {
        metadata: { name, labels },
        spec: {
          ...spec,
          jobTemplate: {
            spec: {
              template: {
                spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example/job:1' }] },
              },
            },
          },
        },
      },
    });
  }

  async cronJobStatus(namespace: string, name: string, status: k8s.V1CronJobStatus): Promise<k8s.V1CronJob> {
    return this.batch.patchNamespacedCronJobStatus({ namespace, name, body: { status } }, merge);
  }

  /** A Job as the CronJob controller creates it (owned by the CronJob), with its status written afterwards. */
  async job(
    namespace: string,
    name: string,
    owner: k8s.V1CronJob | undefined,
    status: k8s.V1JobStatus,
    labels: Record<string, string> = {},
  ): Promise<k8s.V1Job> {
    const created = await this.batch.createNamespacedJob({
      namespace,
      body: {
        metadata: {
          name,
          labels,
          ownerReferences: owner
            ? [
                {
                  apiVersion: 'batch/v1',
                  kind: 'CronJob',
                  name: owner.metadata!.name!,
                  uid: owner.metadata!.uid!,
                  controller: true,
                },
              ]
            : undefined,
        },
        spec: {
          backoffLimit: 1,
          template: {
            spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example/job:1' }] },
          },
        },
      },
    });
    await this.batch.patchNamespacedJobStatus({ namespace, name, body: { status } }, merge);
    return created;
  }
}
