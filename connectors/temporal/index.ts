// pipewatch's own Temporal service: are workers polling its task queue, how
// much work waits there, and do its schedules' ticks run on time (schedules). Reached with the same TEMPORAL_* settings as the
// worker that runs the check.
import type { Client } from '@temporalio/client';
import type { Measurement } from '../../evaluation/types.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory } from '../types.js';
import { counterKey, judgeSaturation, saturationSummary, ticksNotOnTime } from '../../evaluation/saturation.js';
import { readQueueBacklog, readScheduleHealth, type KnownSchedules } from '../../schedules/health.js';

class TemporalConnector implements Connector {
  private client?: Promise<{ client: Client; namespace: string; taskQueue: string }>;
  /** Schedules as this worker last read them, by project: the list alone then vouches for most (schedules/health.ts). */
  private readonly known = new Map<string, KnownSchedules>();

  constructor(private readonly id: string) {}

  private connect() {
    this.client ??= (async () => {
      const { connectClient, temporalSettings } = await import('../../workers/connection.js');
      const settings = temporalSettings();
      return { client: await connectClient(settings), namespace: settings.namespace, taskQueue: settings.taskQueue };
    })();
    this.client.catch(() => (this.client = undefined));
    return this.client;
  }

  async collect({ check, at, store, monitorId }: CollectRequest): Promise<Measurement> {
    if (check.type !== 'taskQueue' && check.type !== 'interventions' && check.type !== 'schedules')
      throw new CollectError(`temporal connector "${this.id}" cannot run a ${check.type} check`);
    let c: Awaited<ReturnType<TemporalConnector['connect']>>;
    try {
      c = await this.connect();
    } catch (err) {
      throw new CollectError(`temporal connector "${this.id}": ${(err as Error).message}`);
    }
    if (check.type === 'schedules') {
      let readings;
      try {
        const project = check.project ?? '';
        if (!this.known.has(project)) this.known.set(project, new Map());
        readings = await readScheduleHealth(c.client, check.project, this.known.get(project));
      } catch (err) {
        throw new CollectError(`temporal connector "${this.id}": cannot read the schedules: ${(err as Error).message}`);
      }
      // Counters are cumulative: the store keeps samples over the window, so the increase is what happened in it.
      // Without a store (pipewatch run) only late starts are counted.
      const samples = readings.flatMap((r) => [
        { key: counterKey(r.scheduleId, 'skipped'), value: r.skippedOverlap },
        { key: counterKey(r.scheduleId, 'missed'), value: r.missedCatchupWindow },
      ]);
      const earlier = store && monitorId ? await store.sampleCounters(monitorId, samples, at, check.window) : new Map();
      // Pick-up lag: run tasks on this worker's task queue waiting for a worker (unknown when the server has no stats).
      const backlog = await readQueueBacklog(c.client, c.namespace, c.taskQueue).catch(() => undefined);
      const f = judgeSaturation(readings, earlier, at, check.window, check.lateAfter, backlog);
      return {
        value: ticksNotOnTime(f),
        unit: 'count',
        observedAt: at.toISOString(),
        details: {
          summary: saturationSummary(f),
          schedules: f.schedules,
          skippedOverlap: f.skipped,
          missedCatchupWindow: f.missedCatchup,
          lateStarts: f.late,
          starts: f.starts,
          lagP99Seconds: f.lagP99Seconds ?? null,
          lagMaxSeconds: f.lagMaxSeconds ?? null,
          worst: f.worst.join('; ') || null,
          unsampled: f.unsampled,
          pickupLagSeconds: f.pickupLagSeconds ?? null,
          waitingForWorker: f.waitingForWorker,
        },
      };
    }
    if (check.type === 'interventions') {
      const before = new Date(at.getTime() - check.olderThan).toISOString();
      const waiting: string[] = [];
      try {
        for await (const w of c.client.workflow.list({
          query: `WorkflowType = "interventionWorkflow" AND ExecutionStatus = "Running" AND StartTime < "${before}"`,
        })) {
          waiting.push(w.workflowId);
        }
      } catch (err) {
        throw new CollectError(`temporal connector "${this.id}": cannot list interventions: ${(err as Error).message}`);
      }
      return {
        value: waiting.length,
        unit: 'count',
        observedAt: at.toISOString(),
        details: { waitingLongest: waiting.slice(0, 10).join(', ') || null },
      };
    }
    const name = check.taskQueue ?? c.taskQueue;
    const describe = async (taskQueueType: 1 | 2) =>
      c.client.workflowService.describeTaskQueue({
        namespace: c.namespace,
        taskQueue: { name, kind: 1 },
        taskQueueType,
        reportStats: true,
      } as never);
    try {
      const [workflows, activities] = await Promise.all([describe(1), describe(2)]);
      const pollers = new Set([...(workflows.pollers ?? []), ...(activities.pollers ?? [])].map((p) => p.identity))
        .size;
      const backlog = (n: typeof workflows) =>
        Number(
          (n as unknown as { stats?: { approximateBacklogCount?: number | Long } }).stats?.approximateBacklogCount ?? 0,
        );
      const value = check.measure === 'pollers' ? pollers : backlog(workflows) + backlog(activities);
      return {
        value,
        unit: 'count',
        observedAt: at.toISOString(),
        details: {
          taskQueue: name,
          pollers,
          workflowBacklog: backlog(workflows),
          activityBacklog: backlog(activities),
        },
      };
    } catch (err) {
      throw new CollectError(
        `temporal connector "${this.id}": cannot describe task queue ${name}: ${(err as Error).message}`,
      );
    }
  }

  async ping(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await (await c.catch(() => undefined))?.client.connection.close().catch(() => undefined);
  }
}

type Long = { toNumber(): number };

export const temporalConnector: ConnectorFactory<'temporal'> = {
  type: 'temporal',
  create: (id) => new TemporalConnector(id),
};
