import type { MonitorDefinition } from '../../config/model.js';
import { formatPlan, planSync } from '../../schedules/plan.js';

function monitor(id: string, version: string): MonitorDefinition {
  return { id, version } as MonitorDefinition;
}

describe('planSync', () => {
  it('creates missing, updates changed, keeps unchanged, deletes owned schedules no longer declared', () => {
    const plan = planSync(
      [monitor('a', 'v1'), monitor('b', 'v2'), monitor('c', 'v1')],
      [
        { scheduleId: 'pipewatch-monitor/b', owned: true, monitorId: 'b', version: 'v1' },
        { scheduleId: 'pipewatch-monitor/c', owned: true, monitorId: 'c', version: 'v1' },
        { scheduleId: 'pipewatch-monitor/gone', owned: true, monitorId: 'gone', version: 'v1' },
      ],
    );
    expect(plan.steps.map((s) => [s.action, s.scheduleId])).toEqual([
      ['create', 'pipewatch-monitor/a'],
      ['update', 'pipewatch-monitor/b'],
      ['unchanged', 'pipewatch-monitor/c'],
      ['delete', 'pipewatch-monitor/gone'],
    ]);
    expect(plan.conflicts).toEqual([]);
    expect(formatPlan(plan)).toBe(
      [
        '+ create pipewatch-monitor/a (version v1)',
        '~ update pipewatch-monitor/b (v1 → v2)',
        '- delete pipewatch-monitor/gone',
        '1 to create, 1 to update, 1 to delete, 1 unchanged',
      ].join('\n'),
    );
  });

  it('never deletes or updates a schedule pipewatch does not own, and reports the id clash', () => {
    const plan = planSync(
      [monitor('taken', 'v1')],
      [
        { scheduleId: 'pipewatch-monitor/foreign', owned: false },
        { scheduleId: 'pipewatch-monitor/taken', owned: false },
      ],
    );
    expect(plan.steps).toEqual([]);
    expect(plan.conflicts).toEqual([{ scheduleId: 'pipewatch-monitor/taken', monitorId: 'taken' }]);
  });

  it('is empty when nothing is declared and nothing is owned', () => {
    expect(planSync([], [{ scheduleId: 'other', owned: false }]).steps).toEqual([]);
  });
});
