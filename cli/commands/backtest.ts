// `pipewatch backtest <monitor>`: a monitor's rules and flap control replayed over past values (stored
// history, or for count checks re-collected from the source): when would it have fired and resolved?
import type { Command } from 'commander';
import { formatValue } from '../../evaluation/rules.js';
import type { Status } from '../../evaluation/types.js';
import { dataDir } from '../../store/open.js';
import { findMonitor, type CliContext } from '../context.js';
import { CliError, EXIT, table } from '../output.js';

export function registerBacktestCommand(program: Command, ctx: CliContext): void {
  program
    .command('backtest <monitor>')
    .description("replay a monitor's rules and flap control over past values: when would it have fired and resolved?")
    .option('--from <time>', 'start: an ISO time, or a duration ago such as 7d', '7d')
    .option('--to <time>', 'end: an ISO time (default now)')
    .option(
      '--recollect',
      'count checks: query the source for every bucket in the range instead of using stored history',
    )
    .option('--all', 'print every point, not only the failing ones and the transitions')
    .option('--json', 'machine-readable output')
    .action(
      async (id: string, opts: { from: string; to?: string; recollect?: boolean; all?: boolean; json?: boolean }) => {
        const config = ctx.loadConfig({ envCheck: Boolean(opts.recollect) });
        const monitor = findMonitor(config, id);
        // Stored runs hold one value per monitor: a promql check per series, or one judged on Prometheus' own
        // points, would replay differently from how it runs.
        if (monitor.check.type === 'promql' && (monitor.check.series === 'each' || monitor.check.range))
          throw new CliError(
            `${monitor.id} judges ${monitor.check.series === 'each' ? 'each series on its own' : "Prometheus' points over its range"}, and stored history holds one value per run: query the past in Prometheus instead (its graph, or query_range over the period)`,
            EXIT.usage,
          );
        const { parseDuration } = await import('../../config/duration.js');
        const time = (text: string, flag: string) => {
          const ago = parseDuration(text);
          const t = ago !== undefined ? Date.now() - ago : Date.parse(text);
          if (Number.isNaN(t))
            throw new CliError(`${flag} "${text}" is neither an ISO time nor a duration such as 7d`, EXIT.usage);
          return new Date(t);
        };
        const from = time(opts.from, '--from');
        const to = opts.to ? time(opts.to, '--to') : new Date();
        if (from >= to) throw new CliError('--from must be before --to', EXIT.usage);

        const { backtest, warmupMs } = await import('../../evaluation/backtest.js');
        const { describeCheck, toleranceMs } = await import('../../evaluation/check.js');
        // History before --from warms baselines and flap state as a live run's would be; it makes no steps.
        const warmFrom = new Date(from.getTime() - warmupMs(monitor.rules, toleranceMs(monitor), !opts.recollect));
        let points: Array<{ observedAt: string; value: number | null; error?: boolean; status?: Status }>;
        let source: string;
        if (opts.recollect) {
          const check = monitor.check;
          if (check.type !== 'count')
            throw new CliError(
              `--recollect works for count checks; ${monitor.id} is a ${check.type} check (use its stored history)`,
              EXIT.usage,
            );
          const bucket = check.bucket ?? check.window!;
          const { connectorCache } = await import('../../connectors/registry.js');
          const cache = connectorCache();
          try {
            const aligned = new Date(Math.floor(warmFrom.getTime() / bucket) * bucket);
            const { recordStore } = await import('../../connectors/types.js');
            const store = recordStore(cache.get(monitor.connector!).value, `connector ${monitor.connector!.id}`);
            points = (await store.series(check, { from: aligned, to }, bucket)).map((p) => ({
              observedAt: p.at,
              value: p.value,
            }));
          } finally {
            await cache.closeAll();
          }
          source = `re-collected from connector ${monitor.connector!.id}`;
        } else {
          const { openHistoryStore } = await import('../../store/open.js');
          const opened = await openHistoryStore({ dataDir: dataDir() });
          try {
            points = (await opened.store.pointsBetween(monitor.id, warmFrom, to)).map((p) => ({
              observedAt: p.observedAt,
              value: p.value,
              error: p.status === 'error',
              status: p.status,
            }));
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
          process.stdout.write(
            `${JSON.stringify({ monitor: monitor.id, from: from.toISOString(), to: to.toISOString(), source, points: points.length - warm, warmup: warm, ...result }, null, 2)}\n`,
          );
          return;
        }
        process.stdout.write(
          `backtest of ${monitor.id} from ${from.toISOString()} to ${to.toISOString()}: ${points.length - warm} point(s), ${source}, warmed by ${warm} earlier point(s)\n`,
        );
        const shown = result.steps.filter((st) => opts.all || st.status !== 'ok' || st.transition !== 'none');
        if (shown.length > 0) {
          process.stdout.write(
            `${table([
              ['TIME', 'VALUE', 'STATUS', 'TRANSITION', 'REASON'],
              ...shown.map((st) => [
                st.observedAt,
                st.value === null ? '-' : formatValue(st.value, monitor.unit),
                st.status,
                st.transition === 'none' ? '' : st.transition,
                st.reason,
              ]),
            ])}\n`,
          );
        }
        if (result.incidents.length === 0) process.stdout.write('it would not have opened an incident\n');
        else {
          process.stdout.write(`it would have opened ${result.incidents.length} incident(s):\n`);
          for (const i of result.incidents)
            process.stdout.write(
              `  ${i.openBeforeRange ? `before ${i.openedAt}` : i.openedAt} → ${i.resolvedAt ?? 'still open at the end'} (worst: ${i.worst})\n`,
            );
        }
      },
    );
}
