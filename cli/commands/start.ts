// `pipewatch start`: everything on one machine (cli/start.ts does the work). Its options are shared with
// `pipewatch demo`, which runs the same with the example pipeline.
import { Option, type Command } from 'commander';
import { K8S_BUILD_TIME } from '../../devserver/kubernetes-binaries.js';
import type { CliContext } from '../context.js';
import { startMetrics } from '../metrics.js';

/** The options of `start` and `demo`. */
export const runOptions = (cmd: Command) =>
  cmd
    .option('--data-dir <dir>', 'where state is kept (default: $PIPEWATCH_DATA_DIR or .pipewatch)')
    .addOption(new Option('--port <port>', 'Temporal dev server gRPC port').default('7233'))
    .addOption(new Option('--ui-port <port>', 'Temporal Web UI port').default('8233'))
    .addOption(
      new Option('--codec-port <port>', 'codec server the Web UI decodes encrypted payloads with').default('8888'),
    )
    .option('--headless', 'no Web UI')
    .option('--every <duration>', "how often the example pipeline's stages run (default: $PIPEWATCH_DEMO_EVERY or 5s)")
    .option('--api-port <port>', "the example's serving API (default: $PIPEWATCH_DEMO_API_PORT or 8099)")
    .option(
      '--kubeconfig <file>',
      "a Kubernetes cluster of yours for the example's operations monitors and its pod fault (default: $EXAMPLE_KUBECONFIG; without one, a local cluster)",
    )
    .option(
      '--cluster',
      `without --kubeconfig: a local Kubernetes cluster for them (control plane and a kwok node) — the default; built once from the Go module proxy (${K8S_BUILD_TIME}, in the background while the rest runs), then cached`,
    )
    .option('--no-cluster', 'no local cluster: the example runs without its operations monitors')
    .addOption(new Option('--status-port <port>', 'the status page (pipewatch ui) on 127.0.0.1').default('8090'))
    .option('--no-status-page', 'do not serve the status page')
    .option(
      '--metrics-port <port>',
      'the worker\'s Prometheus metrics at http://127.0.0.1:<port>/metrics ("off" for none; default: $PIPEWATCH_METRICS_PORT or 9464)',
    )
    .option('--metrics-host <host>', 'address the metrics endpoint listens on', '127.0.0.1');

export function registerStartCommand(program: Command, ctx: CliContext): void {
  runOptions(
    program
      .command('start')
      .description(
        'run everything on one machine: Temporal dev server + Web UI, history store, worker, synced monitors (the example pipeline when no config is given)',
      ),
  )
    .option('--example', 'run the example pipeline even with a config of your own')
    .action(async (opts) => {
      const served = await startMetrics(opts, '9464');
      const { startCommand } = await import('../start.js');
      await startCommand({ ...opts, config: ctx.configFlag(), command: 'start', metrics: served });
    });
}
