// Declared monitors → Temporal Schedules, one per monitor. pipewatch marks the
// schedules it creates (memo: owner and project) and only ever updates or
// deletes those; anything else in the namespace is left alone. Everything is
// visible and operable with `temporal schedule …` and in the Web UI too.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSummary,
  type Workflow,
} from '@temporalio/client';
import type { MonitorDefinition, MonitorSchedule, ReportDefinition } from '../config/model.js';
import {
  GROUP_SCHEDULE_PREFIX,
  groupScheduleId,
  monitorWorkflowId,
  SCHEDULE_PREFIX,
  scheduleId,
} from '../evaluation/ids.js';
import { GROUP, MEMBERS, MONITOR, PERSPECTIVE, PIPELINE, VERSION } from '../workflows/search-attributes.js';
import { MEMBER_BYTES } from '../config/groups.js';
import { fitting, monitorGroupWorkflow } from '../workflows/group.js';
import { HEARTBEAT_PREFIX, heartbeatWorkflow, type HeartbeatInput } from '../workflows/heartbeat.js';
import { monitorWorkflow } from '../workflows/monitor.js';
import { REPORT_PREFIX, reportScheduleId, reportWorkflow } from '../workflows/report.js';
import type { LoadedConfig } from '../config/load.js';
import { mapLimit } from '../config/map-limit.js';
import {
  declaredSchedules,
  planSync,
  scheduledId,
  scheduledVersion,
  type ExistingSchedule,
  type PlanStep,
  type Scheduled,
  type SyncPlan,
} from './plan.js';
import type { CadenceGroup } from '../config/model.js';
import { formatDuration } from '../config/duration.js';

export const OWNER = 'pipewatch';

export interface SyncTarget {
  client: Client;
  taskQueue: string;
  /** Config's project: sync only touches schedules of the same project. */
  project: string;
  /**
   * Whether the namespace has PipewatchVersion: then each schedule carries the version it runs and a sync reads
   * them all from the schedule list (a no-op sync of 10,000 schedules is a few paged calls, not 10,000 describes).
   * Asked of the server once per sync when not given; a namespace without it (no `pipewatch setup` since) works
   * as before.
   */
  versionIndexed?: boolean;
}

interface OwnerMemo {
  owner?: string;
  project?: string;
  monitorId?: string;
  pipeline?: string;
  /** Cadence group schedules: the group and its members. */
  groupId?: string;
  monitorIds?: string[];
}

/**
 * Workflow task timeout of monitor and group runs: a check (local activities, extended by the SDK while they run)
 * cut off by a dead worker is taken over when it passes (Temporal's default, 10 s, was the measured takeover).
 */
export const CHECK_TASK_TIMEOUT = '5s';

/** A schedule's action: start this workflow, with arguments checked against the workflow function's. */
function startWorkflow<W extends Workflow>(
  workflowType: W,
  action: Omit<ScheduleOptionsStartWorkflowAction<W>, 'type' | 'workflowType'>,
): ScheduleOptionsStartWorkflowAction<W> {
  return { type: 'startWorkflow', workflowType, ...action };
}

/** When a schedule fires: an interval (with its phase) or a cron expression, in a time zone. */
function scheduleSpec(s: MonitorSchedule): ScheduleOptions['spec'] {
  return {
    ...(s.everyMs !== undefined
      ? { intervals: [{ every: s.everyMs, ...(s.offsetMs ? { offset: s.offsetMs } : {}) }] }
      : { cronExpressions: [s.cron!] }),
    timezone: s.timezone,
    ...(s.jitterMs ? { jitter: s.jitterMs } : {}),
  };
}

/** The schedule's own attributes: the runs' and, when the namespace has it, the version it runs. */
function scheduleAttributes<T>(
  runs: T[],
  version: string,
  target: Pick<SyncTarget, 'versionIndexed'>,
): Array<T | { key: typeof VERSION; value: string }> {
  return target.versionIndexed ? [...runs, { key: VERSION, value: version }] : runs;
}

export function scheduleOptions(monitor: MonitorDefinition, target: Omit<SyncTarget, 'client'>): ScheduleOptions {
  const searchAttributes = [
    { key: MONITOR, value: monitor.id },
    { key: PERSPECTIVE, value: monitor.perspective },
    { key: PIPELINE, value: monitor.pipeline ?? '' },
  ];
  return {
    scheduleId: scheduleId(monitor.id),
    spec: scheduleSpec(monitor.schedule),
    action: startWorkflow(monitorWorkflow, {
      workflowId: monitorWorkflowId(monitor.id),
      taskQueue: target.taskQueue,
      args: [monitor],
      typedSearchAttributes: searchAttributes,
      // A run that cannot finish (store down for long) must not hold the schedule: later ticks are skipped while it runs.
      workflowRunTimeout: '10m',
      workflowTaskTimeout: CHECK_TASK_TIMEOUT,
      staticSummary:
        monitor.description ??
        `${monitor.check.type} check on ${monitor.connector?.id ?? `pipeline ${monitor.check.type === 'stageCounts' ? monitor.check.pipeline : ''}`}`,
    }),
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: monitor.schedule.catchupWindowMs,
      pauseOnFailure: false,
    },
    memo: { pipewatch: { owner: OWNER, project: target.project, monitorId: monitor.id } satisfies OwnerMemo },
    typedSearchAttributes: scheduleAttributes(searchAttributes, monitor.version, target),
  };
}

/** A cadence group's schedule: one monitorGroupWorkflow run per tick for all its members. */
export function groupScheduleOptions(group: CadenceGroup, target: Omit<SyncTarget, 'client'>): ScheduleOptions {
  const ids = group.monitors.map((m) => m.id);
  const searchAttributes = [{ key: GROUP, value: group.id }];
  // On the runs only: the schedule itself is found by its id, and its memo lists every member.
  const runAttributes = [...searchAttributes, { key: MEMBERS, value: fitting(ids, MEMBER_BYTES) }];
  return {
    scheduleId: groupScheduleId(group.id),
    spec: scheduleSpec(group.schedule),
    action: startWorkflow(monitorGroupWorkflow, {
      workflowId: groupScheduleId(group.id),
      taskQueue: target.taskQueue,
      args: [group],
      typedSearchAttributes: runAttributes,
      workflowRunTimeout: '10m',
      workflowTaskTimeout: CHECK_TASK_TIMEOUT,
      staticSummary: `cadence group ${group.id}: ${ids.length} monitors every ${formatDuration(group.schedule.everyMs!)}`,
    }),
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: group.schedule.catchupWindowMs,
      pauseOnFailure: false,
    },
    memo: {
      pipewatch: { owner: OWNER, project: target.project, groupId: group.id, monitorIds: ids } satisfies OwnerMemo,
    },
    typedSearchAttributes: scheduleAttributes(searchAttributes, group.version, target),
  };
}

const optionsFor = (unit: Scheduled, target: Omit<SyncTarget, 'client'>): ScheduleOptions =>
  unit.group ? groupScheduleOptions(unit.group, target) : scheduleOptions(unit.monitor, target);

/** Listed versions that differ from the config are confirmed by describe up to this many. */
const CONFIRM_AT_MOST = 100;

/**
 * A describe or update the server did not answer in time (a busy server: describe is a query to the schedule's
 * scheduler) is tried again, up to three times, 1 s then 2 s apart: each step is idempotent.
 */
async function retryBusy<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const codes = [err, (err as { cause?: unknown }).cause].map((e) => (e as { code?: number } | undefined)?.code);
      // gRPC DEADLINE_EXCEEDED (4) and UNAVAILABLE (14).
      if (attempt >= 3 || !codes.some((c) => c === 4 || c === 14)) throw err;
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
    }
  }
}

/** Whether the namespace has PipewatchVersion (one call), unless the target says. */
export async function withVersionIndex(target: SyncTarget): Promise<SyncTarget> {
  if (target.versionIndexed !== undefined) return target;
  try {
    const { customAttributes } = await target.client.connection.operatorService.listSearchAttributes({
      namespace: target.client.options.namespace,
    });
    return { ...target, versionIndexed: VERSION.name in (customAttributes ?? {}) };
  } catch {
    // A cloud API key may not list attributes: describe each schedule, as before.
    return { ...target, versionIndexed: false };
  }
}

/**
 * Every schedule in the namespace with a pipewatch id; owned ones with the version they run: from the list's
 * PipewatchVersion when the schedule carries it, else from describe (schedules made before it, or a namespace
 * without it). Visibility lags a schedule change by a moment; a version read stale only repeats an update.
 */
export async function readExisting(target: SyncTarget, wanted?: Map<string, string>): Promise<ExistingSchedule[]> {
  const summaries: ScheduleSummary[] = [];
  for await (const s of target.client.schedule.list({ pageSize: 1000 })) {
    if (s.scheduleId.startsWith(SCHEDULE_PREFIX) || s.scheduleId.startsWith(GROUP_SCHEDULE_PREFIX)) summaries.push(s);
  }
  const listedVersion = (s: ScheduleSummary) => s.typedSearchAttributes?.get(VERSION);
  const differing = summaries.filter(
    (s) => wanted?.has(s.scheduleId) && listedVersion(s) && listedVersion(s) !== wanted.get(s.scheduleId),
  ).length;
  return mapLimit(summaries, 16, async (s): Promise<ExistingSchedule> => {
    const memo = (s.memo?.pipewatch ?? {}) as OwnerMemo;
    const owned = memo.owner === OWNER && memo.project === target.project;
    if (!owned) return { scheduleId: s.scheduleId, owned: false };
    const listed = listedVersion(s);
    // The listed version is trusted when it says "unchanged" (or the schedule goes anyway). One that differs from
    // the wanted version is confirmed by describe, so a list a moment behind an update does not update twice —
    // unless many differ: a change to many monitors is real, and an update repeated for a stale few is harmless.
    if (
      listed &&
      (!wanted || !wanted.has(s.scheduleId) || wanted.get(s.scheduleId) === listed || differing > CONFIRM_AT_MOST)
    ) {
      return { scheduleId: s.scheduleId, owned, monitorId: memo.monitorId, version: listed, paused: s.state.paused };
    }
    try {
      const d = await retryBusy(() => target.client.schedule.getHandle(s.scheduleId).describe());
      const args = d.action.type === 'startWorkflow' ? (d.action.args as unknown[]) : [];
      const definition = args[0] as { version?: string } | undefined;
      // Made before PipewatchVersion: updated once so later syncs read it from the list.
      const unindexed = target.versionIndexed === true && d.typedSearchAttributes.get(VERSION) === undefined;
      return {
        scheduleId: s.scheduleId,
        owned,
        monitorId: memo.monitorId,
        version: definition?.version,
        paused: d.state.paused,
        ...(unindexed ? { unindexed } : {}),
      };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return { scheduleId: s.scheduleId, owned: false };
      throw err;
    }
  });
}

export async function planFor(
  target: SyncTarget,
  declared: MonitorDefinition[],
  groups: CadenceGroup[] = [],
): Promise<SyncPlan> {
  const wanted = new Map(declaredSchedules(declared, groups).map((u) => [scheduledId(u), scheduledVersion(u)]));
  return planSync(declared, await readExisting(await withVersionIndex(target), wanted), groups);
}

export class ScheduleConflictError extends Error {}

async function updateSchedule(target: SyncTarget, unit: Scheduled): Promise<void> {
  const options = optionsFor(unit, target);
  await target.client.schedule.getHandle(options.scheduleId).update((previous) => ({
    spec: options.spec,
    action: options.action,
    policies: options.policies,
    typedSearchAttributes: options.typedSearchAttributes,
    // An operator's pause (and its note) outlives a config change.
    state: { paused: previous.state.paused, note: previous.state.note },
  }));
}

/**
 * Applies a plan. Refuses before changing anything if a declared monitor's
 * schedule id belongs to someone else. Each step is idempotent, so a sync
 * interrupted half-way (server gone) is finished by running it again.
 */
export async function applyPlan(
  given: SyncTarget,
  plan: SyncPlan,
  progress: (step: PlanStep) => void = () => undefined,
): Promise<void> {
  const target = await withVersionIndex(given);
  if (plan.conflicts.length > 0) {
    throw new ScheduleConflictError(
      plan.conflicts
        .map(
          (c) =>
            `schedule ${c.scheduleId} exists but was not created by pipewatch project "${target.project}"; monitor "${c.monitorId}" cannot take it (rename the monitor or delete that schedule)`,
        )
        .join('\n'),
    );
  }
  // Steps are independent (one schedule each): 16 at a time, as readExisting reads them. One at a
  // time, 2,500 monitors took about a minute to create (BENCHMARKS.md, "Scale").
  await mapLimit(plan.steps, 16, async (step) => {
    try {
      await retryBusy(() => applyStep(target, step));
    } catch (err) {
      // The client says "Failed to create schedule"; the server's reason is in the cause.
      const cause =
        err instanceof Error && err.cause instanceof Error
          ? `: ${(err.cause as Error & { details?: string }).details ?? err.cause.message}`
          : '';
      throw new Error(`${step.action} ${step.scheduleId}: ${(err as Error).message}${cause}`, { cause: err });
    }
    progress(step);
  });
}

async function applyStep(target: SyncTarget, step: PlanStep): Promise<void> {
  switch (step.action) {
    case 'create': {
      try {
        await target.client.schedule.create(optionsFor(step, target));
      } catch (err) {
        // Listing lags behind creation; a schedule made moments ago is updated instead.
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        await updateSchedule(target, step);
      }
      break;
    }
    case 'update': {
      await updateSchedule(target, step);
      break;
    }
    case 'delete': {
      try {
        await target.client.schedule.getHandle(step.scheduleId).delete();
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
      break;
    }
    case 'unchanged':
      break;
  }
}

/**
 * The heartbeat schedule of a project: created or updated when the config has
 * `heartbeat`, deleted (if pipewatch owns it) when it no longer has.
 */
export async function syncHeartbeat(
  target: SyncTarget,
  config: LoadedConfig,
  dryRun = false,
): Promise<string | undefined> {
  const id = `${HEARTBEAT_PREFIX}${target.project}`;
  const handle = target.client.schedule.getHandle(id);
  let exists = false;
  let owned = false;
  try {
    const d = await handle.describe();
    exists = true;
    const memo = (d.memo?.pipewatch ?? {}) as OwnerMemo;
    owned = memo.owner === OWNER && memo.project === target.project;
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  const hb = config.raw.heartbeat;
  if (!hb) {
    if (!exists || !owned) return undefined;
    if (!dryRun) await handle.delete();
    return `- delete ${id}`;
  }
  if (exists && !owned)
    throw new ScheduleConflictError(
      `schedule ${id} exists but was not created by pipewatch project "${target.project}"`,
    );
  const input: HeartbeatInput = {
    project: target.project,
    url: hb.url,
    failUrl: hb.failUrl,
    monitors: config.monitors.map((m) => ({ id: m.id, everyMs: m.schedule.everyMs })),
    staleAfter: hb.staleAfter,
  };
  const options: ScheduleOptions = {
    scheduleId: id,
    spec: { intervals: [{ every: hb.every }] },
    action: startWorkflow(heartbeatWorkflow, {
      workflowId: id,
      taskQueue: target.taskQueue,
      args: [input],
      workflowRunTimeout: '5m',
    }),
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000 },
    memo: { pipewatch: { owner: OWNER, project: target.project } satisfies OwnerMemo },
  };
  if (dryRun) return `${exists ? '~ update' : '+ create'} ${id}`;
  if (exists) {
    await handle.update((previous) => ({
      spec: options.spec,
      action: options.action,
      policies: options.policies,
      state: { paused: previous.state.paused, note: previous.state.note },
    }));
  } else {
    await target.client.schedule.create(options);
  }
  return `${exists ? '~ update' : '+ create'} ${id}`;
}

export function reportScheduleOptions(report: ReportDefinition, target: Omit<SyncTarget, 'client'>): ScheduleOptions {
  const s = report.schedule;
  const id = reportScheduleId(report.pipeline);
  const searchAttributes = [{ key: PIPELINE, value: report.pipeline }];
  return {
    scheduleId: id,
    spec: scheduleSpec(s),
    action: startWorkflow(reportWorkflow, {
      workflowId: id,
      taskQueue: target.taskQueue,
      args: [report],
      typedSearchAttributes: searchAttributes,
      // Room for the wait until the period's last window is judged, the report activity's retries (at most 12 h) and a little more.
      workflowRunTimeout: (report.judgedWithinMs ?? 0) + Math.min(report.periodMs, 12 * 3_600_000) + 30 * 60_000,
      staticSummary: `report of pipeline ${report.pipeline}`,
    }),
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.catchupWindowMs, pauseOnFailure: false },
    memo: { pipewatch: { owner: OWNER, project: target.project, pipeline: report.pipeline } satisfies OwnerMemo },
    typedSearchAttributes: searchAttributes,
  };
}

/**
 * The report schedules of a project, one per declared pipeline with a report:
 * created, updated when the definition's version changed (an operator's pause
 * is kept), deleted when the pipeline or its report is gone — only schedules
 * this project owns. Returns what it did (or would do), one line each.
 */
export async function syncReports(target: SyncTarget, reports: ReportDefinition[], dryRun = false): Promise<string[]> {
  const existing = new Map<string, { owned: boolean; version?: string }>();
  for await (const s of target.client.schedule.list()) {
    if (!s.scheduleId.startsWith(REPORT_PREFIX)) continue;
    const memo = (s.memo?.pipewatch ?? {}) as OwnerMemo;
    existing.set(s.scheduleId, { owned: memo.owner === OWNER && memo.project === target.project });
  }
  const lines: string[] = [];
  const conflicts = reports.map((r) => reportScheduleId(r.pipeline)).filter((id) => existing.get(id)?.owned === false);
  if (conflicts.length > 0) {
    throw new ScheduleConflictError(
      conflicts
        .map((id) => `schedule ${id} exists but was not created by pipewatch project "${target.project}"`)
        .join('\n'),
    );
  }
  for (const report of reports) {
    const options = reportScheduleOptions(report, target);
    const handle = target.client.schedule.getHandle(options.scheduleId);
    if (!existing.has(options.scheduleId)) {
      lines.push(`+ create ${options.scheduleId} (version ${report.version})`);
      if (dryRun) continue;
      try {
        await target.client.schedule.create(options);
        continue;
      } catch (err) {
        // Listing lags behind creation; a schedule made moments ago is updated instead.
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      }
    } else {
      let version: string | undefined;
      try {
        const d = await handle.describe();
        version =
          d.action.type === 'startWorkflow'
            ? (d.action.args as Array<Partial<ReportDefinition>>)[0]?.version
            : undefined;
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
      if (version === report.version) continue;
      lines.push(`~ update ${options.scheduleId} (${version ?? '?'} → ${report.version})`);
      if (dryRun) continue;
    }
    await handle.update((previous) => ({
      spec: options.spec,
      action: options.action,
      policies: options.policies,
      typedSearchAttributes: options.typedSearchAttributes,
      state: { paused: previous.state.paused, note: previous.state.note },
    }));
  }
  const wanted = new Set(reports.map((r) => reportScheduleId(r.pipeline)));
  for (const [id, s] of existing) {
    if (!s.owned || wanted.has(id)) continue;
    lines.push(`- delete ${id}`);
    if (dryRun) continue;
    try {
      await target.client.schedule.getHandle(id).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
  return lines;
}
