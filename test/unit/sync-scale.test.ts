// Sync at scale (issue 20): schedules carry the version they run as PipewatchVersion when the namespace has it, so
// a no-op sync reads versions from the schedule list; schedules made before it are updated once to carry it.
import { parseConfig } from '../../config/load.js';
import { planSync } from '../../schedules/plan.js';
import { groupScheduleOptions, scheduleOptions } from '../../schedules/sync.js';

const config = parseConfig(
  `version: 1
defaults: { schedule: { every: 1m } }
connectors: { lake: { type: postgres, url: "postgres://x@127.0.0.1/test" } }
monitors:
${Array.from({ length: 400 }, (_, i) => `  - { id: m${i}, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }] }`).join('\n')}
  - { id: alone, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }], schedule: { every: 1m, own: true } }
`,
  'sync.yaml',
  { env: false },
);
const names = (attributes: unknown) =>
  (attributes as Array<{ key: { name: string }; value: unknown }>).map((a) => [a.key.name, a.value]);

describe('PipewatchVersion on schedules', () => {
  const alone = config.monitors.find((m) => m.id === 'alone')!;

  it('is on the schedule, not on its runs, when the namespace has it', () => {
    const o = scheduleOptions(alone, { taskQueue: 'q', project: 'p', versionIndexed: true });
    expect(names(o.typedSearchAttributes)).toContainEqual(['PipewatchVersion', alone.version]);
    expect(names(o.action.typedSearchAttributes).map(([k]) => k)).not.toContain('PipewatchVersion');
    const g = groupScheduleOptions(config.groups[0]!, { taskQueue: 'q', project: 'p', versionIndexed: true });
    expect(names(g.typedSearchAttributes)).toContainEqual(['PipewatchVersion', config.groups[0]!.version]);
  });

  it('is left out for a namespace without it (no pipewatch setup since)', () => {
    const o = scheduleOptions(alone, { taskQueue: 'q', project: 'p' });
    expect(names(o.typedSearchAttributes).map(([k]) => k)).toEqual([
      'PipewatchMonitor',
      'PipewatchPerspective',
      'PipewatchPipeline',
    ]);
  });

  it('makes sync update a current schedule made before it, once', () => {
    const existing = [
      {
        scheduleId: 'pipewatch-monitor/alone',
        owned: true,
        monitorId: 'alone',
        version: alone.version,
        unindexed: true,
      },
    ];
    const plan = planSync([alone], existing);
    expect(plan.steps.map((s) => s.action)).toEqual(['update']);
    expect(planSync([alone], [{ ...existing[0]!, unindexed: false }]).steps.map((s) => s.action)).toEqual([
      'unchanged',
    ]);
  });
});
