// `pipewatch accept-shape <monitor>`: an API's current response shape becomes the accepted one, after an
// http monitor with "shape" reported that it changed.
import type { Command } from 'commander';
import { dataDir } from '../../store/open.js';
import { findMonitor, type CliContext } from '../context.js';
import { CliError } from '../output.js';

export function registerAcceptShapeCommand(program: Command, ctx: CliContext): void {
  program
    .command('accept-shape <monitor>')
    .description(
      "accept an API's current response shape as the new normal (after an http monitor reported that it changed)",
    )
    .requiredOption('--by <name>', 'who accepts it')
    .action(async (id: string, opts: { by: string }) => {
      const config = ctx.loadConfig({ envCheck: false });
      const monitor = findMonitor(config, id);
      if (monitor.check.type !== 'http' || !monitor.check.shape)
        throw new CliError(`${id} does not track a response shape (an http check with "shape")`);
      const { openHistoryStore } = await import('../../store/open.js');
      const { shapeDiff } = await import('../../evaluation/conditions.js');
      const opened = await openHistoryStore({ dataDir: dataDir() });
      try {
        const before = await opened.store.apiShape(id);
        if (!before) throw new CliError(`${id} has not seen a response yet; nothing to accept`);
        const diff = shapeDiff(before.accepted, before.latest);
        await opened.store.acceptApiShape(id, opts.by);
        process.stdout.write(
          diff.length
            ? `accepted the shape seen at ${before.latestAt}:\n${diff.map((l) => `  ${l}`).join('\n')}\n`
            : 'the latest shape was already the accepted one\n',
        );
      } finally {
        await opened.close();
      }
    });
}
