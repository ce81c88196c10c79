// `pipewatch incidents …` and `pipewatch silence …`: the operator's side of
// incidents (Temporal Updates and queries on the incident workflows) and of
// silences (Updates on the pipewatch-silences workflow).
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.js';
import type { LoadedConfig } from '../../config/load.js';
import { formatMatcher } from '../../evaluation/matchers.js';
import { silenceActive } from '../../evaluation/muting.js';
import { silenceRequestProblem } from '../../evaluation/silence-rules.js';
import { formatValue } from '../../evaluation/rules.js';
import type { IncidentSnapshot } from '../../workflows/incident.js';
import {
  addSilenceUpdate,
  expireSilenceUpdate,
  silencesWorkflow,
  silencesWorkflowId,
  type AddSilenceRequest,
  type SilenceAnnouncements,
} from '../../workflows/silences.js';
import type { CliContext } from '../context.js';
import { CliError, table } from '../output.js';
import { openTemporal } from '../temporal.js';

const out = (line = '') => process.stdout.write(`${line}\n`);
// The Temporal client and the incident workflow's module load only when a command runs, so `--help` stays quick.
const sdk = () => import('@temporalio/client');
const incidentMessages = () => import('../../workflows/incident.js');

/** The loaded config when one is available (silence announcements use it). */
function configIfAny(ctx: CliContext): LoadedConfig | undefined {
  try {
    return ctx.loadConfig({ envCheck: false });
  } catch {
    return undefined;
  }
}

function durationOption(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new CliError(`${flag} "${text}" is not a duration; write it like 30m, 2h or 1d`, 2);
  return ms;
}

/** An incident id, or a monitor id with exactly one open incident. */
async function resolveIncidentId(client: Client, ref: string): Promise<string> {
  if (ref.startsWith('pipewatch-incident/')) return ref;
  const found: string[] = [];
  const query = `WorkflowType = "incidentWorkflow" AND ExecutionStatus = "Running" AND PipewatchMonitor = "${ref.replace(/"/g, '')}"`;
  for await (const w of client.workflow.list({ query })) found.push(w.workflowId);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new CliError(`no open incident "${ref}"; list them with: pipewatch incidents list`);
  throw new CliError(`monitor ${ref} is in ${found.length} open incidents; name one:\n  ${found.join('\n  ')}`);
}

async function withIncident<T>(ref: string, fn: (client: Client, id: string) => Promise<T>): Promise<T> {
  const { WorkflowNotFoundError, WorkflowUpdateFailedError } = await sdk();
  const { client, close } = await openTemporal();
  try {
    const id = await resolveIncidentId(client, ref);
    try {
      return await fn(client, id);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new CliError(`no incident ${id}`);
      if (err instanceof WorkflowUpdateFailedError) throw new CliError(err.cause?.message ?? err.message);
      throw err;
    }
  } finally {
    await close();
  }
}

function printSnapshot(s: IncidentSnapshot): void {
  out(`${s.incidentId}`);
  out(`  state      ${s.state}${s.status !== 'ok' ? ` (${s.status})` : ''}`);
  out(
    `  receiver   ${s.receiver}${
      Object.keys(s.groupLabels).length
        ? `  group ${Object.entries(s.groupLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`
        : ''
    }`,
  );
  if (s.openedAt) out(`  opened     ${s.openedAt}${s.reopened ? ` (reopened ${s.reopened}×)` : ''}`);
  if (s.resolvedAt) out(`  resolved   ${s.resolvedAt}${s.resolvedBy ? ` by ${s.resolvedBy}` : ''}`);
  if (s.acknowledged)
    out(
      `  acked      by ${s.acknowledged.by} at ${s.acknowledged.at}${s.acknowledged.until ? ` until ${s.acknowledged.until}` : ''}${s.acknowledged.note ? `: ${s.acknowledged.note}` : ''}`,
    );
  if (s.escalation) {
    const next = s.escalation.nextStep;
    out(
      `  escalation ${s.escalation.policy}: ${s.escalation.stepsDone}/${s.escalation.stepsTotal} steps done${next ? `; next: step ${next.step} (round ${next.round}) to ${next.notify.join(', ')} at ${next.at}` : ''}`,
    );
  }
  out(`  messages   ${s.notificationsSent} sent${s.lastNotifiedAt ? `, last at ${s.lastNotifiedAt}` : ''}`);
  out('  alerts');
  for (const line of alertTree(s)) out(`    ${line}`);
}

/**
 * The alerts of an incident, one line each; a correlated incident's as a tree: each probable cause,
 * its symptoms under it, then any alert outside the causes' trees (resolved ones).
 */
export function alertTree(s: Pick<IncidentSnapshot, 'alerts' | 'muted' | 'correlation'>): string[] {
  const line = (a: IncidentSnapshot['alerts'][number]) => {
    const value = a.verdict.value === undefined ? '' : ` (${formatValue(a.verdict.value, a.verdict.unit)})`;
    return `${a.firing ? '●' : '○'} ${a.monitor.id} ${a.status}${value}: ${a.verdict.reason}${s.muted[a.monitor.id] ? ` [muted: ${s.muted[a.monitor.id]!.kind}]` : ''}`;
  };
  const byId = new Map(s.alerts.map((a) => [a.monitor.id, a]));
  const shown = new Set<string>();
  const lines: string[] = [];
  for (const c of s.correlation?.causes ?? []) {
    const cause = byId.get(c.cause);
    if (!cause) continue;
    shown.add(c.cause);
    lines.push(
      `probable cause: ${line(cause)}${cause.monitor.node?.stage ? ` [stage ${cause.monitor.node.stage}, ${cause.monitor.perspective}]` : ''}`,
    );
    const downstream = c.downstream.flatMap((d) => (byId.has(d) ? [byId.get(d)!] : []));
    downstream.forEach((d, i) => {
      shown.add(d.monitor.id);
      lines.push(`  ${i === downstream.length - 1 ? '└─' : '├─'} ${line(d)}`);
    });
  }
  for (const a of s.alerts) if (!shown.has(a.monitor.id)) lines.push(line(a));
  return lines;
}

export function registerIncidentCommands(program: Command, ctx: CliContext): void {
  const incidents = program.command('incidents').description('open incidents: list, show, acknowledge, resolve');

  incidents
    .command('list')
    .description('incidents that are open (firing, acknowledged, or resolved within their reopen window)')
    .option('--all', 'include closed incidents')
    .option('--json', 'machine-readable output')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { client, close } = await openTemporal();
      try {
        const query = `WorkflowType = "incidentWorkflow"${opts.all ? '' : ' AND ExecutionStatus = "Running"'}`;
        const rows: Array<Record<string, string>> = [];
        for await (const w of client.workflow.list({ query })) {
          const sa = w.typedSearchAttributes;
          const get = (name: string) => String(sa.getAll().find((p) => p.key.name === name)?.value ?? '');
          rows.push({
            incidentId: w.workflowId,
            state: w.status.name === 'RUNNING' ? get('PipewatchIncidentState') : 'closed',
            status: get('PipewatchStatus'),
            monitor: get('PipewatchMonitor'),
            started: w.startTime.toISOString(),
          });
        }
        if (opts.json) out(JSON.stringify(rows, null, 2));
        else if (rows.length === 0) out('no open incidents');
        else
          out(
            table([
              ['INCIDENT', 'STATE', 'STATUS', 'MONITOR', 'SINCE'],
              ...rows.map((r) => [r.incidentId!, r.state!, r.status!, r.monitor!, r.started!]),
            ]),
          );
      } finally {
        await close();
      }
    });

  incidents
    .command('show <incident>')
    .description(
      'what an incident is about, who acknowledged it, what escalation comes next (an incident id, or a monitor id)',
    )
    .option('--json', 'machine-readable output')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const { incidentStateQuery } = await incidentMessages();
      const snapshot = await withIncident(ref, (client, id) => client.workflow.getHandle(id).query(incidentStateQuery));
      if (opts.json) out(JSON.stringify(snapshot, null, 2));
      else printSnapshot(snapshot);
    });

  incidents
    .command('ack <incident>')
    .description('acknowledge: stops reminders and escalation (until --for runs out)')
    .requiredOption('--by <name>', 'who takes it')
    .option('--note <text>', 'what you are doing about it')
    .option('--for <duration>', 'the acknowledgement expires after this (e.g. 2h); then escalation resumes')
    .action(async (ref: string, opts: { by: string; note?: string; for?: string }) => {
      const forMs = durationOption(opts.for, '--for');
      const { acknowledgeUpdate } = await incidentMessages();
      const snapshot = await withIncident(ref, (client, id) =>
        client.workflow
          .getHandle(id)
          .executeUpdate(acknowledgeUpdate, { args: [{ by: opts.by, note: opts.note, forMs }] }),
      );
      out(
        `acknowledged ${snapshot.incidentId} as ${opts.by}${snapshot.acknowledged?.until ? ` until ${snapshot.acknowledged.until}` : ''}`,
      );
    });

  incidents
    .command('resolve <incident>')
    .description(
      'resolve by hand: sends the resolved message; a monitor that still fails opens a new incident after its failAfter runs',
    )
    .requiredOption('--by <name>', 'who resolves it')
    .option('--note <text>', 'why')
    .action(async (ref: string, opts: { by: string; note?: string }) => {
      const { resolveUpdate } = await incidentMessages();
      const snapshot = await withIncident(ref, (client, id) =>
        client.workflow.getHandle(id).executeUpdate(resolveUpdate, { args: [{ by: opts.by, note: opts.note }] }),
      );
      out(`resolved ${snapshot.incidentId} at ${snapshot.resolvedAt}`);
    });

  const silence = program
    .command('silence')
    .description('silences: hold back alerts that match, for a while, with an owner and a reason');

  silence
    .command('add')
    .description('add a silence (it ends by itself; announced before it ends)')
    .requiredOption(
      '--match <matcher...>',
      "label matchers, all must match (Alertmanager's syntax): 'pipeline = intel' 'severity =~ \"warning|critical\"' or '{team=\"lake\", env!~\"dev.*\"}'",
    )
    .requiredOption('--for <duration>', 'how long, e.g. 2h')
    .requiredOption('--by <name>', 'who silences')
    .requiredOption('--reason <text>', 'why, for whoever wonders where the alerts went')
    .option('--starts <time>', 'ISO time it starts (default now)')
    .action(async (opts: { match: string[]; for: string; by: string; reason: string; starts?: string }) => {
      const durationMs = durationOption(opts.for, '--for')!;
      const config = configIfAny(ctx);
      const policy = config?.monitors[0]?.notification;
      const announcements: SilenceAnnouncements = {
        channels: (config?.raw.silences.announce ?? []).flatMap((id) =>
          policy?.channels[id] ? [policy.channels[id]!] : [],
        ),
        announceBeforeMs: config?.raw.silences.announceBefore ?? 15 * 60_000,
        longerThanMs: config?.raw.silences.longerThan ?? 24 * 3_600_000,
        delivery: policy?.delivery ?? {
          initialIntervalMs: 5_000,
          maximumIntervalMs: 300_000,
          timeoutMs: 60_000,
          fallbackAfterMs: 600_000,
        },
      };
      const request: AddSilenceRequest = {
        matchers: opts.match,
        durationMs,
        startsAt: opts.starts,
        createdBy: opts.by,
        reason: opts.reason,
        announcements,
      };
      // Refused here before anything is contacted; the workflow's validator checks the same for other clients.
      const problem = silenceRequestProblem(request);
      if (problem) throw new CliError(problem, 2);
      const { WithStartWorkflowOperation, WorkflowUpdateFailedError } = await sdk();
      const { client, taskQueue, close } = await openTemporal();
      try {
        const created = await client.workflow
          .executeUpdateWithStart(addSilenceUpdate, {
            args: [request],
            startWorkflowOperation: new WithStartWorkflowOperation(silencesWorkflow, {
              workflowId: silencesWorkflowId(taskQueue),
              taskQueue,
              args: [],
              workflowIdConflictPolicy: 'USE_EXISTING',
            }),
          })
          .catch((err: unknown) => {
            if (err instanceof WorkflowUpdateFailedError) throw new CliError(err.cause?.message ?? err.message);
            throw err;
          });
        out(`silence ${created.id} added: ${created.matchers.map(formatMatcher).join(', ')} until ${created.endsAt}`);
      } finally {
        await close();
      }
    });

  silence
    .command('list')
    .description('silences that are active or coming, and those that ended in the last week with --all')
    .option('--all', 'include ended silences')
    .option('--json', 'machine-readable output')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { client, taskQueue, close } = await openTemporal();
      try {
        const { readSilences } = await import('../../activities/index.js');
        const now = Date.now();
        const rows = (await readSilences(client, taskQueue)).filter(
          (s) => opts.all || (!s.expiredAt && Date.parse(s.endsAt) > now),
        );
        if (opts.json) out(JSON.stringify(rows, null, 2));
        else if (rows.length === 0) out('no silences');
        else
          out(
            table([
              ['ID', 'STATE', 'MATCHERS', 'UNTIL', 'BY', 'REASON'],
              ...rows.map((s) => [
                s.id,
                s.expiredAt
                  ? 'expired'
                  : silenceActive(s, now)
                    ? 'active'
                    : Date.parse(s.startsAt) > now
                      ? 'pending'
                      : 'ended',
                s.matchers.map(formatMatcher).join(', '),
                s.endsAt,
                s.createdBy,
                s.reason,
              ]),
            ]),
          );
      } finally {
        await close();
      }
    });

  silence
    .command('expire <id>')
    .description('end a silence now')
    .requiredOption('--by <name>', 'who ends it')
    .action(async (id: string, opts: { by: string }) => {
      const { WorkflowNotFoundError, WorkflowUpdateFailedError } = await sdk();
      const { client, taskQueue, close } = await openTemporal();
      try {
        const ended = await client.workflow
          .getHandle(silencesWorkflowId(taskQueue))
          .executeUpdate(expireSilenceUpdate, { args: [{ id, by: opts.by }] })
          .catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError)
              throw new CliError(`no silence ${id}: no silences have been created`);
            if (err instanceof WorkflowUpdateFailedError) throw new CliError(err.cause?.message ?? err.message);
            throw err;
          });
        out(`silence ${ended.id} expired by ${opts.by}`);
      } finally {
        await close();
      }
    });
}
