// The http connector as workflow code and the loader see it (connectors/descriptor.ts).
import type { ConnectorDescriptor } from '../descriptor.js';

export const httpDescriptor: ConnectorDescriptor<'http'> = {
  type: 'http',
  checks: {
    http: {
      perspective: 'services',
      unit: () => 'seconds',
      describe: (check, { connector }) =>
        `response time of ${check.method} ${connector?.type === 'http' ? connector.url : ''}${check.path}`,
    },
  },
  collectTimeoutMs: (spec) => spec.timeout + 10_000,
};
