// Two of doctor's findings that need more than one look (issue 20):
// - workers: alive is judged by how recently each polled, not by whether the server still lists it (it does for
//   about 75 s after a worker dies). A poll within FRESH_POLL_S is alive. An older last poll is either a worker
//   idle in a long poll (up to a minute) or a dead one: tasks waiting longer than that poll say dead; otherwise a
//   query to a recent closed run (any worker replays it to answer) settles it within PROBE_TIMEOUT_MS.
// - saturation: the self-monitor's figures (evaluation/saturation.ts) — ticks skipped, missed or late in its window.
import type { Client } from '@temporalio/client';
import { formatDuration } from '../config/duration.js';
import type { LoadedConfig } from '../config/load.js';
import { isSelfMonitorId, selfMonitorId } from '../config/self-monitor.js';
import {
  counterKey,
  judgeSaturation,
  saturationSummary,
  ticksNotOnTime,
  type EarlierCounters,
} from '../evaluation/saturation.js';
import { readQueueBacklog, readScheduleHealth } from '../schedules/health.js';
import type { HistoryStore } from '../store/history.js';
import type { TemporalSettings } from '../workers/connection.js';

/** A worker that polled this recently is alive: a busy one polls again as soon as it takes a task. */
export const FRESH_POLL_S = 10;
/** How long a worker's long poll may wait before the server answers it empty, plus a margin. */
export const LONG_POLL_S = 75;
export const PROBE_TIMEOUT_MS = 5_000;

export interface PollerSeen {
  identity: string;
  /** Seconds since its last poll. */
  ageSeconds: number;
}

export interface WorkerJudgement {
  ok: boolean;
  message: string;
  /** Whether a query should settle it (no fresh poll, no waiting task to say dead). */
  probe?: boolean;
}

/** The judgement from the pollers and the queue's backlog alone (pure). */
export function judgePollers(
  taskQueue: string,
  pollers: PollerSeen[],
  backlog: { count: number; ageSeconds: number },
): WorkerJudgement {
  const listed = pollers.filter((p) => p.ageSeconds < LONG_POLL_S);
  if (listed.length === 0)
    return { ok: false, message: `no worker polls task queue "${taskQueue}": start one with pipewatch worker` };
  const newest = Math.min(...listed.map((p) => p.ageSeconds));
  const names = listed
    .sort((a, b) => a.ageSeconds - b.ageSeconds)
    .map((p) => `${p.identity} (last poll ${Math.round(p.ageSeconds)} s ago)`)
    .join(', ');
  if (newest <= FRESH_POLL_S)
    return { ok: true, message: `${listed.length} worker(s) polling task queue "${taskQueue}": ${names}` };
  // Tasks have waited longer than the newest poll is old: a live worker would have taken them.
  if (backlog.count > 0 && backlog.ageSeconds > FRESH_POLL_S) {
    return {
      ok: false,
      message: `no worker has polled task queue "${taskQueue}" for ${Math.round(newest)} s while ${backlog.count} task(s) wait (oldest ${Math.round(backlog.ageSeconds)} s): the worker(s) stopped or are stuck — ${names}`,
    };
  }
  return { ok: true, message: `idle: ${names}`, probe: true };
}

const seconds = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number((t.seconds as { toString(): string } | undefined)?.toString() ?? 0) + (t.nanos ?? 0) / 1e9 : 0;

/** The workers of pipewatch's task queue: their polls, the backlog, and a query when in doubt. */
export async function judgeWorkers(
  client: Client,
  settings: Pick<TemporalSettings, 'namespace' | 'taskQueue'>,
): Promise<WorkerJudgement> {
  const describe = (taskQueueType: 1 | 2) =>
    client.workflowService.describeTaskQueue({
      namespace: settings.namespace,
      taskQueue: { name: settings.taskQueue, kind: 1 },
      taskQueueType,
      reportStats: true,
    } as never);
  const [wf, act] = await Promise.all([describe(1), describe(2)]);
  const now = Date.now() / 1000;
  const last = new Map<string, number>();
  for (const p of [...(wf.pollers ?? []), ...(act.pollers ?? [])]) {
    const at = seconds(p.lastAccessTime);
    last.set(p.identity ?? '?', Math.max(last.get(p.identity ?? '?') ?? 0, at));
  }
  type Stats = {
    stats?: {
      approximateBacklogCount?: { toString(): string } | number;
      approximateBacklogAge?: { seconds?: unknown; nanos?: number };
    };
  };
  const backlogOf = (r: unknown) => {
    const st = (r as Stats).stats;
    return {
      count: Number(st?.approximateBacklogCount?.toString() ?? 0),
      ageSeconds: seconds(st?.approximateBacklogAge),
    };
  };
  const [b1, b2] = [backlogOf(wf), backlogOf(act)];
  const verdict = judgePollers(
    settings.taskQueue,
    [...last].map(([identity, at]) => ({ identity, ageSeconds: Math.max(0, now - at) })),
    { count: b1.count + b2.count, ageSeconds: Math.max(b1.ageSeconds, b2.ageSeconds) },
  );
  if (!verdict.probe) return verdict;
  // A query to a closed run reaches a worker, which replays the run to answer it (here: "no such query").
  let target: { workflowId: string; runId: string } | undefined;
  for await (const w of client.workflow.list({
    query: `TaskQueue = "${settings.taskQueue}" AND ExecutionStatus != "Running"`,
    pageSize: 1,
  })) {
    target = { workflowId: w.workflowId, runId: w.runId };
    break;
  }
  if (!target) return { ok: true, message: `${verdict.message}; no run yet to ask, so not confirmed` };
  try {
    await client.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
      client.workflow.getHandle(target!.workflowId, target!.runId).query('pipewatch.doctor.alive'),
    );
    return { ok: true, message: `${verdict.message}; a worker answered a query` };
  } catch (err) {
    const e = err as Error & { code?: number; cause?: { code?: number } };
    const timedOut = e.code === 4 || e.cause?.code === 4 || /deadline|timed? ?out/i.test(`${e.name} ${e.message}`);
    if (!timedOut) return { ok: true, message: `${verdict.message}; a worker answered a query` };
    return {
      ok: false,
      message: `${verdict.message}; no worker answered a query within ${formatDuration(PROBE_TIMEOUT_MS)}: the worker(s) stopped or are stuck`,
    };
  }
}

/**
 * Ticks of this project's schedules skipped, missed or late over the self-monitor's window, with the figures.
 * Counter samples are the self-monitor's own (the store's counter_samples under its id), so doctor reports what
 * it would; a doctor sample adds one more point inside the window and changes none of its answers.
 */
export async function judgeSchedules(
  client: Client,
  config: Pick<LoadedConfig, 'raw' | 'selfMonitors'>,
  options: { store?: HistoryStore; now?: Date; taskQueue?: string } = {},
): Promise<{ ok: boolean; message: string }> {
  const now = options.now ?? new Date();
  const self = config.selfMonitors?.find((m) => isSelfMonitorId(m.id));
  const selfId = selfMonitorId(config.raw.project);
  const check = self?.check.type === 'schedules' ? self.check : { window: 300_000, lateAfter: 10_000 };
  const readings = await readScheduleHealth(client, config.raw.project);
  let earlier: EarlierCounters = new Map();
  let noStore = '';
  const samples = readings.flatMap((r) => [
    { key: counterKey(r.scheduleId, 'skipped'), value: r.skippedOverlap },
    { key: counterKey(r.scheduleId, 'missed'), value: r.missedCatchupWindow },
  ]);
  try {
    if (options.store) earlier = await options.store.sampleCounters(selfId, samples, now, check.window);
    else {
      const { dataDir, openHistoryStore } = await import('../store/open.js');
      const opened = await openHistoryStore({ dataDir: dataDir() });
      try {
        earlier = await opened.store.sampleCounters(selfId, samples, now, check.window);
      } finally {
        await opened.close();
      }
    }
  } catch (err) {
    noStore = ` (skipped ticks not counted: history store: ${(err as Error).message})`;
  }
  const backlog = options.taskQueue
    ? await readQueueBacklog(client, client.options.namespace, options.taskQueue).catch(() => undefined)
    : undefined;
  const f = judgeSaturation(readings, earlier, now, check.window, check.lateAfter, backlog);
  const since = readings.reduce((n, r) => n + r.skippedOverlap + r.missedCatchupWindow, 0);
  const bad = ticksNotOnTime(f);
  const message = `last ${formatDuration(check.window)}: ${saturationSummary(f)}${f.worst.length ? ` — ${f.worst.join('; ')}` : ''}; ${since} skipped or missed since the schedules were made${
    f.unsampled ? `; ${f.unsampled} schedule(s) not sampled before (skips counted from the next look)` : ''
  }${noStore}${bad ? `: the Temporal server or the workers cannot keep up (fewer runs: cadence groups, docs/PRODUCTION.md "Capacity"), or runs outlast their interval` : ''}`;
  return { ok: bad === 0, message };
}
