// Kubernetes through @kubernetes/client-node: a kubeconfig file and context,
// or the pod's service account (config.ts). One client per connector
// (client.ts) over a bounded transport (transport.ts): every answer is
// bounded in size, and in time over the whole exchange; so is each line of a
// watch stream (watch-stream.ts). The checks, one file each: kubeEvents
// (events.ts, events held by a list-and-watch, watch.ts), podHealth (pods.ts)
// and cronJobs (cronjobs.ts, schedules from the cluster or manifests.ts).
// The judgement is in evaluation/kubernetes/.
import * as k8s from '@kubernetes/client-node';
import type { Measurement } from '../../evaluation/types.js';
import type { CollectRequest, Connector, ConnectorFactory } from '../types.js';
import { KubeClient } from './client.js';
import type { KubeSpec } from './config.js';
import { collectCronJobs } from './cronjobs.js';
import { EventsCheck } from './events.js';
import { collectPodHealth } from './pods.js';
import { boundedApiClient } from './transport.js';

class KubernetesConnector implements Connector {
  private readonly client: KubeClient;
  private readonly events: EventsCheck;

  constructor(id: string, spec: KubeSpec) {
    this.client = new KubeClient(id, spec);
    this.events = new EventsCheck(this.client);
  }

  async collect(request: CollectRequest): Promise<Measurement> {
    const { check, at } = request;
    switch (check.type) {
      case 'kubeEvents':
        return this.events.collect(check, at);
      case 'podHealth':
        return collectPodHealth(this.client, check, at, request);
      case 'cronJobs':
        return collectCronJobs(this.client, check, at);
      default:
        throw this.client.fail(`cannot run a ${check.type} check`);
    }
  }

  async ping(): Promise<void> {
    const kc = this.client.config();
    await this.client.call('reading the API server version', () =>
      boundedApiClient(kc, k8s.VersionApi, this.client.spec.requestTimeout).getCode(),
    );
  }

  async close(): Promise<void> {
    this.events.close();
  }
}

export const kubernetesConnector: ConnectorFactory<'kubernetes'> = {
  type: 'kubernetes',
  create: (id, spec) => new KubernetesConnector(id, spec),
};
