// `pipewatch ui`: the read-only status page (ui/), fed by the config, the history store and Temporal.
import type { Command } from 'commander';
import { dataDir } from '../../store/open.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../output.js';
import { temporalSettings, withTemporal } from '../temporal.js';

export function registerUiCommand(program: Command, ctx: CliContext): void {
  program
    .command('ui')
    .description(
      'serve a read-only status page: monitors by pipeline and perspective, open incidents, questions waiting on an operator',
    )
    .option('--port <port>', 'port to listen on', '8090')
    .option(
      '--host <host>',
      'address to listen on; anything but 127.0.0.1, localhost or ::1 requires a token',
      '127.0.0.1',
    )
    .option(
      '--token <token>',
      'required from every caller (default: $PIPEWATCH_UI_TOKEN); as "Authorization: Bearer <token>" or once as ?token=<token>, which sets a cookie',
    )
    .option(
      '--temporal-ui <url>',
      'Temporal Web UI the page links to (default: $PIPEWATCH_TEMPORAL_UI_URL or http://127.0.0.1:8233)',
    )
    .option('--refresh <seconds>', 'how often the page updates itself', '10')
    .option('--points <n>', 'values per sparkline', '30')
    .addHelpText(
      'after',
      `
Pages: / (HTML, updates itself) and /api/status (the same data as JSON). Nothing on them changes anything.
Reads the config (monitors), the history store (DATABASE_URL, else the embedded store of a running
"pipewatch start" under $PIPEWATCH_DATA_DIR) and Temporal (TEMPORAL_ADDRESS, the task queue's incidents
and interventions). "pipewatch start" runs it on 127.0.0.1:8090 unless given --no-status-page.`,
    )
    .action(
      async (opts: {
        port: string;
        host: string;
        token?: string;
        temporalUi?: string;
        refresh: string;
        points: string;
      }) => {
        const number = (text: string, flag: string, min: number, max: number) => {
          const n = Number(text);
          if (!Number.isInteger(n) || n < min || n > max)
            throw new CliError(`${flag} "${text}" must be a whole number from ${min} to ${max}`, EXIT.usage);
          return n;
        };
        const port = number(opts.port, '--port', 0, 65_535);
        const refreshSeconds = number(opts.refresh, '--refresh', 1, 3_600);
        const points = number(opts.points, '--points', 2, 1_000);
        const token = opts.token ?? process.env.PIPEWATCH_UI_TOKEN;
        const { isLoopback } = await import('../../ui/server.js');
        // Refused before anything is opened: an open page on the network is the one thing not to do by accident.
        if (!token && !isLoopback(opts.host)) {
          throw new CliError(
            `refusing to serve the status page on ${opts.host} without a token: set --token or PIPEWATCH_UI_TOKEN, or use --host 127.0.0.1`,
            EXIT.usage,
          );
        }
        const config = ctx.loadConfig({ envCheck: false });
        const settings = await temporalSettings();
        const { openHistoryStore } = await import('../../store/open.js');
        const { startStatusPage, STATUS_PAGE_DEFAULTS } = await import('../../ui/index.js');
        const opened = await openHistoryStore({ dataDir: dataDir() });
        try {
          await withTemporal(async ({ client }) => {
            const { StatusPageConfigError } = await import('../../ui/server.js');
            const page = await startStatusPage({
              config,
              store: opened.store,
              client,
              namespace: settings.namespace,
              taskQueue: settings.taskQueue,
              host: opts.host,
              port,
              token,
              refreshSeconds,
              points,
              temporalUi: opts.temporalUi ?? process.env.PIPEWATCH_TEMPORAL_UI_URL ?? STATUS_PAGE_DEFAULTS.temporalUi,
            }).catch((err: Error) => {
              if (err instanceof StatusPageConfigError) throw new CliError(err.message, EXIT.usage);
              throw new CliError(`cannot serve the status page on ${opts.host}:${port}: ${err.message}`);
            });
            process.stdout.write(
              `pipewatch status page on ${page.url}/ (JSON: ${page.url}/api/status)${token ? ', token required' : ''}; Ctrl-C stops it\n`,
            );
            await new Promise<void>((resolve) => {
              process.once('SIGINT', resolve);
              process.once('SIGTERM', resolve);
            });
            await page.stop();
          }, settings);
        } finally {
          await opened.close();
        }
      },
    );
}
