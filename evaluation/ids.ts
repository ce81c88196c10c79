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

export const GROUP_SCHEDULE_PREFIX = 'pipewatch-group/';

/** Schedule (and workflow id prefix) of a cadence group (config/groups.ts). */
export function groupScheduleId(groupId: string): string {
  return `${GROUP_SCHEDULE_PREFIX}${groupId}`;
}

/**
 * Run id of one member's check in a group run: the group run's workflow id, "#",
 * the monitor id ("#" is in neither). Unique per monitor and tick, as a monitor
 * run's workflow id is; what comes before "#" is the workflow to look at.
 */
export function memberRunId(groupWorkflowId: string, monitorId: string): string {
  return `${groupWorkflowId}#${monitorId}`;
}

/** The workflow that recorded a run: the run id itself, or the group run of a member's run id. */
export function workflowIdOfRun(runId: string): string {
  const i = runId.indexOf('#');
  return i < 0 ? runId : runId.slice(0, i);
}
