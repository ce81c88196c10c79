// Cadence groups on a real worker, dev server, PostgreSQL and SMTP server: one
// schedule and one run for many monitors, each member recorded under its own
// run id with its own state and alerts; a repeated run (what a retry after a
// crash amounts to) records nothing twice and sends nothing twice; a member's
// failures can be found by search attribute; operators are pointed from a
// member to the schedule that runs it.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { parseConfig, type LoadedConfig } from '../../config/load.js';
import { monitorGroupWorkflow, type GroupRunResult } from '../../workflows/group.js';
import type { HistoryStore } from '../../store/history.js';
import { applyPlan, planFor, readExisting } from '../../schedules/sync.js';
import { groupScheduleId, memberRunId, scheduleId } from '../../evaluation/ids.js';
import { FAILING, GROUP, STATUS } from '../../workflows/search-attributes.js';
import { runCli } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import { SmtpReceiver } from '../support/smtp.js';
import { decodedHistoryText, type RunningWorker } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

// Made at run time: no password is written in the source.
const SECRET = `group-${randomUUID()}`;

describe('cadence groups', () => {
  let schema: TestSchema;
  let store: HistoryStore;
  let smtp: SmtpReceiver;
  let worker: RunningWorker;
  let client: Client;
  let fixture: WorkerWithStore;
  let config: LoadedConfig;
  const name = (prefix: string) => uniqueName(prefix).toLowerCase().replace(/_/g, '-');
  const ids = {
    fresh: name('fresh'),
    count: name('count'),
    stale: name('stale'),
    down: name('down'),
    cron: name('cron'),
    own: name('own'),
  };

  beforeAll(async () => {
    schema = await createTestSchema('groups');
    await schema.pool.query(`CREATE TABLE "${schema.name}".records (id text, ts timestamptz DEFAULT now());
      INSERT INTO "${schema.name}".records (id) VALUES ('a'), ('b');
      CREATE TABLE "${schema.name}".old (id text, ts timestamptz);
      INSERT INTO "${schema.name}".old VALUES ('a', now() - interval '3 hours')`);
    smtp = await SmtpReceiver.start();
    fixture = await startWorkerWithStore('groupsstore', {
      ...process.env,
      LAKE_URL: testEnv().databaseUrl,
      DOWN_PASSWORD: SECRET,
    });
    ({ store, worker, client } = fixture);
    const lake = (id: string, check: string, rule: string, extra = '') =>
      `  - id: ${id}\n    connector: lake\n    check: ${check}\n    rules: [${rule}]\n${extra}`;
    config = parseConfig(
      `version: 1
project: ${name('groups')}
cadenceGroups: { size: 10 }
defaults: { schedule: { every: 1m }, flap: { failAfter: 1, resolveAfter: 1 }, notify: [mail] }
routing: { groupWait: 0s }
notifications: { retry: { initialInterval: 1s, maximumInterval: 2s }, timeout: 10s }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}", statementTimeout: 2s, connectTimeout: 2s }
  down: { type: postgres, url: "postgres://postgres@127.0.0.1:1/test", password: "\${DOWN_PASSWORD}", connectTimeout: 1s }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port} }, from: pw@example.test, to: [ops@example.test] }
monitors:
${lake(ids.fresh, `{ type: freshness, dataset: ${schema.name}.records, timestamp: ts }`, '{ above: 1h, severity: critical }')}${lake(ids.count, `{ type: count, dataset: ${schema.name}.records, timestamp: ts, window: 1h }`, '{ below: 1, severity: critical }')}${lake(ids.stale, `{ type: freshness, dataset: ${schema.name}.old, timestamp: ts }`, '{ above: 1h, severity: critical }')}  - id: ${ids.down}
    connector: down
    check: { type: freshness, dataset: records, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
${lake(ids.cron, `{ type: count, dataset: ${schema.name}.records, timestamp: ts, window: 1h }`, '{ below: 1, severity: critical }', '    schedule: { cron: "*/5 * * * *" }\n')}${lake(ids.own, `{ type: count, dataset: ${schema.name}.records, timestamp: ts, window: 1h }`, '{ below: 1, severity: critical }', '    schedule: { every: 1m, own: true }\n')}`,
      'groups.yaml',
      { env: false },
    );
  });

  afterAll(async () => {
    await fixture?.close();
    await smtp?.stop();
    await schema?.drop();
  });

  it('puts monitors of one interval in a group and leaves cron, own and explicit schedules alone', () => {
    expect(config.groups).toHaveLength(1);
    const [group] = config.groups;
    expect(group!.id).toBe('1m-00');
    expect(group!.monitors.map((m) => m.id).sort()).toEqual([ids.fresh, ids.count, ids.stale, ids.down].sort());
    expect(group!.schedule.everyMs).toBe(60_000);
  });

  it('syncs one schedule for the group and schedules of their own for the rest, then removes them', async () => {
    const target = { client, taskQueue: worker.settings.taskQueue, project: config.raw.project };
    const plan = await planFor(target, config.monitors, config.groups);
    expect(plan.steps.map((s) => [s.action, s.scheduleId]).sort()).toEqual(
      [
        ['create', groupScheduleId('1m-00')],
        ['create', scheduleId(ids.cron)],
        ['create', scheduleId(ids.own)],
      ].sort(),
    );
    await applyPlan(target, plan);
    try {
      const d = await client.schedule.getHandle(groupScheduleId('1m-00')).describe();
      expect(d.action.type === 'startWorkflow' && d.action.workflowType).toBe('monitorGroupWorkflow');
      expect((d.memo?.pipewatch as { monitorIds: string[] }).monitorIds.sort()).toEqual(
        [ids.count, ids.down, ids.fresh, ids.stale].sort(),
      );
      expect(d.typedSearchAttributes.get(GROUP)).toBe('1m-00');

      // Nothing to do the second time; a member is pointed to its group's schedule.
      const again = await planFor(target, config.monitors, config.groups);
      expect(again.steps.every((s) => s.action === 'unchanged')).toBe(true);
      const pause = await runCli(['schedules', 'pause', ids.stale], {
        TEMPORAL_ADDRESS: testEnv().temporalAddress,
        TEMPORAL_NAMESPACE: 'default',
      });
      expect(pause.code).not.toBe(0);
      expect(pause.stderr).toContain(
        `monitor ${ids.stale} runs in cadence group schedule ${groupScheduleId('1m-00')} with 3 other monitor(s)`,
      );
    } finally {
      // Without the groups option every monitor gets its own schedule again and the group's goes.
      const ungrouped = await planFor(target, [], []);
      await applyPlan(target, ungrouped);
    }
    // The schedule list is read from visibility, which sees a delete a moment later: wait for it, then assert.
    await waitFor(
      async () => (await readExisting(target)).every((s) => !s.owned),
      'the deleted schedules gone from the list',
      30_000,
      500,
    ).catch(() => undefined);
    expect((await readExisting(target)).filter((s) => s.owned)).toEqual([]);
  });

  it('checks and records every member under its own run id, alerts per member, and marks the run with who failed', async () => {
    const [group] = config.groups;
    const workflowId = `${groupScheduleId(name('run'))}-2026-11-26T14:00:00Z`;
    const handle = await client.workflow.start(monitorGroupWorkflow, {
      args: [group!],
      taskQueue: worker.settings.taskQueue,
      workflowId,
    });
    const result = (await handle.result()) as GroupRunResult;
    const byId = Object.fromEntries(result.members.map((m) => [m.monitorId, m]));
    expect(byId[ids.fresh]).toMatchObject({ status: 'ok', transition: 'none' });
    expect(byId[ids.count]).toMatchObject({ status: 'ok', transition: 'none', value: 2 });
    expect(byId[ids.stale]).toMatchObject({ status: 'critical', transition: 'open' });
    expect(byId[ids.down]!.status).toBe('error');
    expect(byId[ids.down]!.reason).toMatch(
      /^could not check: postgres connector "down": cannot connect: .*ECONNREFUSED/,
    );
    expect(result.status).toBe('critical');

    for (const id of [ids.fresh, ids.count, ids.stale, ids.down]) {
      const points = await store.recentPoints(id);
      expect(points.map((p) => p.runId)).toEqual([memberRunId(workflowId, id)]);
    }
    const attributes = (await handle.describe()).typedSearchAttributes;
    expect(attributes.get(STATUS)).toBe('critical');
    expect(attributes.get(FAILING)?.slice().sort()).toEqual([ids.stale, ids.down].sort());
    expect(attributes.get(GROUP)).toBeUndefined(); // started by hand here; the schedule sets it

    const staleMail = await smtp.waitForCount(new RegExp(`FIRING CRITICAL: ${ids.stale}`), 1);
    expect(staleMail[0]!.text).toContain(ids.stale);
    await smtp.waitForCount(new RegExp(`FIRING ERROR: ${ids.down}`), 1);
    // Visibility catches up with the run: its failures can be found by member.
    await waitFor(
      async () => (await client.workflow.count(`PipewatchFailing = "${ids.stale}"`)).count === 1,
      'the run to be found by its failing member',
      15_000,
    );
    expect((await client.workflow.count(`PipewatchFailing = "${ids.fresh}"`)).count).toBe(0);

    // The same run again — what a retry of the group's check after a worker crash amounts to.
    const repeat = await client.workflow.start(monitorGroupWorkflow, {
      args: [group!],
      taskQueue: worker.settings.taskQueue,
      workflowId,
    });
    const second = (await repeat.result()) as GroupRunResult;
    expect(second.members.find((m) => m.monitorId === ids.stale)).toMatchObject({ transition: 'open' });
    await sleep(3_000);
    for (const id of [ids.fresh, ids.count, ids.stale, ids.down]) expect(await store.recentPoints(id)).toHaveLength(1);
    expect(smtp.matching(new RegExp(`FIRING CRITICAL: ${ids.stale}`))).toHaveLength(1);
    expect(smtp.matching(new RegExp(`FIRING ERROR: ${ids.down}`))).toHaveLength(1);

    // The password of the unreachable source is in neither the stored nor the decoded history.
    const history = await handle.fetchHistory();
    for (const text of [JSON.stringify(history), await decodedHistoryText(history)]) expect(text).not.toContain(SECRET);
  });
});
