// The temporal connector's part of pipewatch.yaml: the connector and its checks.
import { z } from 'zod';
import { duration, id } from '../../config/schema-fields.js';

export const temporalConnector = z
  .strictObject({ type: z.literal('temporal') })
  .meta({ description: "pipewatch's own Temporal service, reached with the worker's TEMPORAL_* settings." });

export const taskQueueCheck = z
  .strictObject({
    type: z.literal('taskQueue'),
    taskQueue: z.string().optional().meta({ description: "Default: pipewatch's own task queue." }),
    measure: z.enum(['pollers', 'backlog']),
  })
  .meta({ description: 'Workers polling a Temporal task queue, or its approximate backlog.' });

export const schedulesCheck = z
  .strictObject({
    type: z.literal('schedules'),
    window: duration.prefault('5m').meta({ description: 'Ticks counted over this span before now.' }),
    lateAfter: duration.prefault('10s').meta({
      description: "A tick started later than this after its time counts as late (the scheduler's start lag).",
    }),
    project: id.optional().meta({
      description:
        'Only the schedules of this pipewatch project (default: every schedule pipewatch made in the namespace).',
    }),
  })
  .meta({
    description:
      "pipewatch's own schedules on its Temporal service: ticks skipped (a run still open, overlap SKIP), missed (outside the catch-up window) or started late in the window. A saturated server shows here first; the built-in self-monitor (config selfMonitor) runs this check.",
  });

export const interventionsCheck = z
  .strictObject({ type: z.literal('interventions'), olderThan: duration.prefault('1h') })
  .meta({
    description:
      'Pipelines waiting on an operator for longer than olderThan; the value is how many, the details name them.',
  });
