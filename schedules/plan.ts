// Declared monitors and cadence groups versus the schedules that exist → what
// sync will do. Pure: sync.ts reads the server and applies the plan; --dry-run
// prints it.
import type { CadenceGroup } from '../config/model.js';
import type { MonitorDefinition } from '../config/model.js';
import { groupScheduleId, scheduleId } from '../evaluation/ids.js';

export interface ExistingSchedule {
  scheduleId: string;
  /** Created by pipewatch for this project (memo), so sync may change or delete it. */
  owned: boolean;
  monitorId?: string;
  /** Version of the MonitorDefinition or CadenceGroup the schedule runs now. */
  version?: string;
  paused?: boolean;
  /** Made before schedules carried PipewatchVersion: updated once, though its version is current. */
  unindexed?: boolean;
}

/** What one schedule runs: a monitor of its own, or a cadence group. */
export type Scheduled =
  { monitor: MonitorDefinition; group?: undefined } | { group: CadenceGroup; monitor?: undefined };

export type PlanStep =
  | ({ action: 'create'; scheduleId: string } & Scheduled)
  | ({ action: 'update'; scheduleId: string; from?: string } & Scheduled)
  | { action: 'delete'; scheduleId: string; monitorId?: string }
  | { action: 'unchanged'; scheduleId: string; monitorId?: string };

export interface SyncPlan {
  steps: PlanStep[];
  /** Declared monitors (or groups) whose schedule id is taken by a schedule pipewatch does not own. */
  conflicts: Array<{ scheduleId: string; monitorId: string }>;
}

export const scheduledId = (s: Scheduled): string => (s.group ? groupScheduleId(s.group.id) : scheduleId(s.monitor.id));
export const scheduledVersion = (s: Scheduled): string => (s.group ? s.group.version : s.monitor.version);

/** The schedules a config needs: one per cadence group, one per monitor in none. */
export function declaredSchedules(monitors: MonitorDefinition[], groups: CadenceGroup[] = []): Scheduled[] {
  const grouped = new Set(groups.flatMap((g) => g.monitors.map((m) => m.id)));
  return [
    ...monitors.filter((m) => !grouped.has(m.id)).map((monitor) => ({ monitor })),
    ...groups.map((group) => ({ group })),
  ];
}

export function planSync(
  declared: MonitorDefinition[],
  existing: ExistingSchedule[],
  groups: CadenceGroup[] = [],
): SyncPlan {
  const byId = new Map(existing.map((s) => [s.scheduleId, s]));
  const wanted = new Set<string>();
  const steps: PlanStep[] = [];
  const conflicts: SyncPlan['conflicts'] = [];

  for (const unit of declaredSchedules(declared, groups)) {
    const id = scheduledId(unit);
    const version = scheduledVersion(unit);
    wanted.add(id);
    const current = byId.get(id);
    if (!current) steps.push({ action: 'create', scheduleId: id, ...unit });
    else if (!current.owned)
      conflicts.push({ scheduleId: id, monitorId: unit.group ? `cadence group ${unit.group.id}` : unit.monitor.id });
    else if (current.version !== version || current.unindexed)
      steps.push({ action: 'update', scheduleId: id, ...unit, from: current.version });
    else steps.push({ action: 'unchanged', scheduleId: id, monitorId: unit.monitor?.id });
  }
  for (const s of existing) {
    if (s.owned && !wanted.has(s.scheduleId))
      steps.push({ action: 'delete', scheduleId: s.scheduleId, monitorId: s.monitorId });
  }
  return { steps, conflicts };
}

export function formatPlan(plan: SyncPlan): string {
  const lines = plan.steps
    .filter((s) => s.action !== 'unchanged')
    .map((s) => {
      const members = 'group' in s && s.group ? `, ${s.group.monitors.length} monitors` : '';
      switch (s.action) {
        case 'create':
          return `+ create ${s.scheduleId} (version ${scheduledVersion(s)}${members})`;
        case 'update':
          return `~ update ${s.scheduleId} (${s.from ?? '?'} → ${scheduledVersion(s)}${members})`;
        case 'delete':
          return `- delete ${s.scheduleId}`;
      }
    });
  const unchanged = plan.steps.filter((s) => s.action === 'unchanged').length;
  const counts = ['create', 'update', 'delete'].map(
    (a) => `${plan.steps.filter((s) => s.action === a).length} to ${a}`,
  );
  return [...lines, `${counts.join(', ')}, ${unchanged} unchanged`].join('\n');
}
