// The Temporal runtime of a long-running command (worker, start, demo): pipewatch's operator log and,
// when asked, pipewatch's and the SDK's Prometheus metrics on one endpoint (see workers/metrics.ts).
import type { Command } from 'commander';
import { CliError, EXIT } from './output.js';

/**
 * The Temporal runtime of this process: pipewatch's operator log and, when given an address, the SDK's own
 * Prometheus metrics served there (pipewatch's metrics endpoint appends them, see workers/metrics.ts).
 */
async function quietTemporalLogs(sdkMetricsAddress?: string): Promise<void> {
  const { Runtime } = await import('@temporalio/worker');
  const { operatorLogger } = await import('../workers/logger.js');
  Runtime.install({
    logger: operatorLogger((process.env.PIPEWATCH_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN'),
    ...(sdkMetricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } } } : {}),
  });
}

/** `--metrics-port` (or PIPEWATCH_METRICS_PORT): pipewatch's and the SDK's metrics on one endpoint; undefined when off. */
export async function startMetrics(opts: { metricsPort?: string; metricsHost: string }, byDefault?: string) {
  const text = opts.metricsPort ?? process.env.PIPEWATCH_METRICS_PORT ?? byDefault;
  if (text === undefined || text === '' || text === 'off') {
    await quietTemporalLogs();
    return undefined;
  }
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new CliError(`--metrics-port "${text}" must be a port number (or "off")`, EXIT.usage);
  const { createMetrics, serveMetrics } = await import('../workers/metrics.js');
  const { createServer } = await import('node:net');
  // The SDK's exporter listens on a private loopback port; the endpoint below reads it on each scrape.
  const sdkPort = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as { port: number };
      probe.close(() => resolve(p));
    });
  });
  await quietTemporalLogs(`127.0.0.1:${sdkPort}`);
  const metrics = createMetrics();
  const server = await serveMetrics({
    metrics,
    port,
    host: opts.metricsHost,
    sdkMetricsUrl: `http://127.0.0.1:${sdkPort}/metrics`,
  }).catch((err: NodeJS.ErrnoException) => {
    const why = `cannot serve metrics on ${opts.metricsHost}:${port} (${err.code ?? err.message}); choose another --metrics-port, or "off"`;
    // Asked for: an error. On by default (start, demo): said, and the rest runs.
    if (opts.metricsPort !== undefined || process.env.PIPEWATCH_METRICS_PORT !== undefined) throw new CliError(why);
    process.stderr.write(`metrics not served: ${why}\n`);
    return undefined;
  });
  return server ? { metrics, server } : undefined;
}

/** The metrics endpoint's options, as `worker` offers them. */
export const metricsOptions = (cmd: Command) =>
  cmd
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics at http://<metrics-host>:<port>/metrics ("off" for none; default: $PIPEWATCH_METRICS_PORT)',
    )
    .option('--metrics-host <host>', 'address the metrics endpoint listens on', '127.0.0.1');
