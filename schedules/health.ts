// What Temporal says about pipewatch's own schedules right now: each one's skipped and missed counters and
// its recent actions (evaluation/saturation.ts judges them). Read by the `schedules` check (the built-in
// self-monitor) and by `pipewatch doctor`. One list, then one describe per schedule, 8 at a time: with
// cadence groups (the default above five runs a second per interval) that is a few hundred calls at most.
import type { Client } from '@temporalio/client';
import { ScheduleNotFoundError } from '@temporalio/client';
import { mapLimit } from '../config/map-limit.js';
import type { QueueBacklog, ScheduleReading } from '../evaluation/saturation.js';
import { GROUP_SCHEDULE_PREFIX, SCHEDULE_PREFIX } from '../evaluation/ids.js';
import { OWNER } from './sync.js';

const PIPEWATCH_PREFIXES = [SCHEDULE_PREFIX, GROUP_SCHEDULE_PREFIX];

/** The monitor and group schedules pipewatch made (memo owner), of one project when given. */
export async function readScheduleHealth(client: Client, project?: string): Promise<ScheduleReading[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list({ pageSize: 1000 })) {
    if (!PIPEWATCH_PREFIXES.some((p) => s.scheduleId.startsWith(p))) continue;
    const memo = (s.memo?.pipewatch ?? {}) as { owner?: string; project?: string };
    if (memo.owner !== OWNER || (project !== undefined && memo.project !== project)) continue;
    ids.push(s.scheduleId);
  }
  const readings = await mapLimit(ids, 8, async (scheduleId): Promise<ScheduleReading | undefined> => {
    try {
      const d = await client.schedule.getHandle(scheduleId).describe();
      return {
        scheduleId,
        skippedOverlap: d.info.numActionsSkippedOverlap,
        missedCatchupWindow: d.info.numActionsMissedCatchupWindow,
        recentActions: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, takenAt: a.takenAt })),
        paused: d.state.paused,
      };
    } catch (err) {
      // Deleted between list and describe (a sync running meanwhile).
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    }
  });
  return readings.filter((r): r is ScheduleReading => r !== undefined);
}

/** The workflow-task backlog of a task queue: how many run tasks wait for a worker, and the oldest one's age. */
export async function readQueueBacklog(client: Client, namespace: string, taskQueue: string): Promise<QueueBacklog> {
  const r = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: 1 },
    taskQueueType: 1,
    reportStats: true,
  } as never);
  const stats = (
    r as unknown as {
      stats?: {
        approximateBacklogCount?: { toString(): string } | number;
        approximateBacklogAge?: { seconds?: { toString(): string } | number; nanos?: number };
      };
    }
  ).stats;
  const age = stats?.approximateBacklogAge;
  return {
    count: Number(stats?.approximateBacklogCount?.toString() ?? 0),
    ageSeconds: age ? Number(age.seconds?.toString() ?? 0) + (age.nanos ?? 0) / 1e9 : 0,
  };
}
