// The prometheus connector as workflow code and the loader see it (connectors/descriptor.ts).
import type { ConnectorDescriptor } from '../descriptor.js';

export const prometheusDescriptor: ConnectorDescriptor<'prometheus'> = {
  type: 'prometheus',
  checks: {
    promql: {
      perspective: 'services',
      unit: (check) => check.unit,
      describe: (check) => `${check.series === 'one' ? '' : `${check.series} over the series of `}${check.query}`,
    },
  },
  collectTimeoutMs: (spec) => spec.timeout + 5_000,
};
