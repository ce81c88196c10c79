import { cadenceGroups, withoutMonitors } from '../../config/groups.js';
import { fitting } from '../../workflows/group.js';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { formatPlan, planSync } from '../../schedules/plan.js';

function monitor(id: string, version = 'v1', everyMs = 60_000): MonitorDefinition {
  return {
    id,
    version,
    check: { type: 'count' },
    notification: { routing: {} },
    schedule: { everyMs, offsetMs: 0, timezone: 'UTC', catchupWindowMs: 300_000 },
  } as unknown as MonitorDefinition;
}
const many = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => monitor(`${prefix}${i}`));
const membership = (groups: ReturnType<typeof cadenceGroups>) =>
  new Map(groups.flatMap((g) => g.monitors.map((m) => [m.id, g.id] as const)));

describe('cadenceGroups', () => {
  it('places every monitor in exactly one group of about the asked size, phased within the interval', () => {
    const groups = cadenceGroups(many(2_500), 50);
    expect(groups).toHaveLength(50);
    expect(groups.reduce((n, g) => n + g.monitors.length, 0)).toBe(2_500);
    expect(new Set(groups.flatMap((g) => g.monitors.map((m) => m.id))).size).toBe(2_500);
    const sizes = groups.map((g) => g.monitors.length);
    expect(Math.min(...sizes)).toBeGreaterThan(25);
    expect(Math.max(...sizes)).toBeLessThan(80);
    const offsets = new Set(groups.map((g) => g.schedule.offsetMs));
    expect(offsets.size).toBeGreaterThan(30);
    for (const g of groups) expect(g.schedule.offsetMs).toBeLessThan(60_000);
  });

  it('moves no other monitor when one is added, and changes the version of its group only', () => {
    const before = cadenceGroups(many(120), 50);
    const after = cadenceGroups([...many(120), monitor('newcomer')], 50);
    const was = membership(before);
    const is = membership(after);
    for (const [id, group] of was) expect(is.get(id)).toBe(group);
    const changed = after.filter((g) => before.find((b) => b.id === g.id)?.version !== g.version).map((g) => g.id);
    expect(changed).toEqual([is.get('newcomer')]);
  });

  it('groups by the whole schedule: another interval or catch-up window is another group', () => {
    const groups = cadenceGroups(
      [
        monitor('a'),
        monitor('b', 'v1', 300_000),
        { ...monitor('c'), schedule: { ...monitor('c').schedule, catchupWindowMs: 60_000 } },
      ],
      50,
    );
    expect(groups.map((g) => [g.id.replace(/-[0-9a-f]{6}-/, '-KEY-'), g.monitors.map((m) => m.id)])).toEqual([
      ['1m-00', ['a']],
      ['1m-KEY-00', ['c']],
      ['5m-00', ['b']],
    ]);
  });

  it('drops left-out monitors with a new version, and groups left empty', () => {
    const [g] = cadenceGroups([monitor('a'), monitor('b')], 50);
    const [kept] = withoutMonitors([g!], new Set(['b']));
    expect(kept!.monitors.map((m) => m.id)).toEqual(['a']);
    expect(kept!.version).not.toBe(g!.version);
    expect(withoutMonitors([g!], new Set(['a', 'b']))).toEqual([]);
    expect(withoutMonitors([g!], new Set())).toEqual([g]);
  });
});

describe('cadence groups in a config', () => {
  const config = (groupsLine: string) =>
    parseConfig(
      `version: 1
${groupsLine}
defaults: { schedule: { every: 1m } }
connectors: { lake: { type: postgres, url: "postgres://x@127.0.0.1/test" } }
channels: {}
pipelines:
  p: { stages: [{ id: raw, connector: lake, dataset: raw, uniqueId: id, timestamp: ts }, { id: parsed, connector: lake, dataset: parsed, uniqueId: id, timestamp: ts }] }
monitors:
  - { id: plain, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }] }
  - { id: cron, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }], schedule: { cron: "*/5 * * * *" } }
  - { id: phased, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }], schedule: { every: 1m, offset: 10s } }
  - { id: own, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }], schedule: { every: 1m, own: true } }
  - { id: stages, check: { type: stageCounts, pipeline: p, window: 1h }, rules: [{ above: 0 }] }
`,
      'groups.yaml',
      { env: false },
    );

  it('is off unless asked for', () => {
    expect(config('').groups).toEqual([]);
  });

  it('leaves cron schedules, explicit offsets, schedule.own and stageCounts on schedules of their own', () => {
    const c = config('cadenceGroups: { size: 20 }');
    expect(c.groups.map((g) => g.monitors.map((m) => m.id))).toEqual([['plain']]);
    const plan = planSync(c.monitors, [], c.groups);
    expect(
      formatPlan(plan)
        .split('\n')
        .map((l) => l.replace(/\(version .*\)/, '')),
    ).toEqual([
      '+ create pipewatch-monitor/cron ',
      '+ create pipewatch-monitor/phased ',
      '+ create pipewatch-monitor/own ',
      '+ create pipewatch-monitor/stages ',
      '+ create pipewatch-group/1m-00 ',
      '5 to create, 0 to update, 0 to delete, 0 unchanged',
    ]);
  });

  it('keeps monitor versions: turning groups on changes schedules, not monitors', () => {
    expect(config('cadenceGroups: { size: 20 }').monitors.map((m) => m.version)).toEqual(
      config('').monitors.map((m) => m.version),
    );
  });

  it('replaces member schedules by the group schedule when turned on', () => {
    const off = config('');
    const on = config('cadenceGroups: { size: 20 }');
    const existing = off.monitors.map((m) => ({
      scheduleId: `pipewatch-monitor/${m.id}`,
      owned: true,
      monitorId: m.id,
      version: m.version,
    }));
    const plan = planSync(on.monitors, existing, on.groups);
    expect(plan.steps.filter((s) => s.action !== 'unchanged').map((s) => [s.action, s.scheduleId])).toEqual([
      ['create', 'pipewatch-group/1m-00'],
      ['delete', 'pipewatch-monitor/plain'],
    ]);
  });
});

describe('PipewatchFailing', () => {
  it('keeps the ids that fit the size a search attribute value may have', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `monitor-with-a-long-name-${String(i).padStart(3, '0')}`);
    const kept = fitting(ids, 1_536);
    expect(kept.length).toBeGreaterThan(10);
    expect(kept).toEqual(ids.slice(0, kept.length));
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThanOrEqual(1_536);
    expect(Buffer.byteLength(JSON.stringify(ids.slice(0, kept.length + 1)))).toBeGreaterThan(1_536);
    expect(fitting(['a', 'b'], 1_536)).toEqual(['a', 'b']);
  });
});
