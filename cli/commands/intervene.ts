// `pipewatch intervene …` (answer the questions pipelines wait on) and
// `pipewatch archive ingest` (start an archive flow by hand until a log event
// does it). A password is read from the terminal without echo, or from
// standard input — never from the command line, where shells and process
// lists keep it.
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { Answer } from '../../workflows/intervention.js';
import { archiveIngestWorkflow, interventionIdFor, type ArchiveIngestInput } from '../../workflows/archive.js';
import { failureReason, refusedArchives } from '../../ui/refused-archives.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT, table } from '../output.js';
import { withTemporal } from '../temporal.js';

const out = (line = '') => process.stdout.write(`${line}\n`);
const sdk = () => import('@temporalio/client');
// The question's message definitions load when a command runs.
const interventionMessages = () => import('../../workflows/intervention.js');

/** Reads a secret from the terminal without echoing it, or from standard input when it is not a terminal. */
export async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += chunk.toString();
    return text.replace(/\r?\n$/, '');
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolvePromise, reject) => {
    let secret = '';
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          return resolvePromise(secret);
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          return reject(new CliError('cancelled', EXIT.usage));
        }
        if (ch === '\u007f') secret = secret.slice(0, -1);
        else secret += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function withClient<T>(fn: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  return withTemporal(({ client, taskQueue }) => fn(client, taskQueue));
}

export function registerInterveneCommands(program: Command, ctx: CliContext): void {
  const intervene = program.command('intervene').description('questions pipelines wait on: list, show, respond');

  intervene
    .command('list')
    .description('open questions, oldest first')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) =>
      withClient(async (client) => {
        const rows: Array<Record<string, string>> = [];
        for await (const w of client.workflow.list({
          query: 'WorkflowType = "interventionWorkflow" AND ExecutionStatus = "Running"',
        })) {
          rows.push({ id: w.workflowId, since: w.startTime.toISOString() });
        }
        rows.sort((a, b) => a.since!.localeCompare(b.since!));
        // Archives refused in the last week asked nobody, but someone waits for their files.
        const refused = (await refusedArchives(client)).map((r) => ({ id: r.workflowId, at: r.at, reason: r.reason }));
        if (opts.json)
          out(
            JSON.stringify(
              rows
                .map((r) => ({ ...r, state: 'open' }))
                .concat(refused.map((r) => ({ id: r.id, since: r.at, state: 'refused', reason: r.reason }))),
              null,
              2,
            ),
          );
        else {
          out(
            rows.length === 0
              ? 'no open questions'
              : table([['INTERVENTION', 'WAITING SINCE'], ...rows.map((r) => [r.id!, r.since!])]),
          );
          if (refused.length > 0) {
            out('');
            out('archives refused in the last 7 days (nothing extracted, nobody asked):');
            out(table([['ARCHIVE FLOW', 'REFUSED AT', 'REASON'], ...refused.map((r) => [r.id, r.at, r.reason])]));
          }
        }
      }),
    );

  intervene
    .command('show <id>')
    .description('the question, its context, the allowed answers, the deadline and the answers so far')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) =>
      withClient(async (client) => {
        const { WorkflowNotFoundError } = await sdk();
        const { interventionQuery } = await interventionMessages();
        const v = await client.workflow
          .getHandle(id)
          .query(interventionQuery)
          .catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError)
              throw new CliError(`no intervention ${id}; list them with: pipewatch intervene list`);
            throw err;
          });
        if (opts.json) {
          out(JSON.stringify(v, null, 2));
          return;
        }
        out(`${id}: ${v.title} (${v.state})`);
        out(`  ${v.question}`);
        for (const [k, val] of Object.entries(v.context))
          if (val !== undefined) out(`  ${k}: ${Array.isArray(val) ? val.join('; ') : val}`);
        out(
          `  answers: ${v.answers.join(', ')}${v.secretInput ? ' (provide reads the password from the terminal)' : ''}`,
        );
        out(`  deadline: ${v.deadlineAt}, then: ${v.defaultAction}`);
        for (const a of v.audit)
          out(`  ${a.at} ${a.by}: ${a.answer} ${a.accepted ? 'accepted' : `refused (${a.reason})`} via ${a.via}`);
        if (v.result) out(`  result: ${v.result.answer} by ${v.result.by}`);
      }),
    );

  intervene
    .command('respond <id>')
    .description('answer a question; a password is read from the terminal (no echo) or from standard input')
    .requiredOption('--answer <answer>', 'provide | approve | skip | retry | abort | resume')
    .requiredOption('--by <name>', 'who answers (audited)')
    .option('--note <text>', 'why (audited)')
    .option('--input <value>', 'the value asked for, when it is not a secret')
    .action(async (id: string, opts: { answer: Answer; by: string; note?: string; input?: string }) =>
      withClient(async (client) => {
        const { WorkflowNotFoundError, WorkflowUpdateFailedError } = await sdk();
        const { interventionQuery, respondUpdate } = await interventionMessages();
        const handle = client.workflow.getHandle(id);
        const view = await handle.query(interventionQuery).catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError)
            throw new CliError(`no intervention ${id}; list them with: pipewatch intervene list`);
          throw err;
        });
        let input = opts.input;
        if (opts.answer === 'provide' && view.secretInput) {
          if (input !== undefined)
            throw new CliError(
              'a password is never taken from the command line; leave out --input and type it when asked (or pipe it to standard input)',
              EXIT.usage,
            );
          const { codecKeys } = await import('../../workers/codec.js');
          if (!codecKeys())
            throw new CliError(
              'passwords travel only encrypted: set PIPEWATCH_CODEC_KEYS or PIPEWATCH_CODEC_KEY_FILE (the same keys as the workers), or run this where the data directory of `pipewatch start` is (PIPEWATCH_DATA_DIR, default .pipewatch)',
            );
          input = await readSecret('password (not shown): ');
        }
        try {
          const result = await handle.executeUpdate(respondUpdate, {
            args: [{ answer: opts.answer, by: opts.by, note: opts.note, input }],
          });
          out(
            `accepted: ${result.answer} by ${result.by}${
              result.outcome
                ? ` (${Object.entries(result.outcome)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(', ')})`
                : ''
            }`,
          );
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError)
            throw new CliError(`refused: ${err.cause?.message ?? err.message}`);
          throw err;
        }
      }),
    );

  const archive = program.command('archive').description('password-protected archives');
  archive
    .command('ingest <file>')
    .description('extract an archive, asking an operator for the password when no known one opens it')
    .requiredOption('--dest <dir>', 'where the files go')
    .option('--source <name>', 'where the archive came from (its known passwords are tried first)')
    .option('--pipeline <name>', 'the pipeline waiting for it')
    .option('--wait', 'wait for the result')
    .action(async (file: string, opts: { dest: string; source?: string; pipeline?: string; wait?: boolean }) => {
      const config = ctx.loadConfig({ envCheck: false });
      const source = opts.source ? config.raw.archives.sources[opts.source] : undefined;
      if (opts.source && !source)
        throw new CliError(
          `unknown source "${opts.source}"; configured: ${Object.keys(config.raw.archives.sources).join(', ') || '(none)'}`,
        );
      const path = resolve(file);
      const i = config.raw.interventions;
      const input: ArchiveIngestInput = {
        archive: path,
        destination: resolve(opts.dest),
        source: opts.source,
        knownPasswords: source?.passwords ?? [],
        limits: {
          maxEntries: config.raw.archives.maxEntries,
          maxBytes: config.raw.archives.maxBytes,
          maxRatio: config.raw.archives.maxRatio,
        },
        pipeline: opts.pipeline,
        intervention: {
          receiver: i.receiver ?? config.notification.routing.receiver,
          remindEveryMs: i.remindEvery,
          deadlineMs: i.deadline,
          defaultAction: i.defaultAction,
        },
        policy: config.notification,
      };
      const workflowId = `pipewatch-archive/${basename(path)}-${createHash('sha256').update(path).digest('hex').slice(0, 8)}`;
      await withClient(async (client, taskQueue) => {
        const { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } = await sdk();
        const handle = await client.workflow
          .start(archiveIngestWorkflow, { workflowId, taskQueue, args: [input] })
          .catch(async (err: unknown) => {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
            // The same file is being ingested: say where it stands, and the question it waits on if any.
            const question = interventionIdFor(workflowId);
            const open = await client.workflow
              .getHandle(question)
              .describe()
              .then((d) => d.status.name === 'RUNNING')
              .catch(() => false);
            throw new CliError(
              open
                ? `${path} is already being ingested (${workflowId}) and waits on an operator: pipewatch intervene show '${question}'`
                : `${path} is already being ingested (${workflowId}); follow it with: temporal workflow show --workflow-id '${workflowId}'`,
            );
          });
        out(`started ${workflowId}`);
        if (opts.wait) {
          const result = await handle.result().catch((err: unknown) => {
            if (err instanceof WorkflowFailedError) throw new CliError(`refused: ${failureReason(err)}`);
            throw err;
          });
          out(
            result.status === 'extracted'
              ? `extracted ${result.files} file(s), ${result.bytes} bytes, to ${result.destination} (opened by ${result.openedBy})`
              : `skipped by ${result.openedBy}`,
          );
        }
      });
    });
}
