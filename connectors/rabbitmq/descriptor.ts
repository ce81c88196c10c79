// The rabbitmq connector as workflow code and the loader see it (connectors/descriptor.ts).
import { DEFAULT_COLLECT_TIMEOUT_MS, type ConnectorDescriptor } from '../descriptor.js';

export const rabbitmqDescriptor: ConnectorDescriptor<'rabbitmq'> = {
  type: 'rabbitmq',
  checks: {
    queue: {
      perspective: 'services',
      unit: () => 'messages',
      describe: (check) => `messages waiting in ${check.queue}`,
      defaultEveryMs: 10 * 60_000,
    },
  },
  collectTimeoutMs: () => DEFAULT_COLLECT_TIMEOUT_MS,
};
