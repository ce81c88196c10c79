// The kubernetes connector as workflow code and the loader see it (connectors/descriptor.ts).
import { formatDuration } from '../../config/duration.js';
import type { ConnectorDescriptor } from '../descriptor.js';

export const kubernetesDescriptor: ConnectorDescriptor<'kubernetes'> = {
  type: 'kubernetes',
  checks: {
    kubeEvents: {
      perspective: 'operations',
      unit: () => 'count',
      describe: (check, { details }) =>
        `Kubernetes events in ${formatDuration(check.window)}${kubeScope(check)}${summary(details)}`,
    },
    podHealth: {
      perspective: 'operations',
      unit: () => 'count',
      describe: (check, { details }) => `pod problems${kubeScope(check)}${summary(details)}`,
    },
    cronJobs: {
      perspective: 'operations',
      unit: () => 'count',
      describe: (check, { details }) => `CronJob problems${kubeScope(check)}${summary(details)}`,
    },
  },
  // A first list of a large cluster's events, then pages of pods or Jobs.
  collectTimeoutMs: (spec) => spec.requestTimeout * 4 + 30_000,
};

function kubeScope(check: { namespace?: string; labels?: string }): string {
  return `${check.namespace ? ` in namespace ${check.namespace}` : ''}${check.labels ? ` (${check.labels})` : ''}`;
}

function summary(details?: Record<string, unknown>): string {
  return details?.summary ? ` (${String(details.summary)})` : '';
}
