// Running the example pipeline inside `pipewatch demo`: its tables, its queue,
// its activities for the worker, a small serving API (/health, /queue) for the
// services monitors, and the two Temporal Schedules that tick its stages.
import { createServer, type Server } from 'node:http';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { LoadedConfig } from '../config/load.js';
import { demoCollectWorkflow, demoEtlWorkflow, type DemoStageInput } from '../workflows/demo.js';
import { demoExtractedDir, demoLogDir } from './faults.js';
import { createDemoActivities, seedExamplePipeline, type DemoActivities } from './pipeline.js';
import { openDemoQueue, type DemoQueue } from './queue.js';

export const DEMO_SCHEDULE_PREFIX = 'pipewatch-demo/';
export const demoScheduleId = (taskQueue: string, stage: 'collect' | 'etl') =>
  `${DEMO_SCHEDULE_PREFIX}${taskQueue}/${stage}`;

export interface DemoOptions {
  dataDir: string;
  /** The example's database (the store's, by default). */
  url: string;
  /** RabbitMQ; without it, or when it does not answer, an in-process queue. */
  amqpUrl?: string;
  /** How often each stage runs. */
  everyMs: number;
  /** The serving API's port (0: any free port). */
  apiPort: number;
}

export interface RunningDemo {
  activities: DemoActivities;
  queue: DemoQueue;
  /** Why RabbitMQ is not used, when it is not. */
  queueFallbackReason?: string;
  apiUrl: string;
  /** Starts (or updates and unpauses) the stage schedules. */
  schedule(client: Client, taskQueue: string, config: LoadedConfig): Promise<string[]>;
  /** Pauses the stage schedules, so they wait for the next `pipewatch demo`. */
  pause(): Promise<void>;
  /** Releases the queue, the API and the pools. */
  stop(): Promise<void>;
}

/** The environment the example's config (examples/pipewatch.yaml) refers to. */
export function demoEnv(dataDir: string, apiUrl: string, amqpUrl: string | undefined): Record<string, string> {
  return {
    EXAMPLE_LOG_DIR: demoLogDir(dataDir),
    EXAMPLE_EXTRACTED_DIR: demoExtractedDir(dataDir),
    EXAMPLE_API_URL: apiUrl,
    ...(amqpUrl ? { EXAMPLE_AMQP_URL: amqpUrl } : {}),
  };
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  await seedExamplePipeline(options.url);
  const { queue, reason } = await openDemoQueue(options.amqpUrl);
  const made = createDemoActivities({ url: options.url, dataDir: options.dataDir, queue });

  // The serving layer's API: what the services monitors look at.
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/queue') {
      queue.status().then(
        (s) => reply(200, s),
        (err: Error) => reply(503, { error: `queue status unavailable: ${err.message}` }),
      );
    } else if (path === '/health') {
      made.servedRecently().then(
        (n) => reply(200, { status: 'UP', servedLast5m: n }),
        (err: Error) => reply(503, { status: 'DOWN', error: err.message }),
      );
    } else reply(404, { error: 'try /health or /queue' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.apiPort, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.apiPort}`;

  let scheduled: { client: Client; ids: string[] } | undefined;
  return {
    activities: made.activities,
    queue,
    queueFallbackReason: reason,
    apiUrl,
    async schedule(client, taskQueue, config) {
      const input: DemoStageInput = {
        maxPerRun: 200,
        intervention: {
          context: { pipeline: 'example' },
          receiver: config.raw.interventions.receiver ?? config.notification.routing.receiver,
          policy: config.notification,
          remindEveryMs: config.raw.interventions.remindEvery,
          deadlineMs: config.raw.interventions.deadline,
          defaultAction: config.raw.interventions.defaultAction,
        },
      };
      const stages: Array<['collect' | 'etl', typeof demoCollectWorkflow | typeof demoEtlWorkflow, unknown[]]> = [
        ['collect', demoCollectWorkflow, []],
        ['etl', demoEtlWorkflow, [input]],
      ];
      const ids: string[] = [];
      for (const [stage, workflowType, args] of stages) {
        const id = demoScheduleId(taskQueue, stage);
        const opts: ScheduleOptions = {
          scheduleId: id,
          spec: { intervals: [{ every: options.everyMs }] },
          action: { type: 'startWorkflow', workflowType, workflowId: id, taskQueue, args, workflowRunTimeout: '5m' },
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000 },
          // A first run now, so the monitors find fresh data from their first runs.
          state: { paused: false, triggerImmediately: true },
        };
        try {
          await client.schedule.create(opts);
        } catch (err) {
          if (!(err instanceof ScheduleAlreadyRunning)) throw err;
          const handle = client.schedule.getHandle(id);
          await handle.update(() => ({
            spec: opts.spec,
            action: opts.action,
            policies: opts.policies,
            state: { paused: false },
          }));
          // SKIP, as the schedule's own ticks: trigger() alone allows overlap, and after a restart a run still in
          // flight (or catching up) and the triggered one then consumed the queue at once.
          await handle.trigger(ScheduleOverlapPolicy.SKIP);
        }
        ids.push(id);
      }
      scheduled = { client, ids };
      return ids;
    },
    async pause() {
      if (scheduled) {
        for (const id of scheduled.ids) {
          await scheduled.client.schedule
            .getHandle(id)
            .pause('pipewatch demo stopped')
            .catch((err: Error) => {
              // With Ctrl-C the dev server may already be gone; the schedules then wait with it.
              if (!(err instanceof ScheduleNotFoundError))
                throw new Error(
                  `could not pause ${id} (${err.message}); it runs on until the next \`pipewatch demo\` or \`temporal schedule toggle --pause\``,
                );
            });
        }
      }
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await queue.close();
      await made.close();
    },
  };
}
