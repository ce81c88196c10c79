// `pipewatch worker`: a worker polling the task queue for monitor runs, incidents and the rest
// (workers/worker.ts), with the history store and, when asked, a metrics endpoint.
import type { Command } from 'commander';
import { dataDir } from '../../store/open.js';
import { metricsOptions, startMetrics } from '../metrics.js';
import { temporalSettings } from '../temporal.js';

export function registerWorkerCommand(program: Command): void {
  metricsOptions(
    program
      .command('worker')
      .description('run a worker: executes monitor runs and incidents from the task queue (run as many as you like)')
      .option('--workflow-bundle <file>', 'prebuilt workflow bundle (default: the one the build made)'),
  ).action(async (opts: { workflowBundle?: string; metricsPort?: string; metricsHost: string }) => {
    const served = await startMetrics(opts);
    const settings = await temporalSettings();
    const { openHistoryStore } = await import('../../store/open.js');
    const { createWorker } = await import('../../workers/worker.js');
    const opened = await openHistoryStore({ dataDir: dataDir() });
    try {
      const w = await createWorker({
        settings,
        store: opened.store,
        workflowBundlePath: opts.workflowBundle,
        metrics: served?.metrics,
      });
      process.stdout.write(
        `pipewatch worker polling task queue "${settings.taskQueue}" on ${settings.address} (namespace ${settings.namespace}); history store ${opened.embedded ? `embedded (${dataDir()}/store)` : 'DATABASE_URL'}${served ? `; metrics on ${served.server.url}` : ''}\n`,
      );
      await w.run();
    } finally {
      await served?.server.close();
      await opened.close();
    }
  });
}
