// The temporal connector as workflow code and the loader see it (connectors/descriptor.ts).
import { formatDuration } from '../../config/duration.js';
import { DEFAULT_COLLECT_TIMEOUT_MS, type ConnectorDescriptor } from '../descriptor.js';

export const temporalDescriptor: ConnectorDescriptor<'temporal'> = {
  type: 'temporal',
  checks: {
    taskQueue: {
      perspective: 'services',
      unit: () => 'count',
      describe: (check) =>
        check.measure === 'pollers'
          ? `workers polling ${check.taskQueue ?? 'the pipewatch task queue'}`
          : `tasks waiting in ${check.taskQueue ?? 'the pipewatch task queue'}`,
    },
    interventions: {
      perspective: 'operations',
      unit: () => 'count',
      describe: (check) => `pipelines waiting on an operator for more than ${formatDuration(check.olderThan)}`,
    },
    schedules: {
      perspective: 'services',
      unit: () => 'count',
      describe: (check, { details }) =>
        `ticks of ${check.project ? `project ${check.project}'s` : "pipewatch's"} schedules skipped, missed or started over ${formatDuration(check.lateAfter)} late in ${formatDuration(check.window)}${details?.summary ? ` (${String(details.summary)})` : ''}`,
    },
  },
  collectTimeoutMs: () => DEFAULT_COLLECT_TIMEOUT_MS,
};
