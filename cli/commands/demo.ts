// `pipewatch demo`: the example pipeline with its monitors (as `start` runs it), and its faults:
// `demo break|heal|faults`, with `example break|heal` kept as aliases from the first example.
import type { Command } from 'commander';
import {
  breakStage,
  demoArchivePasswordFile,
  FAULT_ALIASES,
  FAULTS,
  heal,
  parseFault,
  readFaults,
  type Fault,
} from '../../examples/faults.js';
import { dataDir } from '../../store/open.js';
import type { CliContext } from '../context.js';
import { startMetrics } from '../metrics.js';
import { CliError, EXIT } from '../output.js';
import { runOptions } from './start.js';

const faultList = () =>
  Object.entries(FAULTS)
    .map(([f, what]) => `  ${f.padEnd(10)} ${what}`)
    .join('\n');

function breakAction(fault: string, opts: { dataDir?: string }, command: string): void {
  let chosen: Fault;
  try {
    chosen = parseFault(fault);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
  const state = breakStage(opts.dataDir ?? dataDir(), chosen);
  const others = Object.keys(state.faults).filter((f) => f !== chosen);
  process.stdout.write(
    `broken: ${chosen} — ${FAULTS[chosen]}${others.length ? `\nalso in effect: ${others.join(', ')}` : ''}\nthe pipeline picks it up on its next run; heal with: pipewatch ${command} heal\n`,
  );
  if (chosen === 'archive')
    process.stdout.write(
      `the archive's password, for the operator's answer, is kept in ${demoArchivePasswordFile(opts.dataDir ?? dataDir())}\n`,
    );
}

function healAction(fault: string | undefined, opts: { dataDir?: string }): void {
  let chosen: Fault | undefined;
  try {
    chosen = fault === undefined ? undefined : parseFault(fault);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
  const before = Object.keys(readFaults(opts.dataDir ?? dataDir()).faults);
  const state = heal(opts.dataDir ?? dataDir(), chosen);
  const left = Object.keys(state.faults);
  const healed = chosen ? (before.includes(chosen) ? [chosen] : []) : before;
  process.stdout.write(
    `${healed.length ? `healed: ${healed.join(', ')}` : 'nothing to heal'}${left.length ? `; still broken: ${left.join(', ')}` : '; the example pipeline runs normally'}\n`,
  );
}

export function registerDemoCommands(program: Command, ctx: CliContext): void {
  const demo = runOptions(
    program
      .command('demo')
      .description(
        'run the example pipeline (collector → queue → ETL → serving table, as Temporal workflows) with its monitors; break and heal it',
      )
      .addHelpText('after', `\nFaults (pipewatch demo break <fault>; several may be in effect):\n${faultList()}`),
  ).action(async (opts) => {
    const served = await startMetrics(opts, '9464');
    const { startCommand } = await import('../start.js');
    await startCommand({ ...opts, example: true, config: ctx.configFlag(), command: 'demo', metrics: served });
  });
  demo
    .command('break <fault>')
    .description(`inject a fault into the running example: ${Object.keys(FAULTS).join(' | ')}`)
    .option('--data-dir <dir>', 'the data directory of the running `pipewatch demo`')
    .addHelpText('after', `\nFaults:\n${faultList()}`)
    // --data-dir is also an option of `demo` itself, which may claim it: read it with the parent's.
    .action((fault: string, _opts: unknown, cmd: Command) => breakAction(fault, cmd.optsWithGlobals(), 'demo'));
  demo
    .command('heal [fault]')
    .description('remove one fault, or all of them')
    .option('--data-dir <dir>', 'the data directory of the running `pipewatch demo`')
    .action((fault: string | undefined, _opts: unknown, cmd: Command) => healAction(fault, cmd.optsWithGlobals()));
  demo
    .command('faults')
    .description('the faults in effect')
    .option('--data-dir <dir>', 'the data directory of the running `pipewatch demo`')
    .action((_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ dataDir?: string }>();
      const state = readFaults(opts.dataDir ?? dataDir());
      const entries = Object.entries(state.faults);
      process.stdout.write(
        entries.length
          ? `${entries.map(([f, at]) => `${f} since ${at}`).join('\n')}\n`
          : 'no faults: the example pipeline runs normally\n',
      );
    });

  // The first example's commands, kept as aliases.
  const example = program
    .command('example')
    .description("alias of `pipewatch demo break|heal` (the example pipeline's faults)");
  example
    .command('break <fault>')
    .description(
      `same as: pipewatch demo break <fault> (${[...Object.keys(FAULTS), ...Object.keys(FAULT_ALIASES)].join(' | ')})`,
    )
    .option('--data-dir <dir>', 'the data directory of the running `pipewatch demo`')
    .action((fault: string, opts: { dataDir?: string }) => breakAction(fault, opts, 'example'));
  example
    .command('heal [fault]')
    .description('same as: pipewatch demo heal')
    .option('--data-dir <dir>', 'the data directory of the running `pipewatch demo`')
    .action((fault: string | undefined, opts: { dataDir?: string }) => healAction(fault, opts));
}
