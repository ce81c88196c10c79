// `pipewatch schedules sync|list|pause|unpause|trigger`: the Temporal Schedules that run the declared
// monitors. sync creates, updates and deletes only the schedules this project owns (schedules/sync.ts).
import type { ScheduleHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { formatProblem } from '../../config/load.js';
import { scheduleId, SCHEDULE_PREFIX } from '../../evaluation/ids.js';
import { formatPlan } from '../../schedules/plan.js';
import type { CliContext } from '../context.js';
import { CliError, table } from '../output.js';
import { withTemporal } from '../temporal.js';

/** The monitor's own schedule; a member of a cadence group is told which schedule runs it. */
async function withSchedule(monitor: string, fn: (handle: ScheduleHandle) => Promise<void>) {
  await withTemporal(async ({ client }) => {
    const handle = client.schedule.getHandle(scheduleId(monitor));
    try {
      await handle.describe();
    } catch {
      // A member of a cadence group has no schedule of its own: say which one runs it.
      const { GROUP_SCHEDULE_PREFIX } = await import('../../evaluation/ids.js');
      for await (const s of client.schedule.list()) {
        const ids = (s.memo?.pipewatch as { monitorIds?: string[] } | undefined)?.monitorIds ?? [];
        if (s.scheduleId.startsWith(GROUP_SCHEDULE_PREFIX) && ids.includes(monitor)) {
          throw new CliError(
            `monitor ${monitor} runs in cadence group schedule ${s.scheduleId} with ${ids.length - 1} other monitor(s); act on that schedule with \`temporal schedule …\`, or give the monitor "schedule: { own: true }" and sync`,
          );
        }
      }
      throw new CliError(
        `no schedule ${scheduleId(monitor)}; run "pipewatch schedules sync" first, or check the monitor id`,
      );
    }
    await fn(handle);
  });
}

export function registerSchedulesCommands(program: Command, ctx: CliContext): void {
  const schedules = program.command('schedules').description('the Temporal Schedules that run the declared monitors');

  schedules
    .command('sync')
    .description(
      'create, update and delete schedules so they match the declared monitors (only schedules pipewatch owns)',
    )
    .option('--dry-run', 'print the plan and change nothing')
    .option('--no-env-check', 'do not require the referenced environment variables to be set here')
    .option('--strict', 'refuse to sync a file with warnings (lints), as validate --strict does')
    .option('--json', 'machine-readable output')
    .action(async (opts: { dryRun?: boolean; envCheck: boolean; json?: boolean; strict?: boolean }) => {
      // The same validation as `pipewatch validate`: errors refuse the file (nothing changes), lints are shown.
      const config = ctx.loadConfig({ envCheck: opts.envCheck });
      for (const w of config.warnings ?? []) process.stderr.write(`${formatProblem(w)}\n`);
      if (opts.strict && config.warnings?.length)
        throw new CliError(`${config.warnings.length} warning(s) above and --strict: nothing changed`);
      const { applyPlan, planFor, syncHeartbeat, syncReports } = await import('../../schedules/sync.js');
      await withTemporal(async ({ client, settings }) => {
        const target = { client, taskQueue: settings.taskQueue, project: config.raw.project };
        // The built-in self-monitor (config/self-monitor.ts) is synced with the declared ones.
        const { withSelfMonitors } = await import('../../config/self-monitor.js');
        const plan = await planFor(target, withSelfMonitors(config), config.groups);
        if (!opts.json)
          process.stdout.write(
            `${opts.dryRun ? 'plan (dry run, nothing changed)' : 'plan'} for project "${config.raw.project}" on ${settings.address}/${settings.namespace}:\n${formatPlan(plan)}\n`,
          );
        if (!opts.dryRun) {
          await applyPlan(target, plan, (step) => {
            if (!opts.json && step.action !== 'unchanged')
              process.stdout.write(`  done: ${step.action} ${step.scheduleId}\n`);
          });
        }
        const heartbeat = await syncHeartbeat(target, config, opts.dryRun);
        if (heartbeat && !opts.json) process.stdout.write(`  heartbeat: ${heartbeat}\n`);
        for (const line of await syncReports(target, config.reports, opts.dryRun))
          if (!opts.json) process.stdout.write(`  report: ${line}\n`);
        if (opts.dryRun && plan.conflicts.length > 0) {
          throw new CliError(
            plan.conflicts
              .map(
                (c) => `schedule ${c.scheduleId} is not owned by this project; monitor "${c.monitorId}" cannot take it`,
              )
              .join('\n'),
          );
        }
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ dryRun: Boolean(opts.dryRun), steps: plan.steps.map((s) => ({ action: s.action, scheduleId: s.scheduleId })), conflicts: plan.conflicts }, null, 2)}\n`,
          );
        }
      });
    });

  schedules
    .command('list')
    .description('list pipewatch schedules with their state and next run')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const { OWNER } = await import('../../schedules/sync.js');
      await withTemporal(async ({ client }) => {
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
        else if (rows.length === 0)
          process.stdout.write('no pipewatch schedules; create them with: pipewatch schedules sync\n');
        else {
          process.stdout.write(
            `${table([
              ['SCHEDULE', 'PROJECT', 'STATE', 'NEXT RUN', 'LAST RUN'],
              ...rows.map((r) => [
                String(r.scheduleId),
                String(r.project),
                r.paused ? `paused${r.note ? ` (${r.note})` : ''}` : 'active',
                String(r.nextRun),
                String(r.lastRun),
              ]),
            ])}\n`,
          );
        }
      });
    });

  schedules
    .command('pause <monitor>')
    .description("pause a monitor's schedule (sync keeps it paused)")
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
}
