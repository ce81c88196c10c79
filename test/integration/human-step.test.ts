// humanStep() on a real worker and dev server, through the example pipeline's
// record workflow (its parse stage wrapped in humanStep): a record the parser
// cannot read pauses on an intervention; "retry" runs the stage again (and
// asks again while it still fails), "skip" skips the record, "abort" fails the
// workflow — each answered by Update, and each reflected in the pipeline's tables.
import { Client, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../config/load.js';
import { createDemoActivities, seedExamplePipeline } from '../../examples/pipeline.js';
import { openDemoQueue } from '../../examples/queue.js';
import { HistoryStore } from '../../store/history.js';
import { interventionQuery, respondUpdate, type Answer, type InterventionView } from '../../workflows/intervention.js';
import { demoRecordWorkflow, demoRecordWorkflowId } from '../../workflows/demo.js';
import type { HumanStepOptions } from '../../workflows/human-step.js';
import { createWorker, type PipewatchWorker } from '../../workers/worker.js';
import { testEnv, uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { testClient, testSettings } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';

describe('humanStep: a stage that needs a person', () => {
  const env = testEnv();
  const database = uniqueName('pwhuman').toLowerCase();
  const dbUrl = new URL(env.databaseUrl);
  dbUrl.pathname = `/${database}`;
  const settings = testSettings();
  let db: pg.Pool;
  let store: HistoryStore;
  let hooks: HttpReceiver;
  let worker: PipewatchWorker;
  let running: Promise<void>;
  let client: Client;
  let closeDemo: () => Promise<void>;
  let intervention: HumanStepOptions['intervention'];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    await seedExamplePipeline(dbUrl.toString());
    db = new pg.Pool({ connectionString: dbUrl.toString(), max: 2 });
    // pool.end() resolves before its sockets close; DROP DATABASE … (FORCE) in afterAll may terminate them then.
    db.on('error', () => undefined);
    hooks = await HttpReceiver.start();
    const config = parseConfig(
      `version: 1\ndefaults: { notify: [ops] }\nchannels:\n  ops: { type: webhook, url: "${hooks.url('/ops')}" }\n`,
      'human-step.yaml',
      { env: false },
    );
    intervention = {
      context: { pipeline: 'example' },
      receiver: config.notification.routing.receiver,
      policy: config.notification,
      remindEveryMs: 3_600_000,
      deadlineMs: 86_400_000,
      defaultAction: 'skip',
    };
    store = await HistoryStore.open({ url: env.databaseUrl, schema: `${database}_store` });
    const { queue } = await openDemoQueue(undefined);
    const demo = createDemoActivities({
      url: dbUrl.toString(),
      dataDir: mkdtempSync(join(env.root, 'human-step-')),
      queue,
    });
    closeDemo = demo.close;
    worker = await createWorker({
      settings,
      store,
      workflowBundlePath: env.bundlePath,
      extraActivities: demo.activities,
    });
    running = worker.run();
    client = await testClient();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await closeDemo?.();
    await client?.connection.close();
    await store?.close();
    await db?.end();
    await hooks?.stop();
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`DROP SCHEMA IF EXISTS "${database}_store" CASCADE`);
    await admin.end();
  });

  /** A record of a format the parser does not know, held as the ETL holds it. */
  async function heldRecord(): Promise<string> {
    const id = uniqueName('rec');
    await db.query(
      `INSERT INTO example.collected (record_id, source, payload) VALUES ($1, 'leak-site-c', '{"format":"scanned-pdf"}')`,
      [id],
    );
    await db.query(`INSERT INTO example.held (record_id, reason) VALUES ($1, 'unknown format')`, [id]);
    return id;
  }

  const start = (recordId: string) =>
    client.workflow.start(demoRecordWorkflow, {
      workflowId: demoRecordWorkflowId(recordId),
      taskQueue: settings.taskQueue,
      args: [{ recordId, intervention }],
    });

  async function question(recordId: string, attempt: number): Promise<InterventionView> {
    const id = `pipewatch-intervention/${demoRecordWorkflowId(recordId)}/parse/${attempt}`;
    return waitFor(
      () =>
        client.workflow
          .getHandle(id)
          .query(interventionQuery)
          .catch(() => undefined),
      `intervention ${id}`,
      30_000,
      300,
    );
  }

  const answer = (recordId: string, attempt: number, a: Answer) =>
    client.workflow
      .getHandle(`pipewatch-intervention/${demoRecordWorkflowId(recordId)}/parse/${attempt}`)
      .executeUpdate(respondUpdate, { args: [{ answer: a, by: 'tester' }] });

  const outcome = async (recordId: string) =>
    (await db.query<{ outcome: string | null }>('SELECT outcome FROM example.held WHERE record_id = $1', [recordId]))
      .rows[0]?.outcome;

  it('retry runs the stage again: still failing, it asks again; once the record is fixed, it is parsed', async () => {
    const id = await heldRecord();
    const handle = await start(id);
    const first = await question(id, 1);
    expect(first.title).toBe('parse needs a decision');
    expect(first.answers).toEqual(['retry', 'skip', 'abort']);
    expect(first.question).toContain(`record ${id} has the unknown format "scanned-pdf"`);
    expect(first.context).toMatchObject({ pipeline: 'example', stage: 'parse', item: id });
    await waitFor(
      () =>
        hooks.accepted.some(
          (r) => r.path === '/ops' && r.raw.includes('needs an operator: parse needs a decision') && r.raw.includes(id),
        ),
      'the question at the receiver',
      30_000,
      200,
    );

    await answer(id, 1, 'retry');
    // Still malformed: the retry fails the same way and asks again.
    const second = await question(id, 2);
    expect(second.state).toBe('open');
    await db.query(
      `UPDATE example.collected SET payload = '{"format":"leak-post","victim":"org-fixed"}' WHERE record_id = $1`,
      [id],
    );
    await answer(id, 2, 'retry');

    expect(await handle.result()).toEqual({ recordId: id, status: 'parsed' });
    const parsed = await db.query<{ victim: string }>('SELECT victim FROM example.parsed WHERE record_id = $1', [id]);
    expect(parsed.rows).toEqual([{ victim: 'org-fixed' }]);
    expect(await outcome(id)).toBe('parsed');
  });

  it('skip leaves the record out and the workflow completes', async () => {
    const id = await heldRecord();
    const handle = await start(id);
    await question(id, 1);
    await answer(id, 1, 'skip');
    expect(await handle.result()).toEqual({ recordId: id, status: 'skipped' });
    expect(await outcome(id)).toBe('skipped');
    expect((await db.query('SELECT 1 FROM example.parsed WHERE record_id = $1', [id])).rowCount).toBe(0);
  });

  it('abort fails the workflow with the name of who aborted, and refuses answers that are not offered', async () => {
    const id = await heldRecord();
    const handle = await start(id);
    await question(id, 1);
    const refused = await answer(id, 1, 'provide').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(
      /"provide" is not an answer to this question; answer one of: retry, skip, abort/,
    );
    await answer(id, 1, 'abort');
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toBe('parse aborted by tester');
    expect(await outcome(id)).toBe('aborted');
  });
});
