// What Temporal says about pipewatch's own schedules right now: each one's skipped and missed counters and
// its recent actions (evaluation/saturation.ts judges them). Read by the `schedules` check (the built-in
// self-monitor) and by `pipewatch doctor`. One list, then a describe per schedule, 8 at a time — except, for the
// self-monitor, the schedules the list itself proves unchanged since the worker last described them
// (readingFromList): a describe is not free on the server (it queries the schedule's workflow, checks its open
// runs and signals it to refresh them — a workflow task per schedule per read: over a quarter of the dev server's
// CPU at 2,500 monitors in 54 groups; BENCHMARKS.md, "Scale by default").
import type { Client, ScheduleSummary } from '@temporalio/client';
import { ScheduleNotFoundError } from '@temporalio/client';
import { mapLimit } from '../config/map-limit.js';
import type { QueueBacklog, ScheduleReading } from '../evaluation/saturation.js';
import { GROUP_SCHEDULE_PREFIX, SCHEDULE_PREFIX } from '../evaluation/ids.js';
import { VERSION } from '../workflows/search-attributes.js';
import { OWNER } from './sync.js';

const PIPEWATCH_PREFIXES = [SCHEDULE_PREFIX, GROUP_SCHEDULE_PREFIX];

/** The most recent actions a reading keeps (what describe gives: the server keeps about ten). */
const RECENT_ACTIONS = 10;

/** What a schedule's entry in the list shows (ScheduleSummary, trimmed to what readingFromList needs). */
export interface ListedSchedule {
  paused: boolean;
  /** The schedule's spec as listed (JSON) and PipewatchVersion when the namespace has it: a sync changes them. */
  spec: string;
  version?: string;
  /** The last few actions (the list shows about five). */
  recentActions: Array<{ scheduledAt: Date; takenAt: Date }>;
  /** The next few nominal times (about five), computed by the scheduler when it last woke. */
  nextActionTimes: Date[];
}

/** A schedule as this worker last read it: the reading, and what the list showed then. */
export interface KnownSchedule {
  reading: ScheduleReading;
  listed: ListedSchedule;
}

/** What a worker remembers between reads, by schedule id (the temporal connector keeps one). */
export type KnownSchedules = Map<string, KnownSchedule>;

/**
 * The reading of a listed schedule without a describe, or undefined when only a describe can tell. Temporal's
 * skipped and missed counters move only when a nominal time passes with no action taken, and every nominal time
 * after the last read was among the times the list promised then (its last one still ahead). So when every
 * promised time that has come is among the actions the list shows now, the counters are still what they were:
 * the reading is the known one with the newer actions. Anything else — nothing known, a promised tick not (yet)
 * shown, a promise that ended before now, the schedule paused, resumed or changed by a sync — is described.
 */
export function readingFromList(
  known: KnownSchedule | undefined,
  listed: ListedSchedule,
  now: Date,
): ScheduleReading | undefined {
  if (!known) return undefined;
  const before = known.listed;
  if (listed.paused || before.paused || listed.spec !== before.spec || listed.version !== before.version)
    return undefined;
  const promisedUntil = before.nextActionTimes.at(-1);
  if (promisedUntil === undefined || promisedUntil.getTime() <= now.getTime()) return undefined;
  const taken = new Set(listed.recentActions.map((a) => a.scheduledAt.getTime()));
  for (const due of before.nextActionTimes) {
    if (due.getTime() <= now.getTime() && !taken.has(due.getTime())) return undefined;
  }
  const actions = new Map(known.reading.recentActions.map((a) => [a.scheduledAt.getTime(), a]));
  for (const a of listed.recentActions) actions.set(a.scheduledAt.getTime(), a);
  const recentActions = [...actions.values()]
    .sort((a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime())
    .slice(-RECENT_ACTIONS);
  return { ...known.reading, recentActions };
}

function listedOf(s: ScheduleSummary): ListedSchedule {
  return {
    paused: s.state.paused,
    spec: JSON.stringify(s.spec ?? null),
    version: s.typedSearchAttributes?.get(VERSION),
    recentActions: s.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, takenAt: a.takenAt })),
    nextActionTimes: s.info.nextActionTimes,
  };
}

/**
 * The monitor and group schedules pipewatch made (memo owner), of one project when given. With `known` (a
 * worker's memory of earlier reads, updated here), schedules the list proves unchanged are not described.
 */
export async function readScheduleHealth(
  client: Client,
  project?: string,
  known?: KnownSchedules,
  now: () => Date = () => new Date(),
): Promise<ScheduleReading[]> {
  const listed: Array<{ scheduleId: string; listed: ListedSchedule }> = [];
  for await (const s of client.schedule.list({ pageSize: 1000 })) {
    if (!PIPEWATCH_PREFIXES.some((p) => s.scheduleId.startsWith(p))) continue;
    const memo = (s.memo?.pipewatch ?? {}) as { owner?: string; project?: string };
    if (memo.owner !== OWNER || (project !== undefined && memo.project !== project)) continue;
    listed.push({ scheduleId: s.scheduleId, listed: listedOf(s) });
  }
  const readAt = now();
  const readings = await mapLimit(listed, 8, async ({ scheduleId, listed: entry }) => {
    const fromList = known && readingFromList(known.get(scheduleId), entry, readAt);
    if (fromList) {
      known.set(scheduleId, { reading: fromList, listed: entry });
      return fromList;
    }
    try {
      const d = await client.schedule.getHandle(scheduleId).describe();
      const reading: ScheduleReading = {
        scheduleId,
        skippedOverlap: d.info.numActionsSkippedOverlap,
        missedCatchupWindow: d.info.numActionsMissedCatchupWindow,
        recentActions: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, takenAt: a.takenAt })),
        paused: d.state.paused,
      };
      known?.set(scheduleId, { reading, listed: entry });
      return reading;
    } catch (err) {
      // Deleted between list and describe (a sync running meanwhile).
      if (err instanceof ScheduleNotFoundError) {
        known?.delete(scheduleId);
        return undefined;
      }
      throw err;
    }
  });
  if (known) {
    const current = new Set(listed.map((l) => l.scheduleId));
    for (const id of known.keys()) if (!current.has(id)) known.delete(id);
  }
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
