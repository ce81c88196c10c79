// schedules sync against a real Temporal dev server: create, update, delete,
// dry run, foreign schedules untouched, operator pauses kept.
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { parseConfig } from '../../config/load.js';
import { applyPlan, planFor, readExisting, type SyncTarget } from '../../schedules/sync.js';
import { scheduleId } from '../../evaluation/ids.js';
import { MONITOR } from '../../workflows/search-attributes.js';
import { uniqueName } from '../support/env.js';
import { testClient } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';

function config(project: string, monitors: Array<{ id: string; every?: string; above?: number }>) {
  const text = `version: 1
project: ${project}
connectors:
  lake: { type: postgres, url: "postgres://reader@127.0.0.1:5432/test" }
monitors:
${monitors
  .map(
    (m) => `  - id: ${m.id}
    connector: lake
    schedule: { every: ${m.every ?? '1h'}, jitter: 1s }
    check: { type: freshness, dataset: records, timestamp: ts }
    rules: [{ above: ${m.above ?? 60}, severity: critical }]`,
  )
  .join('\n')}
`;
  return parseConfig(text, 'test.yaml', { env: {} });
}

describe('schedules sync', () => {
  let client: Client;
  let target: SyncTarget;
  const project = uniqueName('proj').replace(/_/g, '-').toLowerCase();
  const a = uniqueName('a').replace(/_/g, '-').toLowerCase();
  const b = uniqueName('b').replace(/_/g, '-').toLowerCase();
  const foreignId = scheduleId(uniqueName('foreign').replace(/_/g, '-').toLowerCase());

  beforeAll(async () => {
    client = await testClient();
    target = { client, taskQueue: uniqueName('tq'), project };
    // Someone else's schedule that happens to use pipewatch's prefix.
    await client.schedule.create({
      scheduleId: foreignId,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'somethingElse', taskQueue: 'other', args: [] },
      state: { paused: true },
    });
  });

  afterAll(async () => {
    for (const id of [foreignId, scheduleId(a), scheduleId(b)])
      await client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await client.connection.close();
  });

  const owned = async () =>
    (await readExisting(target))
      .filter((s) => s.owned)
      .map((s) => s.scheduleId)
      .sort();
  // Listing schedules reads the visibility store, which trails writes by a moment.
  const ownedEventually = async (expected: string[]) => {
    const want = [...expected].sort();
    await waitFor(
      async () => JSON.stringify(await owned()) === JSON.stringify(want),
      `owned schedules to be ${want.join(', ')}`,
      15_000,
    );
    expect(await owned()).toEqual(want);
  };

  it('dry run plans without changing anything', async () => {
    const plan = await planFor(target, config(project, [{ id: a }, { id: b }]).monitors);
    expect(plan.steps.map((s) => s.action)).toEqual(['create', 'create']);
    expect(await owned()).toEqual([]);
  });

  it('creates one schedule per monitor, carrying the monitor definition and search attributes', async () => {
    const declared = config(project, [{ id: a }, { id: b, every: '30m' }]);
    await applyPlan(target, await planFor(target, declared.monitors));
    await ownedEventually([scheduleId(a), scheduleId(b)]);

    const d = await client.schedule.getHandle(scheduleId(b)).describe();
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([30 * 60_000]);
    expect(d.spec.jitter).toBe(1_000);
    expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(d.policies.catchupWindow).toBe(5 * 60_000);
    expect(d.action.type === 'startWorkflow' && d.action.workflowType).toBe('monitorWorkflow');
    const args = d.action.type === 'startWorkflow' ? (d.action.args as Array<{ id: string; version: string }>) : [];
    expect(args[0]).toMatchObject({ id: b, version: declared.monitors[1]!.version });
    expect(d.typedSearchAttributes.get(MONITOR)).toBe(b);
  });

  it('is a no-op when nothing changed', async () => {
    const plan = await planFor(target, config(project, [{ id: a }, { id: b, every: '30m' }]).monitors);
    expect(plan.steps.map((s) => s.action)).toEqual(['unchanged', 'unchanged']);
  });

  it("updates a changed monitor in place and keeps an operator's pause", async () => {
    await client.schedule.getHandle(scheduleId(a)).pause('maintenance window');
    const declared = config(project, [
      { id: a, above: 120 },
      { id: b, every: '30m' },
    ]);
    const plan = await planFor(target, declared.monitors);
    expect(plan.steps.map((s) => s.action)).toEqual(['update', 'unchanged']);
    await applyPlan(target, plan);
    const d = await client.schedule.getHandle(scheduleId(a)).describe();
    const args =
      d.action.type === 'startWorkflow'
        ? (d.action.args as Array<{ version: string; rules: Array<{ threshold: number }> }>)
        : [];
    expect(args[0]!.version).toBe(declared.monitors[0]!.version);
    expect(args[0]!.rules[0]!.threshold).toBe(120);
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toBe('maintenance window');
  });

  it('deletes only owned schedules that are no longer declared; foreign ones stay', async () => {
    const plan = await planFor(target, config(project, [{ id: a, above: 120 }]).monitors);
    expect(plan.steps.map((s) => [s.action, s.scheduleId])).toEqual([
      ['unchanged', scheduleId(a)],
      ['delete', scheduleId(b)],
    ]);
    await applyPlan(target, plan);
    await ownedEventually([scheduleId(a)]);
    await expect(client.schedule.getHandle(foreignId).describe()).resolves.toBeDefined();
  });

  it("leaves another project's schedules alone and refuses to take their ids", async () => {
    const other: SyncTarget = { ...target, project: `${project}-other` };
    const plan = await planFor(other, config(`${project}-other`, [{ id: a }]).monitors);
    expect(plan.steps).toEqual([]);
    expect(plan.conflicts).toEqual([{ scheduleId: scheduleId(a), monitorId: a }]);
    await expect(applyPlan(other, plan)).rejects.toThrow(/was not created by pipewatch project/);
    // Nothing was changed by the refused sync.
    expect(await owned()).toEqual([scheduleId(a)]);
  });
});
