// The checks several connectors run (count, freshness on record stores; logs on log sources), listed
// by each connector that runs them, and stageCounts, which runs on the stages of a pipeline.
import { formatDuration } from '../../config/duration.js';
import type { CheckDescriptors } from '../descriptor.js';

/** count and freshness: any record store (PostgreSQL, Elasticsearch). */
export const recordChecks: CheckDescriptors<'count' | 'freshness'> = {
  count: {
    perspective: 'data',
    unit: () => 'records',
    describe: (check) => {
      const what = check.uniqueId ? `distinct ${check.uniqueId} ` : 'records ';
      return check.bucket
        ? `${what}in ${check.dataset} in the ${formatDuration(check.bucket)} bucket`
        : `${what}in ${check.dataset} over the last ${formatDuration(check.window!)}`;
    },
  },
  freshness: {
    perspective: 'data',
    unit: () => 'seconds',
    describe: (check) =>
      check.expected
        ? `lateness of ${check.dataset} against its producer's schedule`
        : `age of the newest record in ${check.dataset}`,
  },
};

/** logs: any log source (Elasticsearch, log files). */
export const logChecks: CheckDescriptors<'logs'> = {
  logs: {
    perspective: 'logs',
    unit: () => 'records',
    ownSchedule: true,
    describe: (check) =>
      ({
        any: 'new matching log events',
        // With queryKey each key is judged on its own: its verdict adds "for <key>".
        frequency: `matching log events in ${formatDuration(check.window)}`,
        flatline: `matching log events in ${formatDuration(check.window)}`,
        spike: `log events now against the ${formatDuration(check.window)} before`,
        new_term: `new values of ${String(check.field)} in ${formatDuration(check.window)}`,
        cardinality: `distinct ${String(check.field)} in ${formatDuration(check.window)}`,
        metric: `${check.metric} of ${String(check.field)} in ${formatDuration(check.window)}`,
      })[check.rule],
  },
};

/** Checks without a connector: stageCounts reads the stages of its pipeline. */
export const pipelineChecks: CheckDescriptors<'stageCounts'> = {
  stageCounts: {
    perspective: 'data',
    unit: () => 'records',
    ownSchedule: true,
    describe: (check, { details }) =>
      details?.firstLosingStage
        ? `records lost at stage ${String(details.firstLosingStage)} of pipeline ${check.pipeline}`
        : `records lost in pipeline ${check.pipeline}`,
  },
};
