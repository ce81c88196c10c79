// The default scales (issue 20): without `cadenceGroups`, intervals with many monitors run in groups, placed by a
// consistent hash so adding or removing a monitor moves no other one; the explicit setting still wins.
import { AUTO_GROUPS, cadenceGroups, groupsFor, jumpBucket, MEMBER_BYTES } from '../../config/groups.js';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';

function monitor(id: string, everyMs = 60_000): MonitorDefinition {
  return {
    id,
    version: 'v1',
    check: { type: 'count' },
    notification: { routing: {} },
    schedule: { everyMs, offsetMs: 0, timezone: 'UTC', catchupWindowMs: 300_000 },
  } as unknown as MonitorDefinition;
}
const many = (n: number, everyMs = 60_000, prefix = 'm') =>
  Array.from({ length: n }, (_, i) => monitor(`${prefix}${i}`, everyMs));
const membership = (groups: ReturnType<typeof cadenceGroups>) =>
  new Map(groups.flatMap((g) => g.monitors.map((m) => [m.id, g.id] as const)));

describe('jumpBucket', () => {
  it('moves keys only into the new bucket when the number of buckets grows, about 1 in n + 1', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `monitor-${i}`);
    for (const n of [1, 2, 7, 49, 50]) {
      const moved = keys.filter((k) => jumpBucket(k, n) !== jumpBucket(k, n + 1));
      for (const k of moved) expect(jumpBucket(k, n + 1)).toBe(n);
      expect(moved.length / keys.length).toBeGreaterThan(0.6 / (n + 1));
      expect(moved.length / keys.length).toBeLessThan(1.4 / (n + 1));
    }
  });

  it('spreads keys evenly and stays in range', () => {
    const counts = new Array(50).fill(0);
    for (let i = 0; i < 50_000; i++) counts[jumpBucket(`k${i}`, 50)]++;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1_150);
    expect(jumpBucket('anything', 1)).toBe(0);
  });
});

describe('the automatic rule (no cadenceGroups in the config)', () => {
  it('keeps an interval on schedules of its own up to five runs a second, groups it above', () => {
    expect(AUTO_GROUPS.runsPerSecond).toBe(5);
    expect(groupsFor(many(300), undefined)).toEqual([]);
    expect(groupsFor(many(301), undefined).length).toBeGreaterThan(0);
    expect(groupsFor(many(150, 30_000), undefined)).toEqual([]);
    expect(groupsFor(many(151, 30_000), undefined).length).toBeGreaterThan(0);
    expect(groupsFor(many(1_500, 300_000), undefined)).toEqual([]);
    expect(groupsFor(many(1_501, 300_000), undefined).length).toBeGreaterThan(0);
    // A demo's handful of monitors every 3 s (2.7 runs a second) keeps its schedules.
    expect(groupsFor(many(8, 3_000), undefined)).toEqual([]);
  });

  it('decides per interval: a busy interval is grouped while a quiet one keeps its schedules', () => {
    const groups = groupsFor([...many(2_500, 60_000, 'busy'), ...many(20, 300_000, 'quiet')], undefined);
    const grouped = membership(groups);
    expect(grouped.size).toBe(2_500);
    expect([...grouped.keys()].every((id) => id.startsWith('busy'))).toBe(true);
    expect(groups).toHaveLength(50);
  });

  it("makes groups smaller when ids are long, so a group's member ids fit PipewatchMembers", () => {
    const long = Array.from({ length: 2_500 }, (_, i) => monitor(`warehouse-orders-daily-freshness-of-partition-${i}`));
    const groups = groupsFor(long, undefined);
    expect(groups.length).toBeGreaterThan(100);
    const fitting = groups.filter(
      (g) => Buffer.byteLength(JSON.stringify(g.monitors.map((m) => m.id))) <= MEMBER_BYTES,
    );
    // Hash placement varies around the average, which uses half the room.
    expect(fitting.length / groups.length).toBeGreaterThan(0.99);
  });

  it('moves no other monitor when one is added or removed, also when the number of groups grows', () => {
    // 2,500 → 2,501 at size 50 makes a 51st group: only monitors it takes move, into it.
    const before = membership(groupsFor(many(2_500), undefined));
    const after = membership(groupsFor([...many(2_500), monitor('newcomer')], undefined));
    const newGroups = new Set([...after.values()].filter((g) => ![...before.values()].includes(g)));
    expect(newGroups.size).toBe(1);
    let moved = 0;
    for (const [id, group] of before) {
      if (after.get(id) === group) continue;
      moved++;
      expect(newGroups.has(after.get(id)!)).toBe(true);
    }
    expect(moved).toBeLessThan((2_500 / 51) * 1.5);
    const removed = membership(
      groupsFor(
        many(2_500).filter((m) => m.id !== 'm17'),
        undefined,
      ),
    );
    for (const [id, group] of removed) expect(before.get(id)).toBe(group);
  });

  it('lets the explicit setting win: a size groups even a small interval, false groups none', () => {
    expect(groupsFor(many(10), { size: 5 })).toHaveLength(2);
    expect(groupsFor(many(2_500), false)).toEqual([]);
  });
});

describe('the rule in a loaded config', () => {
  const config = (groupsLine: string, n: number) =>
    parseConfig(
      `version: 1
${groupsLine}
defaults: { schedule: { every: 1m } }
connectors: { lake: { type: postgres, url: "postgres://x@127.0.0.1/test" } }
channels: {}
monitors:
${Array.from({ length: n }, (_, i) => `  - { id: m${i}, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }] }`).join('\n')}
  - { id: own, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }], schedule: { every: 1m, own: true } }
`,
      'auto.yaml',
      { env: false },
    );

  it('groups 400 one-minute monitors the user did not ask to group, leaving schedule.own alone', () => {
    const c = config('', 400);
    expect(c.groups.length).toBe(8);
    expect(c.groups.reduce((n, g) => n + g.monitors.length, 0)).toBe(400);
    expect(membership(c.groups).has('own')).toBe(false);
  });

  it('keeps 300 one-minute monitors on schedules of their own', () => {
    expect(config('', 300).groups).toEqual([]);
  });

  it('honours cadenceGroups: false and cadenceGroups: { size }', () => {
    expect(config('cadenceGroups: false', 400).groups).toEqual([]);
    expect(config('cadenceGroups: { size: 100 }', 200).groups).toHaveLength(2);
  });

  it("refuses cadenceGroups: true with the file's line", () => {
    expect(() => config('cadenceGroups: true', 1)).toThrow(/auto\.yaml:2/);
  });
});
