// The host connector as workflow code and the loader see it (connectors/descriptor.ts).
import { DEFAULT_COLLECT_TIMEOUT_MS, type ConnectorDescriptor } from '../descriptor.js';

export const hostDescriptor: ConnectorDescriptor<'host'> = {
  type: 'host',
  checks: {
    disk: {
      perspective: 'services',
      unit: () => 'percent',
      describe: (check) => `${check.measure === 'inodes' ? 'inodes' : 'space'} used on the filesystem of ${check.path}`,
    },
    memory: { perspective: 'services', unit: () => 'percent', describe: () => 'memory in use' },
    load: { perspective: 'services', unit: () => 'count', describe: () => 'load per CPU' },
  },
  collectTimeoutMs: () => DEFAULT_COLLECT_TIMEOUT_MS,
};
