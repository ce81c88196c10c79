// Every monitor has a run a person can open (issue 20): in a cadence group too, `pipewatch runs` and the Web UI
// filter find the runs that checked it, and the group's runs carry the member ids within the attribute size limit.
import { parseConfig } from '../../config/load.js';
import { MEMBER_BYTES } from '../../config/groups.js';
import { runsWhere, webUiListUrl } from '../../cli/commands/runs.js';
import { groupScheduleOptions } from '../../schedules/sync.js';

const config = (n: number, idOf = (i: number) => `m${i}`) =>
  parseConfig(
    `version: 1
defaults: { schedule: { every: 1m } }
connectors: { lake: { type: postgres, url: "postgres://x@127.0.0.1/test" } }
channels: {}
monitors:
${Array.from({ length: n }, (_, i) => `  - { id: ${idOf(i)}, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }] }`).join('\n')}
  - { id: alone, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }], schedule: { every: 1m, own: true } }
`,
    'runs.yaml',
    { env: false },
  );

describe('runsWhere', () => {
  const c = config(400);

  it('finds a monitor of its own by PipewatchMonitor', () => {
    expect(runsWhere(c, 'alone')).toEqual({
      monitorId: 'alone',
      scheduleId: 'pipewatch-monitor/alone',
      query: '(WorkflowType = "monitorWorkflow" AND PipewatchMonitor = "alone")',
    });
  });

  it('finds a group member by PipewatchMembers, and its runs from before it joined by PipewatchMonitor', () => {
    const where = runsWhere(c, 'm7');
    const group = c.groups.find((g) => g.monitors.some((m) => m.id === 'm7'))!;
    expect(where.scheduleId).toBe(`pipewatch-group/${group.id}`);
    expect(where.group).toEqual({ id: group.id, members: group.monitors.length });
    expect(where.query).toBe(
      '(WorkflowType = "monitorGroupWorkflow" AND PipewatchMembers = "m7") OR (WorkflowType = "monitorWorkflow" AND PipewatchMonitor = "m7")',
    );
  });

  it('falls back to the group when a member id did not fit the attribute', () => {
    // An explicit size of 200 with long ids: most members cannot be listed in 1.5 KB.
    const long = parseConfig(
      `version: 1
cadenceGroups: { size: 200 }
defaults: { schedule: { every: 1m } }
connectors: { lake: { type: postgres, url: "postgres://x@127.0.0.1/test" } }
channels: {}
monitors:
${Array.from({ length: 150 }, (_, i) => `  - { id: a-rather-long-monitor-name-for-partition-${i}, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }] }`).join('\n')}
`,
      'long.yaml',
      { env: false },
    );
    const [group] = long.groups;
    const last = group!.monitors.at(-1)!.id;
    expect(runsWhere(long, last).query).toBe(
      `(WorkflowType = "monitorGroupWorkflow" AND PipewatchGroup = "${group!.id}") OR (WorkflowType = "monitorWorkflow" AND PipewatchMonitor = "${last}")`,
    );
    const first = group!.monitors[0]!.id;
    expect(runsWhere(long, first).query).toBe(
      `(WorkflowType = "monitorGroupWorkflow" AND PipewatchMembers = "${first}") OR (WorkflowType = "monitorWorkflow" AND PipewatchMonitor = "${first}")`,
    );
  });

  it('refuses a monitor the config does not declare', () => {
    expect(() => runsWhere(c, 'nope')).toThrow(/no monitor "nope"/);
  });

  it('builds the Web UI list link with the query', () => {
    expect(webUiListUrl('http://ui:8233/', 'default', 'PipewatchMembers = "m7"')).toBe(
      'http://ui:8233/namespaces/default/workflows?query=PipewatchMembers%20%3D%20%22m7%22',
    );
  });
});

describe('group schedules carry their members to each run', () => {
  it('lists every member of an automatic group in PipewatchMembers, within the size limit', () => {
    const c = config(2_500);
    expect(c.groups.length).toBe(50);
    for (const g of c.groups) {
      const options = groupScheduleOptions(g, { taskQueue: 'q', project: 'p' });
      const members = (options.action.typedSearchAttributes as Array<{ key: { name: string }; value: unknown }>).find(
        (a) => a.key.name === 'PipewatchMembers',
      )!.value as string[];
      expect(members).toEqual(g.monitors.map((m) => m.id));
      expect(Buffer.byteLength(JSON.stringify(members))).toBeLessThanOrEqual(MEMBER_BYTES);
      // The schedule itself is not searched by member.
      expect((options.typedSearchAttributes as Array<{ key: { name: string } }>).map((a) => a.key.name)).toEqual([
        'PipewatchGroup',
      ]);
    }
  });
});
