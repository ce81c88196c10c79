// Every refusal reaches the person concerned, in words: an archive pipewatch will not open is told to the
// operators and to whoever waits on `archive ingest --wait`; ingesting a file whose question is open names that
// question; `intervene list` keeps the refused archives; an operator without the right payload key is told
// which variable and file were looked at; the worker's log says each refusal in one line, without a stack.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import { newKeyLine } from '../../workers/codec.js';
import { interventionIdFor } from '../../workflows/archive.js';
import { runCli, spawnWorker, type WorkerProcess } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';

async function zip(file: string, entries: Array<[string, string]>, password?: string): Promise<string> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), password ? { password, encryptionStrength: 3 } : {});
  for (const [name, text] of entries) await writer.add(name, new TextReader(text));
  writeFileSync(file, await writer.close());
  return file;
}

describe('refusals reach a person', () => {
  const env = testEnv();
  const dir = mkdtempSync(join(env.root, 'refusals-'));
  let hooks: HttpReceiver;
  let worker: WorkerProcess;
  let cliEnv: NodeJS.ProcessEnv;
  let configFile: string;
  let slip: string;
  let locked: string;

  beforeAll(async () => {
    hooks = await HttpReceiver.start();
    slip = await zip(join(dir, 'slip.zip'), [['../../escaped.txt', 'gotcha']]);
    locked = await zip(join(dir, 'locked.zip'), [['data.csv', 'a,b\n']], `pw-${uniqueName('x')}`);
    configFile = join(dir, 'pipewatch.yaml');
    writeFileSync(
      configFile,
      `version: 1
routing: { receiver: operators }
receivers: { operators: { notify: [ops] } }
channels: { ops: { type: webhook, url: "${hooks.url('/ops')}" } }
interventions: { remindEvery: 1h, deadline: 1h, defaultAction: abort }
`,
    );
    cliEnv = {
      TEMPORAL_ADDRESS: env.temporalAddress,
      PIPEWATCH_TASK_QUEUE: uniqueName('refuse-tq'),
      DATABASE_URL: env.databaseUrl,
      PIPEWATCH_STORE_SCHEMA: uniqueName('refusestore').toLowerCase(),
      PIPEWATCH_DATA_DIR: join(dir, 'data'),
    };
    worker = await spawnWorker(cliEnv, join(dir, 'worker.log'), env.bundlePath);
  });

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await hooks?.stop();
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: env.databaseUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${cliEnv.PIPEWATCH_STORE_SCHEMA}" CASCADE`);
    await c.end();
  });

  it('tells the operators and the waiting command why an archive was refused, and keeps it in intervene list', async () => {
    const r = await runCli(['archive', 'ingest', slip, '--dest', join(dir, 'out'), '--wait', '-c', configFile], cliEnv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused: .*slip\.zip was refused and nothing was extracted: .*zip-slip/);
    expect(r.stderr).not.toContain('Workflow execution failed');

    const notice = await waitFor(
      () => hooks.accepted.find((h) => h.path === '/ops' && String(h.body.title).startsWith('archive refused')),
      'the refusal notice',
    );
    expect(String(notice.body.text)).toContain('zip-slip');

    // Visibility is eventually consistent: the closed run shows up in lists shortly after it closes.
    const list = await waitFor(async () => {
      const l = await runCli(['intervene', 'list', '-c', configFile], cliEnv);
      return l.stdout.includes('refused') ? l : undefined;
    }, 'the refused archive in intervene list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('archives refused in the last 7 days');
    expect(list.stdout).toMatch(/pipewatch-archive\/slip\.zip-\w+ .*\(zip-slip\)/);

    // The worker said it in one line each, with the workflow: no stack trace for an expected refusal.
    await waitFor(
      () =>
        /Workflow failed: .*was refused and nothing was extracted: .*zip-slip.*workflowId=pipewatch-archive\/slip\.zip/.test(
          worker.output(),
        ),
      `the refusal in the worker log:\n${worker.output()}`,
    );
    expect(worker.output()).not.toMatch(/^\s+at .*(extract|archive)/m);
  });

  it('names the open question when the same file is ingested again', async () => {
    const first = await runCli(['archive', 'ingest', locked, '--dest', join(dir, 'out2'), '-c', configFile], cliEnv);
    expect(first.code).toBe(0);
    const workflowId = /started (\S+)/.exec(first.stdout)![1]!;
    await waitFor(
      () => hooks.accepted.find((h) => h.path === '/ops' && String(h.body.title).includes('needs an operator')),
      'the question',
    );
    const again = await runCli(['archive', 'ingest', locked, '--dest', join(dir, 'out2'), '-c', configFile], cliEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `is already being ingested (${workflowId}) and waits on an operator: pipewatch intervene show '${interventionIdFor(workflowId)}'`,
    );
  });

  it('tells an operator without the payload key, or with another one, what to set', async () => {
    const question = interventionIdFor(
      /pipewatch-archive\/locked\.zip-\w+/.exec(JSON.stringify(hooks.accepted.map((h) => h.body)))![0],
    );
    const none = await runCli(['intervene', 'show', question, '-c', configFile], {
      ...cliEnv,
      PIPEWATCH_CODEC_KEYS: '',
      PIPEWATCH_DATA_DIR: join(dir, 'empty'),
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      'no payload key (looked at nothing: PIPEWATCH_CODEC_KEYS and PIPEWATCH_CODEC_KEY_FILE are unset',
    );
    expect(none.stderr).not.toContain('Unknown encoding');
    const other = await runCli(['intervene', 'show', question, '-c', configFile], {
      ...cliEnv,
      PIPEWATCH_CODEC_KEYS: newKeyLine('test'),
    });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('the two keys differ');
    expect(other.stderr).not.toContain('unable to authenticate');
  });
});
