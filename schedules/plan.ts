// Declared monitors versus the schedules that exist → what sync will do.
// Pure: sync.ts reads the server and applies the plan; --dry-run prints it.
import type { MonitorDefinition } from '../config/model.js';
import { scheduleId } from '../workflows/ids.js';

export interface ExistingSchedule {
  scheduleId: string;
  /** Created by pipewatch for this project (memo), so sync may change or delete it. */
  owned: boolean;
  monitorId?: string;
  /** MonitorDefinition.version the schedule runs now. */
  version?: string;
  paused?: boolean;
}

export type PlanStep =
  | { action: 'create'; scheduleId: string; monitor: MonitorDefinition }
  | { action: 'update'; scheduleId: string; monitor: MonitorDefinition; from?: string }
  | { action: 'delete'; scheduleId: string; monitorId?: string }
  | { action: 'unchanged'; scheduleId: string; monitorId: string };

export interface SyncPlan {
  steps: PlanStep[];
  /** Declared monitors whose schedule id is taken by a schedule pipewatch does not own. */
  conflicts: Array<{ scheduleId: string; monitorId: string }>;
}

export function planSync(declared: MonitorDefinition[], existing: ExistingSchedule[]): SyncPlan {
  const byId = new Map(existing.map((s) => [s.scheduleId, s]));
  const wanted = new Set<string>();
  const steps: PlanStep[] = [];
  const conflicts: SyncPlan['conflicts'] = [];

  for (const monitor of declared) {
    const id = scheduleId(monitor.id);
    wanted.add(id);
    const current = byId.get(id);
    if (!current) steps.push({ action: 'create', scheduleId: id, monitor });
    else if (!current.owned) conflicts.push({ scheduleId: id, monitorId: monitor.id });
    else if (current.version !== monitor.version) steps.push({ action: 'update', scheduleId: id, monitor, from: current.version });
    else steps.push({ action: 'unchanged', scheduleId: id, monitorId: monitor.id });
  }
  for (const s of existing) {
    if (s.owned && !wanted.has(s.scheduleId)) steps.push({ action: 'delete', scheduleId: s.scheduleId, monitorId: s.monitorId });
  }
  return { steps, conflicts };
}

export function formatPlan(plan: SyncPlan): string {
  const lines = plan.steps
    .filter((s) => s.action !== 'unchanged')
    .map((s) => {
      switch (s.action) {
        case 'create':
          return `+ create ${s.scheduleId} (version ${s.monitor.version})`;
        case 'update':
          return `~ update ${s.scheduleId} (${s.from ?? '?'} → ${s.monitor.version})`;
        case 'delete':
          return `- delete ${s.scheduleId}`;
      }
    });
  const unchanged = plan.steps.filter((s) => s.action === 'unchanged').length;
  const counts = ['create', 'update', 'delete'].map((a) => `${plan.steps.filter((s) => s.action === a).length} to ${a}`);
  return [...lines, `${counts.join(', ')}, ${unchanged} unchanged`].join('\n');
}
