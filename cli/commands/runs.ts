// `pipewatch runs <monitor>`: a monitor's latest runs and their verdicts in one step, whether it has a
// schedule of its own or runs in a cadence group — where it runs, the Temporal runs that checked it (with
// the verdict the history store recorded for it in each), and the list filter that finds them in the Web UI
// and with `temporal workflow list`.
import type { Command } from 'commander';
import type { LoadedConfig } from '../../config/load.js';
import { MEMBER_BYTES } from '../../config/groups.js';
import { withSelfMonitors } from '../../config/self-monitor.js';
import type { CadenceGroup } from '../../config/model.js';
import { formatValue } from '../../evaluation/rules.js';
import type { Unit } from '../../evaluation/types.js';
import { workflowUrl } from '../../ui/page.js';
import { fitting } from '../../workflows/group.js';
import { groupScheduleId, memberRunId, scheduleId } from '../../evaluation/ids.js';
import type { CliContext } from '../context.js';
import { CliError, table } from '../output.js';
import { openTemporal } from '../temporal.js';

/** Where a monitor runs, and the visibility query that finds the runs that checked it. */
export interface RunsWhere {
  monitorId: string;
  scheduleId: string;
  group?: { id: string; members: number };
  /** For `temporal workflow list -q` and the Web UI's list filter. */
  query: string;
}

const quoted = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * The query for a monitor's runs. A monitor of its own: its runs carry PipewatchMonitor. A group member:
 * PipewatchMembers, when its id is among those the group's runs carry (schedules/sync.ts keeps what fits
 * MEMBER_BYTES); otherwise, and for group runs started before PipewatchMembers existed, PipewatchGroup.
 * Runs from when it ran on its own stay in the answer either way (PipewatchMonitor). Incidents carry
 * PipewatchMonitor too, so each part names its workflow type.
 */
export function runsWhere(config: Pick<LoadedConfig, 'monitors' | 'groups'>, monitorId: string): RunsWhere {
  if (!config.monitors.some((m) => m.id === monitorId)) {
    throw new CliError(
      `no monitor "${monitorId}" in the configuration; declared: ${
        config.monitors
          .map((m) => m.id)
          .slice(0, 20)
          .join(', ') || '(none)'
      }`,
    );
  }
  const group: CadenceGroup | undefined = config.groups.find((g) => g.monitors.some((m) => m.id === monitorId));
  // By workflow type too: the monitor's incidents carry PipewatchMonitor as well.
  const own = `(WorkflowType = "monitorWorkflow" AND PipewatchMonitor = ${quoted(monitorId)})`;
  if (!group) return { monitorId, scheduleId: scheduleId(monitorId), query: own };
  const listed = fitting(
    group.monitors.map((m) => m.id),
    MEMBER_BYTES,
  ).includes(monitorId);
  const member = listed ? `PipewatchMembers = ${quoted(monitorId)}` : `PipewatchGroup = ${quoted(group.id)}`;
  return {
    monitorId,
    scheduleId: groupScheduleId(group.id),
    group: { id: group.id, members: group.monitors.length },
    query: `(WorkflowType = "monitorGroupWorkflow" AND ${member}) OR ${own}`,
  };
}

/** The Web UI's workflow list with this filter. */
export function webUiListUrl(temporalUi: string, namespace: string, query: string): string {
  return `${temporalUi.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

interface RunRow {
  workflowId: string;
  runStatus: string;
  startedAt?: string;
  url: string;
  verdict?: { status: string; value: number | null; unit?: Unit; reason: string; observedAt: string };
}

export function registerRunsCommand(program: Command, ctx: CliContext): void {
  program
    .command('runs <monitor>')
    .description(
      "a monitor's latest runs with their verdicts, also in a cadence group: where it runs, each run's Web UI link, and the list filter",
    )
    .option('-n, --limit <n>', 'runs to show', '10')
    .option(
      '--temporal-ui <url>',
      'Temporal Web UI for the links (default: $PIPEWATCH_TEMPORAL_UI_URL or http://127.0.0.1:8233)',
    )
    .option('--json', 'one JSON document on stdout')
    .action(async (monitorId: string, opts: { limit: string; temporalUi?: string; json?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new CliError(`--limit: a whole number of runs, at least 1 (got "${opts.limit}")`);
      const loaded = ctx.loadConfig();
      // The built-in self-monitor has runs to open too.
      const config = { ...loaded, monitors: withSelfMonitors(loaded) };
      const where = runsWhere(config, monitorId);
      const monitorUnit = config.monitors.find((m) => m.id === monitorId)?.unit;
      const { STATUS_PAGE_DEFAULTS } = await import('../../ui/index.js');
      const temporalUi = opts.temporalUi ?? process.env.PIPEWATCH_TEMPORAL_UI_URL ?? STATUS_PAGE_DEFAULTS.temporalUi;
      const { client, settings, close } = await openTemporal();
      const rows: RunRow[] = [];
      try {
        for await (const w of client.workflow.list({ query: where.query, pageSize: limit })) {
          rows.push({
            workflowId: w.workflowId,
            runStatus: w.status.name,
            startedAt: w.startTime?.toISOString(),
            url: workflowUrl(temporalUi, settings.namespace, w.workflowId),
          });
          if (rows.length >= limit) break;
        }
      } finally {
        await close().catch(() => undefined);
      }
      // Verdicts from the history store, keyed by the run id each check was recorded under.
      let storeNote: string | undefined;
      try {
        const { dataDir, openHistoryStore } = await import('../../store/open.js');
        const opened = await openHistoryStore({ dataDir: dataDir() });
        try {
          const points = new Map(
            (await opened.store.recentPoints(monitorId, Math.max(50, limit * 3))).map((p) => [p.runId, p]),
          );
          for (const r of rows) {
            const p =
              points.get(where.group ? memberRunId(r.workflowId, monitorId) : r.workflowId) ?? points.get(r.workflowId);
            if (p)
              r.verdict = {
                status: p.status,
                value: p.value,
                unit: monitorUnit,
                reason: p.reason,
                observedAt: p.observedAt,
              };
          }
        } finally {
          await opened.close();
        }
      } catch (err) {
        storeNote = `verdicts not shown: history store: ${(err as Error).message}`;
      }
      const listUrl = webUiListUrl(temporalUi, settings.namespace, where.query);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ ...where, webUi: listUrl, runs: rows, ...(storeNote ? { note: storeNote } : {}) }, null, 2)}\n`,
        );
        return;
      }
      const lines = [
        where.group
          ? `${monitorId} runs in cadence group ${where.group.id} (${where.group.members} monitors, schedule ${where.scheduleId})`
          : `${monitorId} runs on its own schedule ${where.scheduleId}`,
      ];
      const latest = rows[0];
      if (latest)
        lines.push(
          `latest: ${latest.verdict ? `${latest.verdict.status}: ${latest.verdict.reason}` : latest.runStatus.toLowerCase()} — ${latest.url}`,
        );
      else lines.push('no run found yet (is the schedule synced and a worker running?)');
      lines.push(`Web UI: ${listUrl}`, `temporal workflow list -q '${where.query}'`);
      if (rows.length) {
        lines.push(
          '',
          table([
            ['started', 'run', 'status', 'value', 'reason', 'workflow'],
            ...rows.map((r) => [
              r.startedAt?.replace('T', ' ').replace(/\.\d+Z$/, 'Z') ?? '',
              r.runStatus.toLowerCase(),
              r.verdict?.status ?? '-',
              r.verdict && r.verdict.value !== null ? formatValue(r.verdict.value, r.verdict.unit ?? 'count') : '',
              r.verdict?.reason ?? '',
              r.workflowId,
            ]),
          ]),
        );
      }
      if (storeNote) lines.push(storeNote);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
