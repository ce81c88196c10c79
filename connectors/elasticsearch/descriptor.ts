// The elasticsearch connector as workflow code and the loader see it (connectors/descriptor.ts).
import { logChecks, recordChecks } from '../shared/descriptor.js';
import type { ConnectorDescriptor } from '../descriptor.js';

const ES_INDEX = /^[a-z0-9*][a-z0-9*_.,+-]{0,254}$/;
const ES_FIELD = /^[A-Za-z0-9_@][A-Za-z0-9_@.-]{0,254}$/;

export const elasticsearchDescriptor: ConnectorDescriptor<'elasticsearch'> = {
  type: 'elasticsearch',
  checks: {
    ...recordChecks,
    cluster: {
      perspective: 'services',
      unit: (check) => (check.measure === 'disk' ? 'percent' : 'count'),
      describe: (check) =>
        check.measure === 'status' ? 'cluster status (0 green, 1 yellow, 2 red)' : "the fullest data node's disk",
    },
    ...logChecks,
  },
  collectTimeoutMs: (spec) => spec.requestTimeout * 2 + 5_000,
  sourceNameProblem: (field, value) => {
    if (field === 'dataset')
      return ES_INDEX.test(value)
        ? undefined
        : `"${value}" is not an Elasticsearch index or pattern (lowercase, digits, "*", "_", "-", ".", ",")`;
    return ES_FIELD.test(value) ? undefined : `"${value}" is not an Elasticsearch field name`;
  },
  checkProblem: (check) =>
    check.type === 'logs' && !check.index
      ? {
          field: 'index',
          message: 'a logs check on Elasticsearch needs "index" (an index or pattern such as logs-pipelines-*)',
        }
      : undefined,
  stageProblem: (stage) =>
    stage.normalise.length > 0
      ? {
          field: 'normalise',
          message:
            'Elasticsearch compares ids as indexed; normalise them with a keyword normalizer in the index mapping instead',
        }
      : undefined,
};
