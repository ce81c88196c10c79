// Names that tie Temporal objects to monitors. Stable: operators type them
// into `temporal` commands and the Web UI, and sync finds its schedules by them.

export const SCHEDULE_PREFIX = 'pipewatch-monitor/';

export function scheduleId(monitorId: string): string {
  return `${SCHEDULE_PREFIX}${monitorId}`;
}

/** Workflow id of a monitor's runs; the schedule appends the tick's timestamp. */
export function monitorWorkflowId(monitorId: string): string {
  return `${SCHEDULE_PREFIX}${monitorId}`;
}
