// `pipewatch start`: everything on one machine, on embedded defaults. Temporal
// dev server (SQLite under the data directory, Web UI), history store, worker
// and synced schedules; with no config of the user's, the example pipeline
// (seeded, fed, and emailing an outbox on disk) so there is something to watch.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configPath, DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load.js';
import { findTemporalCli } from '../devserver/temporal-cli.js';
import { portOpen, startDevServer, type DevServer } from '../devserver/dev-server.js';
import type { DemoCluster } from '../examples/cluster.js';
import { K8S_BUILD_TIME } from '../devserver/kubernetes-binaries.js';
import { chooseCluster, startClusterLater, startExampleCluster } from './start-cluster.js';
import type { RunningDemo } from '../examples/demo.js';
import { startOutbox, type Outbox } from '../examples/outbox.js';
import { formatPlan } from '../schedules/plan.js';
import { withoutMonitors } from '../config/groups.js';
import { withSelfMonitors } from '../config/self-monitor.js';
import { applyPlan, planFor, syncHeartbeat, syncReports } from '../schedules/sync.js';
import { dataDir as defaultDataDir, openHistoryStore, type OpenedStore } from '../store/open.js';
import { temporalSettings } from '../workers/connection.js';
import type { MetricsServer, PipewatchMetrics } from '../workers/metrics.js';
import { createWorker } from '../workers/worker.js';
import { AesGcmCodec, codecKeys, dataDirKeyFile, ensureKeyFile } from '../workers/codec.js';
import { startCodecServer, type CodecServer } from '../workers/codec-server.js';
import { startStatusPage } from '../ui/index.js';
import { formatDuration, parseDuration } from '../config/duration.js';
import { EXAMPLE_NAMESPACE, FAULTS } from '../examples/faults.js';
import { redactUrl } from '../evaluation/redact-url.js';
import { CliError, EXIT } from './output.js';
import { openTemporal } from './temporal.js';

export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // cli/ in sources, dist/cli/ when built.
  return existsSync(join(here, '..', 'package.json')) ? join(here, '..') : join(here, '..', '..');
}

export interface StartOptions {
  config?: string;
  dataDir?: string;
  port: string;
  uiPort: string;
  codecPort: string;
  headless?: boolean;
  example?: boolean;
  /** The status page on 127.0.0.1 (ui/); false with --no-status-page. */
  statusPage?: boolean;
  statusPort?: string;
  /** How often the example pipeline's stages run (a duration such as 5s). */
  every?: string;
  /** The example's serving API port. */
  apiPort?: string;
  /** A Kubernetes cluster for the example's operations monitors. */
  kubeconfig?: string;
  /**
   * Without --kubeconfig: a local cluster for them (examples/local-cluster.ts: control plane + a kwok node), the
   * default (undefined or true); false with --no-cluster (cli/start-cluster.ts).
   */
  cluster?: boolean;
  /** The command the user typed, for the hints printed at start. */
  command?: 'start' | 'demo';
  /** The worker's Prometheus metrics and the endpoint serving them (cli/metrics.ts starts it before the runtime). */
  metrics?: { metrics: PipewatchMetrics; server: MetricsServer };
}

const say = (line = '') => process.stdout.write(`${line}\n`);

export async function startCommand(opts: StartOptions): Promise<void> {
  const dir = resolve(opts.dataDir ?? defaultDataDir());
  // `pipewatch demo` watches the example unless a config is named on its command line.
  const userConfig =
    opts.command === 'demo'
      ? opts.config
      : (opts.config ??
        process.env.PIPEWATCH_CONFIG ??
        (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined));
  const configFile = userConfig ? configPath(userConfig) : join(packageRoot(), 'examples', 'pipewatch.yaml');
  const example = opts.example || !userConfig;

  // Fail on a bad file before starting anything; variables are checked once the store exists.
  loadConfigFile(configFile, { env: false });

  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((err: Error) => process.stderr.write(`while stopping: ${err.message}\n`));
  };

  try {
    // Payloads are encrypted from the first run: a key file under the data directory unless keys are given.
    if (!process.env.PIPEWATCH_CODEC_KEYS && !process.env.PIPEWATCH_CODEC_KEY_FILE) {
      process.env.PIPEWATCH_CODEC_KEY_FILE = join(dir, 'codec.keys');
      ensureKeyFile(process.env.PIPEWATCH_CODEC_KEY_FILE);
    }
    const codecPort = Number(opts.codecPort);
    let codec: CodecServer | undefined;
    if (!opts.headless && !(await portOpen(codecPort))) {
      codec = await startCodecServer({
        codec: new AesGcmCodec(codecKeys()!),
        port: codecPort,
        origins: [`http://127.0.0.1:${opts.uiPort}`, `http://localhost:${opts.uiPort}`],
      });
      cleanups.push(() => codec!.stop());
      // Alert emails suggest `temporal …` commands: with this endpoint they show decrypted payloads.
      process.env.PIPEWATCH_CODEC_ENDPOINT ||= codec.url;
    }

    let server: DevServer | undefined;
    if (!process.env.TEMPORAL_ADDRESS) {
      const cli = await findTemporalCli({ log: (l) => say(l) });
      say(`starting the Temporal dev server (${cli}), state in ${join(dir, 'temporal')} …`);
      server = await startDevServer({
        cli,
        dataDir: join(dir, 'temporal'),
        port: Number(opts.port),
        uiPort: opts.headless ? null : Number(opts.uiPort),
        uiCodecEndpoint: codec?.url,
      });
      cleanups.push(() => server!.stop());
      process.env.TEMPORAL_ADDRESS = server.address;
    }
    const settings = temporalSettings();

    say('opening the history store …');
    const opened: OpenedStore = await openHistoryStore({ dataDir: dir });
    cleanups.push(() => opened.close());

    let outbox: Outbox | undefined;
    let demo: RunningDemo | undefined;
    let cluster: DemoCluster | undefined;
    let kubeconfig: string | undefined;
    let buildCluster = false;
    let noCluster = 'no cluster';
    if (example) {
      process.env.EXAMPLE_DATABASE_URL ??= opened.url;
      process.env.PIPEWATCH_OUTBOX_PORT ??= '2525';
      // RabbitMQ's out-of-the-box account, which only accepts connections from this machine.
      process.env.EXAMPLE_AMQP_URL ??= 'amqp://guest:guest@127.0.0.1:5672';
      const outboxPort = Number(process.env.PIPEWATCH_OUTBOX_PORT);
      const everyText = opts.every ?? process.env.PIPEWATCH_DEMO_EVERY ?? '5s';
      const everyMs = parseDuration(everyText);
      if (everyMs === undefined || everyMs < 1_000)
        throw new CliError(`--every "${everyText}" is not a duration of at least 1s (such as 5s)`, EXIT.usage);
      const apiPort = Number(opts.apiPort ?? process.env.PIPEWATCH_DEMO_API_PORT ?? '8099');
      const { startDemo, demoEnv } = await import('../examples/demo.js');
      demo = await startDemo({
        dataDir: dir,
        url: process.env.EXAMPLE_DATABASE_URL,
        amqpUrl: process.env.EXAMPLE_AMQP_URL,
        everyMs,
        apiPort,
      });
      cleanups.push(() => demo!.stop());
      for (const [name, value] of Object.entries(demoEnv(dir, demo.apiUrl, process.env.EXAMPLE_AMQP_URL)))
        process.env[name] ??= value;
      const choice = chooseCluster(opts);
      if (choice.kind === 'kubeconfig' || choice.kind === 'local') {
        if (choice.kind === 'local')
          say(
            'starting a local Kubernetes cluster (etcd, kube-apiserver, controller-manager, scheduler, a kwok node) …',
          );
        const started = await startExampleCluster({
          kubeconfig: choice.kind === 'kubeconfig' ? resolve(choice.file) : undefined,
          binaries: choice.kind === 'local' ? choice.binaries : undefined,
          dataDir: dir,
          log: (line) => say(line),
        }).catch((err: Error) => {
          noCluster =
            choice.kind === 'local'
              ? `the local cluster did not start (${err.message.split('\n')[0]}); the example runs without it`
              : err.message;
          return undefined;
        });
        if (started) {
          cleanups.push(() => started.stop());
          cluster = started.cluster;
          kubeconfig = started.kubeconfig;
        }
      } else if (choice.kind === 'build') {
        buildCluster = true;
        noCluster = `not yet: a local one is being built (${K8S_BUILD_TIME}, once; progress below), then started, and these monitors are added`;
      } else noCluster = choice.why;
      process.env.EXAMPLE_KUBECONFIG = cluster ? kubeconfig : '';
      if (await portOpen(outboxPort)) {
        say(
          `port ${outboxPort} is taken, so the example's outbox is not started (set PIPEWATCH_OUTBOX_PORT); alert emails are retried until something listens there`,
        );
      } else {
        outbox = await startOutbox({
          dir: join(dir, 'outbox'),
          port: outboxPort,
          onMessage: (file, subject) => say(`email → ${file}\n        ${subject}`),
        });
        cleanups.push(() => outbox!.stop());
      }
    }

    const config = loadConfigFile(configFile);
    // Without a broker the example runs on its in-process queue, which only the http monitor of its API can see;
    // without a cluster the example's operations monitors have nothing to watch.
    const skippedQueue = demo?.queueFallbackReason
      ? config.monitors.filter((m) => m.connector?.type === 'rabbitmq')
      : [];
    const skippedCluster =
      demo && !cluster
        ? config.monitors.filter(
            (m) => m.connector?.type === 'kubernetes' && m.connector.kubeconfig === '${EXAMPLE_KUBECONFIG}',
          )
        : [];
    const skipped = [...skippedQueue, ...skippedCluster];
    const monitors = config.monitors.filter((m) => !skipped.includes(m));
    const worker = await createWorker({
      settings,
      store: opened.store,
      extraActivities: demo?.activities,
      metrics: opts.metrics?.metrics,
    });
    if (opts.metrics) cleanups.push(() => opts.metrics!.server.close());
    const { client, close: closeClient } = await openTemporal(settings);
    cleanups.push(closeClient);
    // The example's stages first, so the monitors find it running.
    if (demo) {
      await demo.schedule(client, settings.taskQueue, config);
      cleanups.push(() => demo!.pause());
    }
    const target = { client, taskQueue: settings.taskQueue, project: config.raw.project };
    const plan = await planFor(
      target,
      withSelfMonitors(config, monitors),
      withoutMonitors(config.groups, new Set(skipped.map((m) => m.id))),
    );
    await applyPlan(target, plan);
    await syncHeartbeat(target, config);
    await syncReports(target, config.reports);

    const ui = server?.uiUrl;
    const page =
      opts.statusPage === false
        ? undefined
        : await startStatusPage({
            config,
            store: opened.store,
            client,
            namespace: settings.namespace,
            taskQueue: settings.taskQueue,
            port: Number(opts.statusPort ?? 8090),
            temporalUi: ui,
          }).catch(
            (err: Error) =>
              void say(`status page not started: ${err.message} (choose another port with --status-port)`),
          );
    if (page) cleanups.push(() => page.stop());
    say();
    say('pipewatch is running');
    say(`  config          ${configFile} (project "${config.raw.project}")`);
    say(`  schedules       ${formatPlan(plan).split('\n').at(-1)}`);
    if (ui)
      say(
        `  Temporal Web UI ${ui}/namespaces/${settings.namespace}/schedules${codec ? ` (payloads decoded by ${codec.url})` : ''}`,
      );
    if (page) say(`  status page     ${page.url}/`);
    if (opts.metrics)
      say(`  metrics         ${opts.metrics.server.url} (Prometheus scrape target; --metrics-port off to turn off)`);
    say(`  Temporal        ${settings.address} · try: temporal schedule list --address ${settings.address}`);
    say(`  history store   ${opened.embedded ? `embedded PostgreSQL, data in ${join(dir, 'store')}` : 'DATABASE_URL'}`);
    if (outbox) say(`  email outbox    ${outbox.dir} (SMTP on 127.0.0.1:${outbox.port})`);
    if (demo) {
      const queue = demo.queueFallbackReason
        ? `in-process queue (RabbitMQ at ${redactUrl(process.env.EXAMPLE_AMQP_URL!)} not reachable: ${demo.queueFallbackReason}; left out: ${skippedQueue.map((m) => m.id).join(', ') || 'nothing'})`
        : `RabbitMQ queue ${demo.queue.name} at ${redactUrl(process.env.EXAMPLE_AMQP_URL!)}`;
      say(
        `  example         collect → ${queue} → parse → serve, every ${formatDuration(parseDuration(opts.every ?? process.env.PIPEWATCH_DEMO_EVERY ?? '5s')!)}`,
      );
      say(`  example API     ${demo.apiUrl}/health · ${demo.apiUrl}/queue`);
      say(`  example logs    ${process.env.EXAMPLE_LOG_DIR}/pipeline.ndjson`);
      say(
        cluster
          ? `  example cluster ${cluster.server}, namespace ${EXAMPLE_NAMESPACE}`
          : `  example cluster not watched: ${noCluster}; left out: ${skippedCluster.map((m) => m.id).join(', ') || 'nothing'}`,
      );
      say(
        `  break it        npx pipewatch demo break ${Object.keys(FAULTS).join('|')} · heal it: npx pipewatch demo heal`,
      );
      // The CLI finds the data directory's key file by itself; another one it must be told.
      const keyFile = process.env.PIPEWATCH_CODEC_KEY_FILE;
      const keys =
        keyFile && resolve(keyFile) !== resolve(dataDirKeyFile()) ? `PIPEWATCH_CODEC_KEY_FILE=${keyFile} ` : '';
      say(`  questions       ${keys}npx pipewatch intervene list (then: intervene respond <id> --answer … --by you)`);
    }
    say('Ctrl-C stops everything; state is kept in ' + dir);
    say();

    if (buildCluster) {
      // The local cluster's binaries are built while the example runs; its monitors join when it is up.
      const later = startClusterLater({
        dataDir: dir,
        log: (line) => say(`cluster: ${line}`),
        ready: async (started) => {
          process.env.EXAMPLE_KUBECONFIG = started.kubeconfig;
          const queueIds = new Set(skippedQueue.map((m) => m.id));
          const withCluster = config.monitors.filter((m) => !queueIds.has(m.id));
          await applyPlan(
            target,
            await planFor(target, withSelfMonitors(config, withCluster), withoutMonitors(config.groups, queueIds)),
          );
          say(
            `cluster: example cluster ${started.cluster.server}, namespace ${EXAMPLE_NAMESPACE}; now watched: ${skippedCluster.map((m) => m.id).join(', ')}`,
          );
        },
      });
      cleanups.push(() => later.stop());
    }
    // The SDK stops the worker on the first Ctrl-C and then lets go of the signals: a second one would end this
    // process half-way through stopping, leaving the cluster and the dev server (own process groups) running.
    process.on('SIGINT', whileStopping).on('SIGTERM', whileStopping);
    await worker.run();
  } catch (err) {
    await cleanup();
    process.off('SIGINT', whileStopping).off('SIGTERM', whileStopping);
    if (err instanceof Error && /EADDRINUSE|already in use/.test(err.message)) throw new CliError(err.message);
    throw err;
  }
  await cleanup();
  process.off('SIGINT', whileStopping).off('SIGTERM', whileStopping);
}

let signals = 0;
/** Counts Ctrl-Cs once the worker runs: the first is the SDK's (the worker stops, then everything else). */
function whileStopping(): void {
  signals++;
  if (signals === 1) return void say('stopping: the worker, then the cluster and the Temporal server');
  if (signals === 2) return void say('still stopping; one more Ctrl-C leaves the cluster and the server running');
  process.stderr.write("left running: `pgrep -af 'etcd|kube-|kwok|temporal'` lists what to stop\n");
  process.exit(130);
}
