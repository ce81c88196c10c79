#!/usr/bin/env node
// The `pipewatch` command: builds the program and wires the commands, one file each under cli/commands/.
// Heavy modules (the Temporal SDK, connectors, the store) load inside the commands that need them, so
// `validate` and `--help` answer quickly; Temporal is reached through cli/temporal.ts only.
import { Command, CommanderError } from 'commander';
import { configPath, loadConfigFile } from '../config/load.js';
import { registerAcceptShapeCommand } from './commands/accept-shape.js';
import { registerBacktestCommand } from './commands/backtest.js';
import { registerCodecCommands } from './commands/codec.js';
import { registerDemoCommands } from './commands/demo.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerGraphCommand } from './commands/graph.js';
import { registerIncidentCommands } from './commands/incidents.js';
import { registerInterveneCommands } from './commands/intervene.js';
import { registerRunCommand } from './commands/run.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerSchedulesCommands } from './commands/schedules.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerSetupCommand } from './commands/setup.js';
import { registerStartCommand } from './commands/start.js';
import { registerUiCommand } from './commands/ui.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerWorkerCommand } from './commands/worker.js';
import type { CliContext } from './context.js';
import { EXIT, reportError } from './output.js';

const program = new Command('pipewatch')
  .description(
    'Durable monitoring for data pipelines on Temporal: monitors declared in YAML run as Temporal Schedules.',
  )
  .option('-c, --config <file>', 'configuration file (default: $PIPEWATCH_CONFIG, else ./pipewatch.yaml)')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addHelpText(
    'after',
    `
Exit codes: 0 ok · 1 a check failed or the input is invalid · 2 usage error.
Temporal connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_CLIENT_CERT_PATH,
TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH (the same variables the temporal CLI reads).
History store: DATABASE_URL (else an embedded PostgreSQL under $PIPEWATCH_DATA_DIR, default .pipewatch).`,
  );

const ctx: CliContext = {
  configFlag: () => program.opts<{ config?: string }>().config,
  configFile: () => configPath(ctx.configFlag()),
  loadConfig: (options = {}) =>
    loadConfigFile(ctx.configFile(), { env: options.envCheck === false ? false : process.env }),
};

// In this order in `pipewatch --help`.
registerValidateCommand(program, ctx);
registerRunsCommand(program, ctx);
registerGraphCommand(program, ctx);
registerSchedulesCommands(program, ctx);
registerRunCommand(program, ctx);
registerBacktestCommand(program, ctx);
registerWorkerCommand(program);
registerStartCommand(program, ctx);
registerUiCommand(program, ctx);
registerDemoCommands(program, ctx);
registerIncidentCommands(program, ctx);
registerDoctorCommand(program, ctx);
registerAcceptShapeCommand(program, ctx);
registerInterveneCommands(program, ctx);
registerSetupCommand(program);
registerCodecCommands(program);
registerSchemaCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    const helpish = ['commander.helpDisplayed', 'commander.version'];
    process.exitCode = helpish.includes(err.code) ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportError(err);
  }
}
