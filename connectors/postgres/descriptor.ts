// The postgres connector as workflow code and the loader see it (connectors/descriptor.ts).
import { recordChecks } from '../shared/descriptor.js';
import type { ConnectorDescriptor } from '../descriptor.js';

const SQL_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/;

export const postgresDescriptor: ConnectorDescriptor<'postgres'> = {
  type: 'postgres',
  checks: {
    ...recordChecks,
    sql: {
      perspective: 'data',
      unit: (check) => check.unit,
      describe: (_check, { monitorId }) => `value of ${monitorId}`,
    },
    database: {
      perspective: 'services',
      unit: (check) => (check.measure === 'connections' ? 'percent' : check.measure === 'size' ? 'bytes' : 'seconds'),
      describe: (check) =>
        ({ connections: 'connections in use', size: 'database size', replicationLag: 'replication lag' })[
          check.measure
        ],
    },
  },
  collectTimeoutMs: (spec) => spec.statementTimeout + spec.connectTimeout + 5_000,
  // Identifiers are quoted when the query is built; this keeps them to what quoting can carry.
  sourceNameProblem: (_field, value) =>
    SQL_NAME.test(value)
      ? undefined
      : `"${value}" is not a table or column name (letters, digits, "_", optionally schema-qualified like lake.records)`,
};
