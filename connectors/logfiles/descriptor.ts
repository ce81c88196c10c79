// The logfiles connector as workflow code and the loader see it (connectors/descriptor.ts).
import { logChecks } from '../shared/descriptor.js';
import { DEFAULT_COLLECT_TIMEOUT_MS, type ConnectorDescriptor } from '../descriptor.js';

export const logfilesDescriptor: ConnectorDescriptor<'logfiles'> = {
  type: 'logfiles',
  checks: { ...logChecks },
  collectTimeoutMs: () => DEFAULT_COLLECT_TIMEOUT_MS,
};
