// `pipewatch run <monitor>`: one check here and now, through the same connectors and rules as a scheduled
// run (cli/check-here.ts), with nothing recorded or sent.
import type { Command } from 'commander';
import { formatValue } from '../../evaluation/rules.js';
import { isFailing, type Verdict } from '../../evaluation/types.js';
import { dataDir } from '../../store/open.js';
import { findMonitor, type CliContext } from '../context.js';
import { EXIT } from '../output.js';

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run <monitor>')
    .description('run one check here and now and print the verdict; nothing is recorded or sent')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const config = ctx.loadConfig();
      const monitor = findMonitor(config, id);
      const { connectorCache } = await import('../../connectors/registry.js');
      const { checkHere } = await import('../check-here.js');
      const cache = connectorCache();
      // Log files are read through the store.
      const opened =
        monitor.check.type === 'logs'
          ? await (await import('../../store/open.js')).openHistoryStore({ dataDir: dataDir() })
          : undefined;
      let verdict: Verdict;
      try {
        verdict = await checkHere(monitor, new Date(), cache, opened?.store);
      } finally {
        await cache.closeAll();
        await opened?.close();
      }
      if (opts.json) process.stdout.write(`${JSON.stringify({ monitor: monitor.id, ...verdict }, null, 2)}\n`);
      else {
        process.stdout.write(`${monitor.id}: ${verdict.status.toUpperCase()} — ${verdict.reason}\n`);
        if (verdict.value !== undefined) process.stdout.write(`  value: ${formatValue(verdict.value, verdict.unit)}\n`);
        for (const [k, v] of Object.entries(verdict.details ?? {})) process.stdout.write(`  ${k}: ${v}\n`);
        if (monitor.rules.some((r) => ['changePercent', 'changeVs', 'anomaly'].includes(r.kind))) {
          process.stdout.write(
            '  (rules against history are evaluated in scheduled runs and by `pipewatch backtest`)\n',
          );
        }
      }
      if (isFailing(verdict.status)) process.exitCode = EXIT.failed;
    });
}
