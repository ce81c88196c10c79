// An archive flow run the way operators run it — `pipewatch archive ingest`,
// `pipewatch intervene respond` with the password on standard input, and
// `pipewatch worker` processes — with the worker killed while the question
// waits for an answer and again while the answer's password is extracting
// the archive. The flow completes once, and the password appears in no
// worker's output.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import { interventionIdFor, type ArchiveIngestResult } from '../../workflows/archive.js';
import { interventionQuery } from '../../workflows/intervention.js';
import { runCli, spawnWorker, type WorkerProcess } from '../support/cli.js';
import { testEnv, uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { testClient } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';

const PASSWORD = 'archive-pw-5fd2c1e9';

describe('an archive flow across worker crashes', () => {
  const env = testEnv();
  const dir = mkdtempSync(join(env.root, 'archive-e2e-'));
  const destination = join(dir, 'out');
  let hooks: HttpReceiver;
  let cliEnv: NodeJS.ProcessEnv;
  let configFile: string;
  const workers: WorkerProcess[] = [];
  const logFile = join(dir, 'workers.log');

  beforeAll(async () => {
    hooks = await HttpReceiver.start();
    // Incompressible data, so extracting (AES, in JavaScript) takes long enough to kill the worker in the middle.
    const writer = new ZipWriter(new Uint8ArrayWriter(), { password: PASSWORD, encryptionStrength: 3, level: 0 });
    for (let i = 0; i < 4; i++)
      await writer.add(`part-${i}.bin`, new Uint8ArrayReader(new Uint8Array(randomBytes(12 * 1024 * 1024))));
    writeFileSync(join(dir, 'big.zip'), await writer.close());
    configFile = join(dir, 'pipewatch.yaml');
    writeFileSync(
      configFile,
      `version: 1
routing: { receiver: operators }
receivers: { operators: { notify: [ops] } }
channels: { ops: { type: webhook, url: "${hooks.url('/ops')}" } }
interventions: { remindEvery: 1h, deadline: 1h, defaultAction: abort }
archives: { maxBytes: 209715200 }
`,
    );
    cliEnv = {
      TEMPORAL_ADDRESS: env.temporalAddress,
      PIPEWATCH_TASK_QUEUE: uniqueName('arch-tq'),
      DATABASE_URL: env.databaseUrl,
      PIPEWATCH_STORE_SCHEMA: uniqueName('archstore').toLowerCase(),
    };
    workers.push(await spawnWorker(cliEnv, logFile, env.bundlePath));
  });

  afterAll(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    await hooks.stop();
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: env.databaseUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${cliEnv.PIPEWATCH_STORE_SCHEMA}" CASCADE`);
    await c.end();
  });

  it('completes once, with the password in no output', async () => {
    const started = await runCli(
      ['archive', 'ingest', join(dir, 'big.zip'), '--dest', destination, '--pipeline', 'intel', '-c', configFile],
      cliEnv,
    );
    expect(started.code).toBe(0);
    const workflowId = /started (\S+)/.exec(started.stdout)![1]!;
    const questionId = interventionIdFor(workflowId);
    const client = await testClient();
    try {
      await waitFor(
        async () => (await client.workflow.getHandle(questionId).query(interventionQuery)).state === 'open',
        'the question',
        60_000,
      );

      // Killed while waiting for the operator.
      await workers.at(-1)!.kill('SIGKILL');
      workers.push(await spawnWorker(cliEnv, logFile, env.bundlePath));

      const list = await runCli(['intervene', 'list'], cliEnv);
      expect(list.stdout).toContain(questionId);
      const refused = await runCli(
        ['intervene', 'respond', questionId, '--answer', 'provide', '--by', 'alice', '--input', PASSWORD],
        cliEnv,
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('a password is never taken from the command line');

      // Killed again while the right password is extracting the archive.
      const answering = runCli(
        ['intervene', 'respond', questionId, '--answer', 'provide', '--by', 'alice'],
        cliEnv,
        120_000,
        `${PASSWORD}\n`,
      );
      await sleep(1_500);
      await workers.at(-1)!.kill('SIGKILL');
      workers.push(await spawnWorker(cliEnv, logFile, env.bundlePath));
      const answered = await answering;
      expect(answered.stderr).toBe('');
      expect(answered.stdout).toMatch(/^accepted: provide by alice \(files 4, bytes 50331648/);

      const result = (await client.workflow.getHandle(workflowId).result()) as ArchiveIngestResult;
      expect(result).toMatchObject({ status: 'extracted', files: 4, openedBy: 'alice' });
      expect(readdirSync(destination).sort()).toEqual(['part-0.bin', 'part-1.bin', 'part-2.bin', 'part-3.bin']);
      const view = await client.workflow.getHandle(questionId).query(interventionQuery);
      expect(view.audit.filter((a) => a.accepted)).toHaveLength(1);

      for (const text of [...workers.map((w) => w.output()), started.stdout, answered.stdout, answered.stderr])
        expect(text).not.toContain(PASSWORD);
    } finally {
      await client.connection.close();
    }
  }, 240_000);
});
