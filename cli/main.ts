#!/usr/bin/env node
// The `pipewatch` command. Thin: each subcommand loads what it needs and calls
// the modules that do the work.
// Heavy modules (the Temporal SDK, connectors) load inside the commands that
// need them, so `validate` and `--help` answer quickly.
import type { Client } from '@temporalio/client';
import { Command, CommanderError, Option } from 'commander';
import { configPath, formatProblem, loadConfigFile, type LoadedConfig } from '../config/load.js';
import type { MonitorDefinition } from '../config/model.js';
import { formatValue } from '../evaluation/rules.js';
import { isFailing, type Status, type Verdict } from '../evaluation/types.js';
import { breakStage, demoArchivePasswordFile, FAULT_ALIASES, FAULTS, heal, parseFault, readFaults, type Fault } from '../examples/faults.js';
import { formatPlan } from '../schedules/plan.js';
import { dataDir } from '../store/open.js';
import { scheduleId, SCHEDULE_PREFIX } from '../evaluation/ids.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerGraphCommand } from './commands/graph.js';
import { registerIncidentCommands } from './incidents.js';
import { registerInterveneCommands } from './intervene.js';
import { CliError, EXIT, reportError, table } from './output.js';

const temporal = () => import('../workers/connection.js');

const program = new Command('pipewatch')
  .description('Durable monitoring for data pipelines on Temporal: monitors declared in YAML run as Temporal Schedules.')
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

function globalConfigFile(): string {
  return configPath(program.opts<{ config?: string }>().config);
}

function loadConfig(options: { envCheck?: boolean } = {}): LoadedConfig {
  return loadConfigFile(globalConfigFile(), { env: options.envCheck === false ? false : process.env });
}

function findMonitor(config: LoadedConfig, id: string): MonitorDefinition {
  const monitor = config.monitors.find((m) => m.id === id);
  if (!monitor) {
    throw new CliError(`no monitor "${id}" in ${config.file}; declared: ${config.monitors.map((m) => m.id).join(', ') || '(none)'}`);
  }
  return monitor;
}

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
async function startMetrics(opts: { metricsPort?: string; metricsHost: string }, byDefault?: string) {
  const text = opts.metricsPort ?? process.env.PIPEWATCH_METRICS_PORT ?? byDefault;
  if (text === undefined || text === '' || text === 'off') {
    await quietTemporalLogs();
    return undefined;
  }
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--metrics-port "${text}" must be a port number (or "off")`, EXIT.usage);
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
  const server = await serveMetrics({ metrics, port, host: opts.metricsHost, sdkMetricsUrl: `http://127.0.0.1:${sdkPort}/metrics` }).catch((err: NodeJS.ErrnoException) => {
    const why = `cannot serve metrics on ${opts.metricsHost}:${port} (${err.code ?? err.message}); choose another --metrics-port, or "off"`;
    // Asked for: an error. On by default (start, demo): said, and the rest runs.
    if (opts.metricsPort !== undefined || process.env.PIPEWATCH_METRICS_PORT !== undefined) throw new CliError(why);
    process.stderr.write(`metrics not served: ${why}\n`);
    return undefined;
  });
  return server ? { metrics, server } : undefined;
}

const metricsOptions = (cmd: Command) =>
  cmd
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://<metrics-host>:<port>/metrics ("off" for none; default: $PIPEWATCH_METRICS_PORT)')
    .option('--metrics-host <host>', 'address the metrics endpoint listens on', '127.0.0.1');

// ------------------------------------------------------------------ validate

registerValidateCommand(program, globalConfigFile);
registerRunsCommand(program, () => loadConfig());
registerGraphCommand(program, globalConfigFile);

// ----------------------------------------------------------------- schedules

const schedules = program.command('schedules').description('the Temporal Schedules that run the declared monitors');

schedules
  .command('sync')
  .description('create, update and delete schedules so they match the declared monitors (only schedules pipewatch owns)')
  .option('--dry-run', 'print the plan and change nothing')
  .option('--no-env-check', 'do not require the referenced environment variables to be set here')
  .option('--strict', 'refuse to sync a file with warnings (lints), as validate --strict does')
  .option('--json', 'machine-readable output')
  .action(async (opts: { dryRun?: boolean; envCheck: boolean; json?: boolean; strict?: boolean }) => {
    // The same validation as `pipewatch validate`: errors refuse the file (nothing changes), lints are shown.
    const config = loadConfig({ envCheck: opts.envCheck });
    for (const w of config.warnings ?? []) process.stderr.write(`${formatProblem(w)}\n`);
    if (opts.strict && config.warnings?.length) throw new CliError(`${config.warnings.length} warning(s) above and --strict: nothing changed`);
    const { connectClient, temporalSettings } = await temporal();
    const { applyPlan, planFor, syncHeartbeat, syncReports } = await import('../schedules/sync.js');
    const settings = temporalSettings();
    const client = await connectClient(settings);
    try {
      const target = { client, taskQueue: settings.taskQueue, project: config.raw.project };
      // The built-in self-monitor (config/self-monitor.ts) is synced with the declared ones.
      const { withSelfMonitors } = await import('../config/self-monitor.js');
      const plan = await planFor(target, withSelfMonitors(config), config.groups);
      if (!opts.json) process.stdout.write(`${opts.dryRun ? 'plan (dry run, nothing changed)' : 'plan'} for project "${config.raw.project}" on ${settings.address}/${settings.namespace}:\n${formatPlan(plan)}\n`);
      if (!opts.dryRun) {
        await applyPlan(target, plan, (step) => {
          if (!opts.json && step.action !== 'unchanged') process.stdout.write(`  done: ${step.action} ${step.scheduleId}\n`);
        });
      }
      const heartbeat = await syncHeartbeat(target, config, opts.dryRun);
      if (heartbeat && !opts.json) process.stdout.write(`  heartbeat: ${heartbeat}\n`);
      for (const line of await syncReports(target, config.reports, opts.dryRun)) if (!opts.json) process.stdout.write(`  report: ${line}\n`);
      if (opts.dryRun && plan.conflicts.length > 0) {
        throw new CliError(plan.conflicts.map((c) => `schedule ${c.scheduleId} is not owned by this project; monitor "${c.monitorId}" cannot take it`).join('\n'));
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ dryRun: Boolean(opts.dryRun), steps: plan.steps.map((s) => ({ action: s.action, scheduleId: s.scheduleId })), conflicts: plan.conflicts }, null, 2)}\n`);
      }
    } finally {
      await client.connection.close();
    }
  });

schedules
  .command('list')
  .description('list pipewatch schedules with their state and next run')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    const { connectClient, temporalSettings } = await temporal();
    const { OWNER } = await import('../schedules/sync.js');
    const client = await connectClient(temporalSettings());
    try {
      const rows: Array<Record<string, unknown>> = [];
      for await (const s of client.schedule.list()) {
        if (!s.scheduleId.startsWith(SCHEDULE_PREFIX)) continue;
        const memo = (s.memo?.pipewatch ?? {}) as { owner?: string; project?: string; monitorId?: string };
        rows.push({
          scheduleId: s.scheduleId,
          monitor: memo.monitorId ?? '',
          project: memo.owner === OWNER ? memo.project : '(not pipewatch)',
          paused: s.state.paused,
          note: s.state.note ?? '',
          nextRun: s.info.nextActionTimes[0]?.toISOString() ?? '',
          lastRun: s.info.recentActions.at(-1)?.takenAt.toISOString() ?? '',
        });
      }
      rows.sort((a, b) => String(a.scheduleId).localeCompare(String(b.scheduleId)));
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) process.stdout.write('no pipewatch schedules; create them with: pipewatch schedules sync\n');
      else {
        process.stdout.write(
          `${table([
            ['SCHEDULE', 'PROJECT', 'STATE', 'NEXT RUN', 'LAST RUN'],
            ...rows.map((r) => [String(r.scheduleId), String(r.project), r.paused ? `paused${r.note ? ` (${r.note})` : ''}` : 'active', String(r.nextRun), String(r.lastRun)]),
          ])}\n`,
        );
      }
    } finally {
      await client.connection.close();
    }
  });

async function withSchedule(monitor: string, fn: (handle: ReturnType<Client['schedule']['getHandle']>) => Promise<void>) {
  const { connectClient, temporalSettings } = await temporal();
  const client = await connectClient(temporalSettings());
  try {
    const handle = client.schedule.getHandle(scheduleId(monitor));
    try {
      await handle.describe();
    } catch {
      // A member of a cadence group has no schedule of its own: say which one runs it.
      const { GROUP_SCHEDULE_PREFIX } = await import('../evaluation/ids.js');
      for await (const s of client.schedule.list()) {
        const ids = (s.memo?.pipewatch as { monitorIds?: string[] } | undefined)?.monitorIds ?? [];
        if (s.scheduleId.startsWith(GROUP_SCHEDULE_PREFIX) && ids.includes(monitor)) {
          throw new CliError(
            `monitor ${monitor} runs in cadence group schedule ${s.scheduleId} with ${ids.length - 1} other monitor(s); act on that schedule with \`temporal schedule …\`, or give the monitor "schedule: { own: true }" and sync`,
          );
        }
      }
      throw new CliError(`no schedule ${scheduleId(monitor)}; run "pipewatch schedules sync" first, or check the monitor id`);
    }
    await fn(handle);
  } finally {
    await client.connection.close();
  }
}

schedules
  .command('pause <monitor>')
  .description('pause a monitor\'s schedule (sync keeps it paused)')
  .option('--reason <text>', 'note shown in the Web UI and `schedules list`', 'paused with pipewatch')
  .action(async (monitor: string, opts: { reason: string }) =>
    withSchedule(monitor, async (h) => {
      await h.pause(opts.reason);
      process.stdout.write(`paused ${h.scheduleId}\n`);
    }),
  );

schedules
  .command('unpause <monitor>')
  .description('resume a paused monitor schedule')
  .action(async (monitor: string) =>
    withSchedule(monitor, async (h) => {
      await h.unpause('unpaused with pipewatch');
      process.stdout.write(`unpaused ${h.scheduleId}\n`);
    }),
  );

schedules
  .command('trigger <monitor>')
  .description('run a monitor now, through its schedule (recorded and alerted like any tick)')
  .action(async (monitor: string) =>
    withSchedule(monitor, async (h) => {
      await h.trigger();
      process.stdout.write(`triggered ${h.scheduleId}\n`);
    }),
  );

// ----------------------------------------------------------------------- run

program
  .command('run <monitor>')
  .description('run one check here and now and print the verdict; nothing is recorded or sent')
  .option('--json', 'machine-readable output')
  .action(async (id: string, opts: { json?: boolean }) => {
    const config = loadConfig();
    const monitor = findMonitor(config, id);
    const { connectorCache } = await import('../connectors/registry.js');
    const { checkHere } = await import('./check-here.js');
    const cache = connectorCache();
    // Log files are read through the store.
    const opened = monitor.check.type === 'logs' ? await (await import('../store/open.js')).openHistoryStore({ dataDir: dataDir() }) : undefined;
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
        process.stdout.write('  (rules against history are evaluated in scheduled runs and by `pipewatch backtest`)\n');
      }
    }
    if (isFailing(verdict.status)) process.exitCode = EXIT.failed;
  });

// ------------------------------------------------------------------ backtest

program
  .command('backtest <monitor>')
  .description("replay a monitor's rules and flap control over past values: when would it have fired and resolved?")
  .option('--from <time>', 'start: an ISO time, or a duration ago such as 7d', '7d')
  .option('--to <time>', 'end: an ISO time (default now)')
  .option('--recollect', 'count checks: query the source for every bucket in the range instead of using stored history')
  .option('--all', 'print every point, not only the failing ones and the transitions')
  .option('--json', 'machine-readable output')
  .action(async (id: string, opts: { from: string; to?: string; recollect?: boolean; all?: boolean; json?: boolean }) => {
    const config = loadConfig({ envCheck: Boolean(opts.recollect) });
    const monitor = findMonitor(config, id);
    const { parseDuration } = await import('../config/duration.js');
    const time = (text: string, flag: string) => {
      const ago = parseDuration(text);
      const t = ago !== undefined ? Date.now() - ago : Date.parse(text);
      if (Number.isNaN(t)) throw new CliError(`${flag} "${text}" is neither an ISO time nor a duration such as 7d`, EXIT.usage);
      return new Date(t);
    };
    const from = time(opts.from, '--from');
    const to = opts.to ? time(opts.to, '--to') : new Date();
    if (from >= to) throw new CliError('--from must be before --to', EXIT.usage);

    const { backtest, warmupMs } = await import('../evaluation/backtest.js');
    const { describeCheck, toleranceMs } = await import('../evaluation/check.js');
    // History before --from warms baselines and flap state as a live run's would be; it makes no steps.
    const warmFrom = new Date(from.getTime() - warmupMs(monitor.rules, toleranceMs(monitor), !opts.recollect));
    let points: Array<{ observedAt: string; value: number | null; error?: boolean; status?: Status }>;
    let source: string;
    if (opts.recollect) {
      const check = monitor.check;
      if (check.type !== 'count') throw new CliError(`--recollect works for count checks; ${monitor.id} is a ${check.type} check (use its stored history)`, EXIT.usage);
      const bucket = check.bucket ?? check.window!;
      const { connectorCache } = await import('../connectors/registry.js');
      const cache = connectorCache();
      try {
        const aligned = new Date(Math.floor(warmFrom.getTime() / bucket) * bucket);
        const { recordStore } = await import('../connectors/types.js');
        const store = recordStore(cache.get(monitor.connector!).value, `connector ${monitor.connector!.id}`);
        points = (await store.series(check, { from: aligned, to }, bucket)).map((p) => ({ observedAt: p.at, value: p.value }));
      } finally {
        await cache.closeAll();
      }
      source = `re-collected from connector ${monitor.connector!.id}`;
    } else {
      const { openHistoryStore } = await import('../store/open.js');
      const opened = await openHistoryStore({ dataDir: dataDir() });
      try {
        points = (await opened.store.pointsBetween(monitor.id, warmFrom, to)).map((p) => ({ observedAt: p.observedAt, value: p.value, error: p.status === 'error', status: p.status }));
      } finally {
        await opened.close();
      }
      source = 'stored history';
    }
    const result = backtest(monitor.rules, monitor.flap, points, {
      unit: monitor.unit,
      toleranceMs: toleranceMs(monitor),
      timeZone: monitor.schedule.timezone,
      describe: describeCheck(monitor),
      from: from.toISOString(),
    });
    const warm = points.filter((p) => Date.parse(p.observedAt) < from.getTime()).length;
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ monitor: monitor.id, from: from.toISOString(), to: to.toISOString(), source, points: points.length - warm, warmup: warm, ...result }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`backtest of ${monitor.id} from ${from.toISOString()} to ${to.toISOString()}: ${points.length - warm} point(s), ${source}, warmed by ${warm} earlier point(s)\n`);
    const shown = result.steps.filter((st) => opts.all || st.status !== 'ok' || st.transition !== 'none');
    if (shown.length > 0) {
      process.stdout.write(
        `${table([
          ['TIME', 'VALUE', 'STATUS', 'TRANSITION', 'REASON'],
          ...shown.map((st) => [st.observedAt, st.value === null ? '-' : formatValue(st.value, monitor.unit), st.status, st.transition === 'none' ? '' : st.transition, st.reason]),
        ])}\n`,
      );
    }
    if (result.incidents.length === 0) process.stdout.write('it would not have opened an incident\n');
    else {
      process.stdout.write(`it would have opened ${result.incidents.length} incident(s):\n`);
      for (const i of result.incidents) process.stdout.write(`  ${i.openBeforeRange ? `before ${i.openedAt}` : i.openedAt} → ${i.resolvedAt ?? 'still open at the end'} (worst: ${i.worst})\n`);
    }
  });

// -------------------------------------------------------------------- worker

metricsOptions(
  program
    .command('worker')
    .description('run a worker: executes monitor runs and incidents from the task queue (run as many as you like)')
    .option('--workflow-bundle <file>', 'prebuilt workflow bundle (default: the one the build made)'),
).action(async (opts: { workflowBundle?: string; metricsPort?: string; metricsHost: string }) => {
  const served = await startMetrics(opts);
  const { temporalSettings } = await temporal();
  const { openHistoryStore } = await import('../store/open.js');
  const { createWorker } = await import('../workers/worker.js');
  const settings = temporalSettings();
  const opened = await openHistoryStore({ dataDir: dataDir() });
  try {
    const w = await createWorker({ settings, store: opened.store, workflowBundlePath: opts.workflowBundle, metrics: served?.metrics });
    process.stdout.write(
      `pipewatch worker polling task queue "${settings.taskQueue}" on ${settings.address} (namespace ${settings.namespace}); history store ${opened.embedded ? `embedded (${dataDir()}/store)` : 'DATABASE_URL'}${served ? `; metrics on ${served.server.url}` : ''}\n`,
    );
    await w.run();
  } finally {
    await served?.server.close();
    await opened.close();
  }
});

// --------------------------------------------------------------------- start

const runOptions = (cmd: Command) =>
  cmd
    .option('--data-dir <dir>', 'where state is kept (default: $PIPEWATCH_DATA_DIR or .pipewatch)')
    .addOption(new Option('--port <port>', 'Temporal dev server gRPC port').default('7233'))
    .addOption(new Option('--ui-port <port>', 'Temporal Web UI port').default('8233'))
    .addOption(new Option('--codec-port <port>', 'codec server the Web UI decodes encrypted payloads with').default('8888'))
    .option('--headless', 'no Web UI')
    .option('--every <duration>', "how often the example pipeline's stages run (default: $PIPEWATCH_DEMO_EVERY or 5s)")
    .option('--api-port <port>', "the example's serving API (default: $PIPEWATCH_DEMO_API_PORT or 8099)")
    .option('--kubeconfig <file>', "a Kubernetes cluster for the example's operations monitors and its pod fault (default: $EXAMPLE_KUBECONFIG; without one they are left out)")
    .option('--cluster', 'without --kubeconfig: start a local Kubernetes cluster for them (control plane and a kwok node; built once from the Go module proxy, 6-16 minutes on 2 cores)')
    .addOption(new Option('--status-port <port>', 'the status page (pipewatch ui) on 127.0.0.1').default('8090'))
    .option('--no-status-page', 'do not serve the status page')
    .option('--metrics-port <port>', 'the worker\'s Prometheus metrics at http://127.0.0.1:<port>/metrics ("off" for none; default: $PIPEWATCH_METRICS_PORT or 9464)')
    .option('--metrics-host <host>', 'address the metrics endpoint listens on', '127.0.0.1');

runOptions(
  program
    .command('start')
    .description('run everything on one machine: Temporal dev server + Web UI, history store, worker, synced monitors (the example pipeline when no config is given)'),
)
  .option('--example', 'run the example pipeline even with a config of your own')
  .action(async (opts) => {
    const served = await startMetrics(opts, '9464');
    const { startCommand } = await import('./start.js');
    await startCommand({ ...opts, config: program.opts<{ config?: string }>().config, command: 'start', metrics: served });
  });

// ------------------------------------------------------------------------ ui

program
  .command('ui')
  .description('serve a read-only status page: monitors by pipeline and perspective, open incidents, questions waiting on an operator')
  .option('--port <port>', 'port to listen on', '8090')
  .option('--host <host>', 'address to listen on; anything but 127.0.0.1, localhost or ::1 requires a token', '127.0.0.1')
  .option('--token <token>', 'required from every caller (default: $PIPEWATCH_UI_TOKEN); as "Authorization: Bearer <token>" or once as ?token=<token>, which sets a cookie')
  .option('--temporal-ui <url>', 'Temporal Web UI the page links to (default: $PIPEWATCH_TEMPORAL_UI_URL or http://127.0.0.1:8233)')
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
  .action(async (opts: { port: string; host: string; token?: string; temporalUi?: string; refresh: string; points: string }) => {
    const number = (text: string, flag: string, min: number, max: number) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag} "${text}" must be a whole number from ${min} to ${max}`, EXIT.usage);
      return n;
    };
    const port = number(opts.port, '--port', 0, 65_535);
    const refreshSeconds = number(opts.refresh, '--refresh', 1, 3_600);
    const points = number(opts.points, '--points', 2, 1_000);
    const token = opts.token ?? process.env.PIPEWATCH_UI_TOKEN;
    const { isLoopback } = await import('../ui/server.js');
    // Refused before anything is opened: an open page on the network is the one thing not to do by accident.
    if (!token && !isLoopback(opts.host)) {
      throw new CliError(`refusing to serve the status page on ${opts.host} without a token: set --token or PIPEWATCH_UI_TOKEN, or use --host 127.0.0.1`, EXIT.usage);
    }
    const config = loadConfig({ envCheck: false });
    const { connectClient, temporalSettings } = await temporal();
    const { openHistoryStore } = await import('../store/open.js');
    const { startStatusPage, STATUS_PAGE_DEFAULTS } = await import('../ui/index.js');
    const settings = temporalSettings();
    const opened = await openHistoryStore({ dataDir: dataDir() });
    try {
      const client = await connectClient(settings);
      try {
        const { StatusPageConfigError } = await import('../ui/server.js');
        const page = await startStatusPage({
          config, store: opened.store, client, namespace: settings.namespace, taskQueue: settings.taskQueue,
          host: opts.host, port, token, refreshSeconds, points,
          temporalUi: opts.temporalUi ?? process.env.PIPEWATCH_TEMPORAL_UI_URL ?? STATUS_PAGE_DEFAULTS.temporalUi,
        }).catch((err: Error) => {
          if (err instanceof StatusPageConfigError) throw new CliError(err.message, EXIT.usage);
          throw new CliError(`cannot serve the status page on ${opts.host}:${port}: ${err.message}`);
        });
        process.stdout.write(`pipewatch status page on ${page.url}/ (JSON: ${page.url}/api/status)${token ? ', token required' : ''}; Ctrl-C stops it\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await page.stop();
      } finally {
        await client.connection.close();
      }
    } finally {
      await opened.close();
    }
  });

// -------------------------------------------------------------------- demo

const faultList = () => Object.entries(FAULTS).map(([f, what]) => `  ${f.padEnd(10)} ${what}`).join('\n');

function breakAction(fault: string, opts: { dataDir?: string }, command: string): void {
  let chosen: Fault;
  try {
    chosen = parseFault(fault);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
  const state = breakStage(opts.dataDir ?? dataDir(), chosen);
  const others = Object.keys(state.faults).filter((f) => f !== chosen);
  process.stdout.write(`broken: ${chosen} — ${FAULTS[chosen]}${others.length ? `\nalso in effect: ${others.join(', ')}` : ''}\nthe pipeline picks it up on its next run; heal with: pipewatch ${command} heal\n`);
  if (chosen === 'archive') process.stdout.write(`the archive's password, for the operator's answer, is kept in ${demoArchivePasswordFile(opts.dataDir ?? dataDir())}\n`);
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
  process.stdout.write(`${healed.length ? `healed: ${healed.join(', ')}` : 'nothing to heal'}${left.length ? `; still broken: ${left.join(', ')}` : '; the example pipeline runs normally'}\n`);
}

const demo = runOptions(
  program
    .command('demo')
    .description('run the example pipeline (collector → queue → ETL → serving table, as Temporal workflows) with its monitors; break and heal it')
    .addHelpText('after', `\nFaults (pipewatch demo break <fault>; several may be in effect):\n${faultList()}`),
).action(async (opts) => {
  const served = await startMetrics(opts, '9464');
  const { startCommand } = await import('./start.js');
  await startCommand({ ...opts, example: true, config: program.opts<{ config?: string }>().config, command: 'demo', metrics: served });
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
    process.stdout.write(entries.length ? `${entries.map(([f, at]) => `${f} since ${at}`).join('\n')}\n` : 'no faults: the example pipeline runs normally\n');
  });

// The first example's commands, kept as aliases.
const example = program.command('example').description('alias of `pipewatch demo break|heal` (the example pipeline\'s faults)');
example
  .command('break <fault>')
  .description(`same as: pipewatch demo break <fault> (${[...Object.keys(FAULTS), ...Object.keys(FAULT_ALIASES)].join(' | ')})`)
  .option('--data-dir <dir>', 'the data directory of the running `pipewatch demo`')
  .action((fault: string, opts: { dataDir?: string }) => breakAction(fault, opts, 'example'));
example
  .command('heal [fault]')
  .description('same as: pipewatch demo heal')
  .option('--data-dir <dir>', 'the data directory of the running `pipewatch demo`')
  .action((fault: string | undefined, opts: { dataDir?: string }) => healAction(fault, opts));

// ------------------------------------------------------ incidents, silences

registerIncidentCommands(program, {
  async client() {
    const { connectClient, temporalSettings } = await temporal();
    const settings = temporalSettings();
    const client = await connectClient(settings);
    return { client, taskQueue: settings.taskQueue, close: () => client.connection.close() };
  },
  config() {
    try {
      return loadConfig({ envCheck: false });
    } catch {
      return undefined;
    }
  },
});

// ---------------------------------------------------------- doctor, shapes

program
  .command('doctor')
  .description('check everything pipewatch depends on and say what is wrong: Temporal, workers, schedules, store, connectors, channels')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    const config = loadConfig({ envCheck: false });
    const { connectClient, temporalSettings } = await temporal();
    const { doctor } = await import('./doctor.js');
    const settings = temporalSettings();
    const findings = await doctor(config, settings, () => connectClient(settings));
    if (opts.json) process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
    else for (const f of findings) process.stdout.write(`${f.ok ? '✔' : '✖'} ${f.area}: ${f.message}\n`);
    const bad = findings.filter((f) => !f.ok).length;
    if (!opts.json) process.stdout.write(bad ? `${bad} problem(s)\n` : 'all good\n');
    if (bad) process.exitCode = EXIT.failed;
  });

program
  .command('accept-shape <monitor>')
  .description("accept an API's current response shape as the new normal (after an http monitor reported that it changed)")
  .requiredOption('--by <name>', 'who accepts it')
  .action(async (id: string, opts: { by: string }) => {
    const config = loadConfig({ envCheck: false });
    const monitor = findMonitor(config, id);
    if (monitor.check.type !== 'http' || !monitor.check.shape) throw new CliError(`${id} does not track a response shape (an http check with "shape")`);
    const { openHistoryStore } = await import('../store/open.js');
    const { shapeDiff } = await import('../evaluation/conditions.js');
    const opened = await openHistoryStore({ dataDir: dataDir() });
    try {
      const before = await opened.store.apiShape(id);
      if (!before) throw new CliError(`${id} has not seen a response yet; nothing to accept`);
      const diff = shapeDiff(before.accepted, before.latest);
      await opened.store.acceptApiShape(id, opts.by);
      process.stdout.write(diff.length ? `accepted the shape seen at ${before.latestAt}:\n${diff.map((l) => `  ${l}`).join('\n')}\n` : 'the latest shape was already the accepted one\n');
    } finally {
      await opened.close();
    }
  });

registerInterveneCommands(program, {
  async client() {
    const { connectClient, temporalSettings } = await temporal();
    const settings = temporalSettings();
    const client = await connectClient(settings);
    return { client, taskQueue: settings.taskQueue, close: () => client.connection.close() };
  },
  config: () => loadConfig({ envCheck: false }),
});

// ------------------------------------------------------------ setup / schema

program
  .command('setup')
  .description('register pipewatch\'s search attributes in an existing namespace (self-hosted clusters; the dev server does this itself)')
  .action(async () => {
    const { connectClient, temporalSettings } = await temporal();
    const { SEARCH_ATTRIBUTES } = await import('../workflows/search-attributes.js');
    const settings = temporalSettings();
    const client = await connectClient(settings);
    try {
      const existing = await client.connection.operatorService.listSearchAttributes({ namespace: settings.namespace });
      const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {})));
      if (missing.length === 0) {
        process.stdout.write(`namespace ${settings.namespace} already has all ${SEARCH_ATTRIBUTES.length} pipewatch search attributes\n`);
        return;
      }
      await client.connection.operatorService.addSearchAttributes({
        namespace: settings.namespace,
        // IndexedValueType: KEYWORD 2, KEYWORD_LIST 7.
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, k.type === 'KEYWORD_LIST' ? 7 : 2])),
      });
      // A cluster's frontend and history services read the new names from a namespace cache refreshed every few
      // seconds: until then creating a schedule that carries them fails ("no mapping defined for search
      // attribute"). Wait until a query on them is accepted, so `setup && schedules sync` works.
      const probe = missing.map((k) => `${k.name} = '_'`).join(' OR ');
      const deadline = Date.now() + 60_000;
      for (;;) {
        const seen = await client.connection.workflowService.countWorkflowExecutions({ namespace: settings.namespace, query: probe }).then(
          () => true,
          () => false,
        );
        if (seen) break;
        if (Date.now() > deadline) throw new CliError(`registered ${missing.map((k) => k.name).join(', ')}, but namespace ${settings.namespace} still does not accept them after 60 s; run pipewatch setup again before schedules sync`);
        await new Promise((r) => setTimeout(r, 500));
      }
      process.stdout.write(`registered ${missing.map((k) => k.name).join(', ')} in namespace ${settings.namespace}\n`);
    } finally {
      await client.connection.close();
    }
  });

program
  .command('codec-key')
  .description('print a new payload encryption key line for PIPEWATCH_CODEC_KEYS (put it first to rotate; keep old keys after it)')
  .action(async () => {
    const { newKeyLine } = await import('../workers/codec.js');
    process.stdout.write(`${newKeyLine()}\n`);
  });

program
  .command('codec-server')
  .description('serve /encode and /decode for the Temporal Web UI (--ui-codec-endpoint) and the temporal CLI (--codec-endpoint)')
  .option('--port <port>', 'port', '8888')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--origin <url...>', 'Web UI origins allowed to call it (CORS)', ['http://127.0.0.1:8233', 'http://localhost:8233'])
  .action(async (opts: { port: string; host: string; origin: string[] }) => {
    const { AesGcmCodec, codecKeys } = await import('../workers/codec.js');
    const { startCodecServer } = await import('../workers/codec-server.js');
    const keys = codecKeys();
    if (!keys) throw new CliError('no keys: set PIPEWATCH_CODEC_KEYS or PIPEWATCH_CODEC_KEY_FILE (generate one with: pipewatch codec-key)');
    const server = await startCodecServer({ codec: new AesGcmCodec(keys), port: Number(opts.port), host: opts.host, origins: opts.origin, token: process.env.PIPEWATCH_CODEC_TOKEN });
    process.stdout.write(`codec server on ${server.url} for ${opts.origin.join(', ')}${process.env.PIPEWATCH_CODEC_TOKEN ? ' (bearer token required)' : ''}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.stop();
  });

program
  .command('schema')
  .description('print the JSON Schema of the configuration file (for editor completion)')
  .action(async () => {
    const { configJsonSchemaText } = await import('../config/json-schema.js');
    process.stdout.write(configJsonSchemaText());
  });

// ---------------------------------------------------------------------- main

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
