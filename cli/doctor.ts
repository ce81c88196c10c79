// `pipewatch doctor`: what is wrong with this pipewatch, checked from outside
// the workflows — Temporal reachable, search attributes, workers polling (and
// alive: judged by how recently they polled, asked when in doubt), schedules in
// sync, their ticks skipped or late (the self-monitor's figures), each monitor
// running on time, the history store, connectors and channels. Every line says
// what it checked and what it found.
import { ScheduleNotFoundError, type Client, type ScheduleHandle } from '@temporalio/client';
import { formatDuration } from '../config/duration.js';
import type { LoadedConfig } from '../config/load.js';
import { redactSecrets } from '../config/env.js';
import { connectorCache } from '../connectors/registry.js';
import { channelCache } from '../channels/registry.js';
import { planFor } from '../schedules/sync.js';
import { dataDir, openHistoryStore } from '../store/open.js';
import type { TemporalSettings } from '../workers/connection.js';
import { groupScheduleId, scheduleId } from '../evaluation/ids.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { withSelfMonitors } from '../config/self-monitor.js';
import { judgeSchedules, judgeWorkers } from './doctor-checks.js';

export interface Finding {
  ok: boolean;
  area: string;
  message: string;
}

export async function doctor(
  config: LoadedConfig,
  settings: TemporalSettings,
  connect: () => Promise<Client>,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const note = (ok: boolean, area: string, message: string) => findings.push({ ok, area, message });
  note(true, 'config', `${config.file}: ${config.monitors.length} monitor(s), project "${config.raw.project}"`);

  let client: Client | undefined;
  try {
    client = await connect();
    await client.workflowService.getSystemInfo({});
    note(true, 'temporal', `reachable at ${settings.address}, namespace ${settings.namespace}`);
  } catch (err) {
    note(false, 'temporal', (err as Error).message);
  }

  if (client) {
    try {
      const existing = await client.connection.operatorService.listSearchAttributes({ namespace: settings.namespace });
      const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {}))).map(
        (k) => k.name,
      );
      note(
        missing.length === 0,
        'search attributes',
        missing.length ? `missing ${missing.join(', ')}: run pipewatch setup` : 'all registered',
      );
    } catch (err) {
      note(false, 'search attributes', `cannot list them: ${(err as Error).message}`);
    }

    try {
      const w = await judgeWorkers(client, settings);
      note(w.ok, 'workers', w.message);
    } catch (err) {
      note(false, 'workers', `cannot describe task queue ${settings.taskQueue}: ${(err as Error).message}`);
    }

    try {
      const plan = await planFor(
        { client, taskQueue: settings.taskQueue, project: config.raw.project },
        withSelfMonitors(config),
        config.groups,
      );
      const pending = plan.steps.filter((s) => s.action !== 'unchanged');
      note(
        pending.length === 0 && plan.conflicts.length === 0,
        'schedules',
        pending.length || plan.conflicts.length
          ? `not in sync with the config (${pending.map((s) => `${s.action} ${s.scheduleId}`).join(', ')}${plan.conflicts.length ? `; ${plan.conflicts.length} id conflict(s)` : ''}): run pipewatch schedules sync`
          : `${plan.steps.length} schedule(s) match the config`,
      );
    } catch (err) {
      note(false, 'schedules', (err as Error).message);
    }

    try {
      const s = await judgeSchedules(client, config, { taskQueue: settings.taskQueue });
      note(s.ok, 'saturation', s.message);
    } catch (err) {
      note(false, 'saturation', `cannot read the schedules: ${(err as Error).message}`);
    }

    const now = Date.now();
    const groupOf = new Map(
      config.groups.flatMap((g) => g.monitors.map((m) => [m.id, groupScheduleId(g.id)] as const)),
    );
    // A group's schedule once for all its members.
    const described = new Map<string, ReturnType<ScheduleHandle['describe']>>();
    const describeOnce = (id: string) => {
      if (!described.has(id)) described.set(id, client!.schedule.getHandle(id).describe());
      return described.get(id)!;
    };
    for (const monitor of withSelfMonitors(config)) {
      try {
        const d = await describeOnce(groupOf.get(monitor.id) ?? scheduleId(monitor.id));
        const last = d.info.recentActions.at(-1)?.takenAt.getTime();
        const every = monitor.schedule.everyMs;
        if (d.state.paused)
          note(false, `monitor ${monitor.id}`, `schedule paused${d.state.note ? `: ${d.state.note}` : ''}`);
        else if (every && last !== undefined && now - last > 2 * every)
          note(
            false,
            `monitor ${monitor.id}`,
            `last run ${formatDuration(now - last)} ago, expected every ${formatDuration(every)}`,
          );
        else
          note(
            true,
            `monitor ${monitor.id}`,
            last === undefined ? 'scheduled, not run yet' : `last run ${formatDuration(now - last)} ago`,
          );
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) note(false, `monitor ${monitor.id}`, (err as Error).message);
      }
    }
  }

  try {
    const opened = await openHistoryStore({ dataDir: dataDir() });
    note(
      true,
      'history store',
      opened.embedded
        ? `embedded, data in ${dataDir()}/store (started just for this check)`
        : 'reachable, migrations applied',
    );
    await opened.close();
  } catch (err) {
    note(false, 'history store', (err as Error).message);
  }

  const connectors = connectorCache();
  const seen = new Set<string>();
  for (const spec of config.monitors.flatMap((m) => [
    ...(m.connector ? [m.connector] : []),
    ...(m.stages ?? []).map((s) => s.connector),
  ])) {
    if (seen.has(spec.id)) continue;
    seen.add(spec.id);
    try {
      const live = connectors.get(spec);
      try {
        await live.value.ping();
        note(true, `connector ${spec.id}`, 'reachable');
      } catch (err) {
        note(false, `connector ${spec.id}`, redactSecrets((err as Error).message, live.secrets));
      }
    } catch (err) {
      note(false, `connector ${spec.id}`, (err as Error).message);
    }
  }
  await connectors.closeAll();

  const channels = channelCache();
  const policy = config.monitors[0]?.notification;
  for (const channel of Object.values(policy?.channels ?? {})) {
    try {
      const live = channels.get(channel);
      const verify = (live.value as { verify?: () => Promise<void> }).verify;
      if (!verify)
        note(true, `channel ${channel.id}`, `${channel.type}: settings resolve (not verifiable without sending)`);
      else {
        try {
          await verify.call(live.value);
          note(true, `channel ${channel.id}`, `${channel.type}: server accepts the connection`);
        } catch (err) {
          note(false, `channel ${channel.id}`, redactSecrets((err as Error).message, live.secrets));
        }
      }
    } catch (err) {
      note(false, `channel ${channel.id}`, (err as Error).message);
    }
  }
  await channels.closeAll();
  await client?.connection.close().catch(() => undefined);
  return findings;
}
