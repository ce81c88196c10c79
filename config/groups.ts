// Cadence groups: monitors that share an "every" schedule, run together. One
// schedule and one workflow run per group and tick instead of one per monitor,
// because a Temporal server's cost is per workflow run (BENCHMARKS.md, "Scale").
// Each member keeps its own points, state, alerts and incidents. Membership is a
// consistent hash of the monitor id: adding or removing a monitor moves no other
// one, and when the number of groups grows by one only the monitors the new
// group takes move.
//
// Without `cadenceGroups` in the config the rule below decides per cadence
// (AUTO_GROUPS): what a user writes scales without knowing about groups.
import { createHash } from 'node:crypto';
import { formatDuration } from './duration.js';
import { groupMonitors, type CadenceGroup, type MonitorDefinition, type MonitorSchedule } from './model.js';
import { isKeyedCheck, needsOwnSchedule } from '../connectors/descriptors.js';

/** Whether a monitor may run in a group, given what its config says about its schedule. */
export function mayJoinGroup(monitor: MonitorDefinition, declared: { own?: boolean; offset?: number }): boolean {
  return (
    monitor.schedule.everyMs !== undefined &&
    declared.own !== true &&
    declared.offset === undefined &&
    !needsOwnSchedule(monitor.check.type) &&
    // A group run records one verdict per member; a keyed check's keys are recorded by its own monitor run.
    !isKeyedCheck(monitor.check)
  );
}

const hash = (text: string) => createHash('sha256').update(text).digest();

/**
 * The rule used when the config does not mention `cadenceGroups`. The Temporal server's cost is per workflow run
 * (~35 ms of its CPU each on the 2-core bench machine, which saturated near 30 runs/s and ran 16.7 runs/s — 1,000
 * monitors a minute — with no missed tick at 44 % of a core): a cadence whose monitors would start more than
 * `runsPerSecond` runs a second on schedules of their own — more than 300 monitors at 1m, 150 at 30s, 1,500 at
 * 5m — runs in groups of about `size`; a smaller cadence keeps a schedule per monitor (the clearest history, its
 * own pause and trigger). Five a second is under a third of what that run sustained, leaving room for several
 * such intervals; if they still add up to too much, the self-monitor says so. `size` shrinks when ids are long, so a group's member ids fit the
 * PipewatchMembers search attribute (MEMBER_BYTES), which finds a monitor's group runs in the Web UI.
 */
export const AUTO_GROUPS = { runsPerSecond: 5, size: 50 } as const;

/** Bytes of the PipewatchMembers value: under the server's 2 KB default per search attribute value (limit.searchAttributesSizeOfValue). */
export const MEMBER_BYTES = 1_536;

/** What the config says about groups: absent (the AUTO_GROUPS rule), false (never), or a size (every cadence). */
export type GroupSetting = undefined | false | { size: number };

/**
 * The groups of a config's joinable monitors under its setting. An explicit size groups every cadence (as
 * before); `false` none; without the key, cadences above AUTO_GROUPS.runsPerSecond are grouped.
 */
export function groupsFor(monitors: MonitorDefinition[], setting: GroupSetting): CadenceGroup[] {
  if (setting === false) return [];
  if (setting) return cadenceGroups(monitors, setting.size);
  return cadenceGroups(monitors, AUTO_GROUPS.size, {
    minRunsPerSecond: AUTO_GROUPS.runsPerSecond,
    memberBytes: MEMBER_BYTES,
  });
}

/**
 * Jump consistent hash (Lamping and Veach, 2014): a bucket in [0, buckets) for the key; going from n to n + 1
 * buckets moves only the keys that land in the new one (about 1 in n + 1), and none otherwise.
 */
export function jumpBucket(key: string, buckets: number): number {
  let k = hash(key).readBigUInt64BE(0);
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & 0xffff_ffff_ffff_ffffn;
    j = Math.floor((b + 1) * (2 ** 31 / Number((k >> 33n) + 1n)));
  }
  return b;
}

/**
 * The groups of these monitors (all of which may join one), about `size` members each. With `minRunsPerSecond`,
 * a cadence below that rate of runs on its own is left out (its monitors keep their schedules); with
 * `memberBytes`, groups are made smaller when the members' ids would not fit that many bytes on average.
 */
export function cadenceGroups(
  monitors: MonitorDefinition[],
  size: number,
  auto: { minRunsPerSecond?: number; memberBytes?: number } = {},
): CadenceGroup[] {
  const byCadence = new Map<string, MonitorDefinition[]>();
  // Monitors of one config share one policy object: hashed once, not once per monitor (25,000 of them load).
  const policyHashes = new WeakMap<object, string>();
  const policyHash = (policy: MonitorDefinition['notification']) => {
    let h = policyHashes.get(policy);
    if (h === undefined) policyHashes.set(policy, (h = hash(JSON.stringify(policy)).toString('hex')));
    return h;
  };
  for (const m of monitors) {
    const s = m.schedule;
    // One config gives every monitor the same policy; members must share it, as the group carries it once.
    const key = JSON.stringify([s.everyMs, s.timezone, s.jitterMs ?? 0, s.catchupWindowMs, policyHash(m.notification)]);
    const same = byCadence.get(key);
    if (same) same.push(m);
    else byCadence.set(key, [m]);
  }
  const groups: CadenceGroup[] = [];
  for (const [key, members] of byCadence) {
    const s = members[0]!.schedule;
    if (auto.minRunsPerSecond !== undefined && members.length / (s.everyMs! / 1000) <= auto.minRunsPerSecond) continue;
    // "1m-…" for an interval on default settings; another time zone, jitter or catch-up window adds a key of its own.
    const plain = s.timezone === 'UTC' && !s.jitterMs && s.catchupWindowMs === 300_000;
    const prefix = `${formatDuration(s.everyMs!)}${plain ? '' : `-${hash(key).toString('hex').slice(0, 6)}`}`;
    const idBytes = members.reduce((n, m) => n + Buffer.byteLength(m.id) + 3, 2) / members.length;
    // Room for hash variance: an average group uses half the bytes.
    const fits = auto.memberBytes ? Math.max(2, Math.floor(auto.memberBytes / 2 / idBytes)) : size;
    const count = Math.max(1, Math.ceil(members.length / Math.min(size, fits)));
    const buckets: MonitorDefinition[][] = Array.from({ length: count }, () => []);
    for (const m of members) buckets[jumpBucket(m.id, count)]!.push(m);
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
  // "members": since group runs carry PipewatchMembers, so sync updates schedules made before.
  const version = hash(JSON.stringify(['members', schedule, sorted.map((m) => [m.id, m.version])]))
    .toString('hex')
    .slice(0, 16);
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
