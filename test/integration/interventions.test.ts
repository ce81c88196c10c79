// Password-protected archives and operator answers on a real worker and dev
// server: AES and ZipCrypto fixtures made here with @zip.js/zip.js, a wrong
// password refused on the spot then the right one, answers by signal, the
// deadline's default, reminders and escalation, zip-slip and zip-bomb refusal,
// and the password's bytes absent from the stored histories.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { TextReader, Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import { parseConfig } from '../../config/load.js';
import type { NotificationPolicy } from '../../config/model.js';
import { temporalConnector } from '../../connectors/temporal/index.js';
import type { HistoryStore } from '../../store/history.js';
import {
  archiveIngestWorkflow,
  interventionIdFor,
  type ArchiveIngestInput,
  type ArchiveIngestResult,
} from '../../workflows/archive.js';
import { interventionQuery, respondSignal, respondUpdate, type Answer } from '../../workflows/intervention.js';
import { testEnv, uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { decodedHistoryText, type RunningWorker } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const PASSWORD = 'Tr0ub4dor&3-correct-horse';

async function makeZip(
  file: string,
  entries: Array<[string, string | Uint8Array]>,
  options: { password?: string; zipCrypto?: boolean } = {},
): Promise<string> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), {
    password: options.password,
    zipCrypto: options.zipCrypto,
    encryptionStrength: 3,
  });
  for (const [name, content] of entries)
    await writer.add(name, typeof content === 'string' ? new TextReader(content) : new Uint8ArrayReader(content));
  writeFileSync(file, await writer.close());
  return file;
}

describe('interventions and password-protected archives', () => {
  const env = testEnv();
  const dir = mkdtempSync(join(env.root, 'archives-'));
  let fixture: WorkerWithStore;
  let hooks: HttpReceiver;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  let policy: NotificationPolicy;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    hooks = await HttpReceiver.start();
    const config = parseConfig(
      `version: 1
routing: { receiver: operators }
receivers:
  operators: { notify: [ops], escalation: lead }
escalations:
  lead: { steps: [{ after: 1500ms, notify: [lead] }] }
channels:
  ops: { type: webhook, url: "${hooks.url('/ops')}" }
  lead: { type: webhook, url: "${hooks.url('/lead')}" }
`,
      'interventions.yaml',
      { env: false },
    );
    policy = config.notification;
    files.aes = await makeZip(
      join(dir, 'aes.zip'),
      [
        ['report/victims.csv', 'org,date\nacme,2026-11-01\n'],
        ['readme.txt', 'leak sample'],
      ],
      { password: PASSWORD },
    );
    files.zipcrypto = await makeZip(join(dir, 'zipcrypto.zip'), [['data.json', '{"ok":true}']], {
      password: PASSWORD,
      zipCrypto: true,
    });
    files.slip = await makeZip(join(dir, 'slip.zip'), [['../../escaped.txt', 'gotcha']]);
    files.bomb = await makeZip(join(dir, 'bomb.zip'), [['zeros.bin', new Uint8Array(30 * 1024 * 1024)]]);
    fixture = await startWorkerWithStore('intstore', { ...process.env, KNOWN_ARCHIVE_PASSWORD: PASSWORD });
    ({ store, worker, client } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
    await hooks?.stop();
  });

  const input = (archive: string, over: Partial<ArchiveIngestInput> = {}): ArchiveIngestInput => ({
    archive,
    destination: mkdtempSync(join(dir, 'out-')),
    knownPasswords: [],
    limits: { maxEntries: 100, maxBytes: 100 * 1024 * 1024, maxRatio: 200 },
    pipeline: 'intel',
    intervention: { receiver: 'operators', remindEveryMs: 60_000, deadlineMs: 3_600_000, defaultAction: 'skip' },
    policy,
    ...over,
  });
  const start = (i: ArchiveIngestInput) =>
    client.workflow.start(archiveIngestWorkflow, {
      args: [i],
      taskQueue: worker.settings.taskQueue,
      workflowId: uniqueName('archive'),
    });
  const openQuestion = async (archiveWorkflowId: string) => {
    const id = interventionIdFor(archiveWorkflowId);
    await waitFor(
      async () => (await client.workflow.getHandle(id).query(interventionQuery)).state === 'open',
      'the question to be asked',
    );
    return client.workflow.getHandle(id);
  };

  it('refuses a wrong password on the spot, keeps asking, and extracts with the right one', async () => {
    const i = input(files.aes!);
    const handle = await start(i);
    const question = await openQuestion(handle.workflowId);
    const asked = await waitFor(
      () => hooks.accepted.find((r) => r.path === '/ops' && String(r.body.text).includes(handle.workflowId)),
      'the operators to be told',
    );
    expect(asked.body.title).toBe(`needs an operator: password for ${files.aes}`);

    const wrong = question.executeUpdate(respondUpdate, {
      args: [{ answer: 'provide', by: 'alice', input: 'password123' }],
    });
    await expect(wrong).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(wrong).rejects.toMatchObject({
      cause: expect.objectContaining({
        message: expect.stringMatching(
          /^wrong password for .*aes\.zip: it does not open the archive; the question stays open$/,
        ),
      }),
    });
    expect((await question.query(interventionQuery)).state).toBe('open');

    // Not one of the answers (as another client could send it): the workflow's validator refuses it.
    await expect(
      question.executeUpdate(respondUpdate, { args: [{ answer: 'maybe' as string as Answer, by: 'alice' }] }),
    ).rejects.toMatchObject({
      cause: expect.objectContaining({
        message: expect.stringMatching(
          /"maybe" is not an answer to this question; answer one of: provide, skip, abort/,
        ),
      }),
    });

    const accepted = await question.executeUpdate(respondUpdate, {
      args: [{ answer: 'provide', by: 'bob', input: PASSWORD, note: 'from the partner portal' }],
    });
    expect(accepted).toMatchObject({ answer: 'provide', outcome: { files: 2 } });
    const result = (await handle.result()) as ArchiveIngestResult;
    expect(result).toMatchObject({ status: 'extracted', files: 2, openedBy: 'bob' });
    expect(readFileSync(join(i.destination, 'report/victims.csv'), 'utf8')).toContain('acme');

    const audit = (await question.query(interventionQuery)).audit;
    expect(audit.map((a) => [a.by, a.answer, a.accepted, a.via])).toEqual([
      ['alice', 'provide', false, 'update'],
      ['bob', 'provide', true, 'update'],
    ]);
    expect(await store.interventionAudit(question.workflowId)).toHaveLength(2);

    // The password's bytes are nowhere in what Temporal stores...
    const connection = await Connection.connect({ address: env.temporalAddress });
    const raw = new Client({ connection });
    for (const id of [handle.workflowId, question.workflowId]) {
      const text = JSON.stringify(await raw.workflow.getHandle(id).fetchHistory());
      for (const form of [
        PASSWORD,
        Buffer.from(PASSWORD).toString('base64'),
        Buffer.from(PASSWORD).toString('hex'),
        JSON.stringify(PASSWORD),
      ]) {
        expect(text).not.toContain(form);
      }
    }
    // ...nor in the audit, the result or the store; an authorised reader with the key sees it in the update.
    expect(JSON.stringify([audit, result, await store.interventionAudit(question.workflowId)])).not.toContain(PASSWORD);
    expect(await decodedHistoryText(await raw.workflow.getHandle(question.workflowId).fetchHistory())).toContain(
      PASSWORD,
    );
    await connection.close();
  });

  it('opens a ZipCrypto archive with a known password of its source without asking anyone', async () => {
    const result = (await (
      await start(input(files.zipcrypto!, { knownPasswords: ['${KNOWN_ARCHIVE_PASSWORD}'] }))
    ).result()) as ArchiveIngestResult;
    expect(result).toMatchObject({ status: 'extracted', files: 1, openedBy: 'pipewatch' });
  });

  it('takes answers by signal too, refusing a wrong password and telling the operators', async () => {
    const handle = await start(input(files.zipcrypto!));
    const question = await openQuestion(handle.workflowId);
    await question.signal(respondSignal, { answer: 'provide', by: 'carol', input: 'nope' });
    await waitFor(
      () =>
        hooks.accepted.find(
          (r) =>
            r.path === '/ops' &&
            String(r.body.title).startsWith('answer refused') &&
            String(r.body.text).includes('carol'),
        ),
      'the refusal notice',
    );
    await question.signal(respondSignal, { answer: 'provide', by: 'carol', input: PASSWORD });
    expect(await handle.result()).toMatchObject({ status: 'extracted', openedBy: 'carol' });
  });

  it('applies the default action at the deadline, after reminders and escalation', async () => {
    const handle = await start(
      input(files.aes!, {
        intervention: { receiver: 'operators', remindEveryMs: 700, deadlineMs: 3_000, defaultAction: 'skip' },
      }),
    );
    const result = (await handle.result()) as ArchiveIngestResult;
    expect(result).toMatchObject({ status: 'skipped', openedBy: 'pipewatch (deadline)' });
    const id = interventionIdFor(handle.workflowId);
    const mine = hooks.accepted.filter((r) => String(r.body.text).includes(id));
    expect(
      mine.filter((r) => r.path === '/ops' && String(r.body.title).startsWith('still waiting')).length,
    ).toBeGreaterThanOrEqual(2);
    expect(mine.filter((r) => r.path === '/lead' && String(r.body.title).startsWith('unanswered for'))).toHaveLength(1);
  });

  it('lets a monitor name the pipelines waiting on an operator', async () => {
    const handle = await start(input(files.aes!));
    const question = await openQuestion(handle.workflowId);
    process.env.TEMPORAL_ADDRESS = env.temporalAddress;
    const connector = temporalConnector.create('temporal', { type: 'temporal' });
    try {
      const m = await waitFor(async () => {
        const measured = await connector.collect({
          check: { type: 'interventions', olderThan: 0 },
          at: new Date(Date.now() + 1_000),
        });
        return String(measured.details?.waitingLongest).includes(question.workflowId) ? measured : undefined;
      }, 'the open question to be listed');
      expect(m.value).toBeGreaterThanOrEqual(1);
    } finally {
      await connector.close();
    }
    await question.executeUpdate(respondUpdate, { args: [{ answer: 'skip', by: 'erin' }] });
    expect(await handle.result()).toMatchObject({ status: 'skipped', openedBy: 'erin' });
  });

  it('aborts when an operator says so', async () => {
    const handle = await start(input(files.aes!));
    const question = await openQuestion(handle.workflowId);
    await question.executeUpdate(respondUpdate, { args: [{ answer: 'abort', by: 'dave', note: 'not ours' }] });
    await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
    await expect(handle.result()).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/aborted by dave: not ours$/) }),
    });
  });

  it.each([
    ['slip', /slip\.zip has an entry whose path leaves the destination \(zip-slip\)/],
    ['bomb', /entry "zeros\.bin" expands \d+× \(limit 200×\): a zip bomb\?/],
  ])('refuses a %s archive with a clear error, writes nothing and tells the operators', async (which, message) => {
    const i = input(files[which]!);
    const handle = await start(i);
    await expect(handle.result()).rejects.toMatchObject({
      cause: expect.objectContaining({ type: 'ArchiveRefused', message: expect.stringMatching(message) }),
    });
    expect(() => readFileSync(join(dir, 'escaped.txt'))).toThrow();
    // The person waiting for the files hears why, on the receiver's channel.
    const notice = await waitFor(
      () => hooks.accepted.find((r) => r.path === '/ops' && r.body.title === `archive refused: ${i.archive}`),
      'the refusal notice',
    );
    expect(String(notice.body.text)).toMatch(message);
    expect(String(notice.body.text)).toContain('nothing was extracted');
    // And the reason is readable where operators look without the payload key: `temporal workflow show`.
    const described = spawnSync(
      env.cli,
      ['workflow', 'show', '--workflow-id', handle.workflowId, '--address', env.temporalAddress, '--output', 'json'],
      { encoding: 'utf8' },
    );
    expect(described.status).toBe(0);
    const failed = (
      JSON.parse(described.stdout) as {
        events: Array<{ workflowExecutionFailedEventAttributes?: { failure: { message: string } } }>;
      }
    ).events.find((e) => e.workflowExecutionFailedEventAttributes);
    expect(failed?.workflowExecutionFailedEventAttributes?.failure.message).toMatch(message);
  });
});
