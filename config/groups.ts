// Cadence groups: monitors that share an "every" schedule, run together. One
// schedule and one workflow run per group and tick instead of one per monitor,
// because a Temporal server's cost is per workflow run (BENCHMARKS.md, "Scale").
// Each member keeps its own points, state, alerts and incidents; membership is a
// hash of the monitor id, so adding a monitor moves no other one until the
// number of groups changes.
import { createHash } from 'node:crypto';
import { formatDuration } from './duration.js';
import { groupMonitors, type CadenceGroup, type MonitorDefinition, type MonitorSchedule } from './model.js';
import type { CheckType } from './schema.js';

/** Checks that stay on schedules of their own: long, heartbeating collections with side effects of their own. */
export const OWN_SCHEDULE_CHECKS: readonly CheckType[] = ['stageCounts', 'logs'];

/** Whether a monitor may run in a group, given what its config says about its schedule. */
export function mayJoinGroup(monitor: MonitorDefinition, declared: { own?: boolean; offset?: number }): boolean {
  return monitor.schedule.everyMs !== undefined && declared.own !== true && declared.offset === undefined && !OWN_SCHEDULE_CHECKS.includes(monitor.check.type);
}

const hash = (text: string) => createHash('sha256').update(text).digest();

/** The groups of these monitors (all of which may join one), about `size` members each. */
export function cadenceGroups(monitors: MonitorDefinition[], size: number): CadenceGroup[] {
  const byCadence = new Map<string, MonitorDefinition[]>();
  for (const m of monitors) {
    const s = m.schedule;
    // One config gives every monitor the same policy; members must share it, as the group carries it once.
    const key = JSON.stringify([s.everyMs, s.timezone, s.jitterMs ?? 0, s.catchupWindowMs, hash(JSON.stringify(m.notification)).toString('hex')]);
    byCadence.set(key, [...(byCadence.get(key) ?? []), m]);
  }
  const groups: CadenceGroup[] = [];
  for (const [key, members] of byCadence) {
    const s = members[0]!.schedule;
    // "1m-…" for an interval on default settings; another time zone, jitter or catch-up window adds a key of its own.
    const plain = s.timezone === 'UTC' && !s.jitterMs && s.catchupWindowMs === 300_000;
    const prefix = `${formatDuration(s.everyMs!)}${plain ? '' : `-${hash(key).toString('hex').slice(0, 6)}`}`;
    const count = Math.max(1, Math.ceil(members.length / size));
    const buckets: MonitorDefinition[][] = Array.from({ length: count }, () => []);
    for (const m of members) buckets[hash(m.id).readUInt32BE(0) % count]!.push(m);
    const width = String(count - 1).length;
    buckets.forEach((bucket, i) => {
      if (bucket.length === 0) return;
      const id = `${prefix}-${String(i).padStart(Math.max(2, width), '0')}`;
      groups.push(makeGroup(id, { ...s, offsetMs: groupOffset(id, s.everyMs!) }, bucket));
    });
  }
  return groups.sort((a, b) => a.id.localeCompare(b.id));
}

function makeGroup(id: string, schedule: MonitorSchedule, members: MonitorDefinition[]): CadenceGroup {
  const sorted = [...members].sort((a, b) => a.id.localeCompare(b.id));
  // A member's version covers its notification policy, so the members' versions cover the group's.
  const version = hash(JSON.stringify([schedule, sorted.map((m) => [m.id, m.version])])).toString('hex').slice(0, 16);
  const monitors = sorted.map(({ notification: _shared, ...member }) => member);
  return { id, version, schedule, notification: sorted[0]!.notification, monitors };
}

/** The groups without these monitors (e.g. checks left out because their source is missing); empty groups go. */
export function withoutMonitors(groups: CadenceGroup[], ids: Set<string>): CadenceGroup[] {
  return groups.flatMap((g) => {
    const kept = groupMonitors(g).filter((m) => !ids.has(m.id));
    if (kept.length === g.monitors.length) return [g];
    return kept.length > 0 ? [makeGroup(g.id, g.schedule, kept)] : [];
  });
}

/** A group's phase within its interval: whole seconds from its id, so groups do not start together. */
function groupOffset(groupId: string, everyMs: number): number {
  const seconds = Math.floor(everyMs / 1000);
  return seconds < 2 ? 0 : (hash(`group/${groupId}`).readUInt32BE(0) % seconds) * 1000;
}
