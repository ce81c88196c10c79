// `pipewatch doctor`: everything pipewatch depends on, checked from outside (cli/doctor.ts does the checks).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../output.js';
import { openTemporal, temporalSettings } from '../temporal.js';

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'check everything pipewatch depends on and say what is wrong: Temporal, workers, schedules, store, connectors, channels',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const config = ctx.loadConfig({ envCheck: false });
      const settings = await temporalSettings();
      const { doctor } = await import('../doctor.js');
      const findings = await doctor(config, settings, async () => (await openTemporal(settings)).client);
      if (opts.json) process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
      else for (const f of findings) process.stdout.write(`${f.ok ? '✔' : '✖'} ${f.area}: ${f.message}\n`);
      const bad = findings.filter((f) => !f.ok).length;
      if (!opts.json) process.stdout.write(bad ? `${bad} problem(s)\n` : 'all good\n');
      if (bad) process.exitCode = EXIT.failed;
    });
}
