// The one definition of pipewatch.yaml. Loading (load.ts), the generated JSON
// Schema (schema/pipewatch.schema.json) and every type used downstream come
// from here, so the file format, the editor completion and the code cannot
// drift apart. This file holds the top level and composes the parts:
// schema-fields.ts (ids, durations, secrets), schema-checks.ts (connectors and
// checks, one folder per connector under connectors/), schema-monitors.ts
// (monitors, rules, schedules, pipelines), schema-routing.ts (routing and
// incidents), and the channels (one folder per channel under channels/).
import { z } from 'zod';
import { connector } from './schema-checks.js';
import { duration, id, secretRef } from './schema-fields.js';
import { flapSpec, monitor, pipelineSpec, scheduleSpec } from './schema-monitors.js';
import { escalationPolicy, inhibitRule, maintenanceWindow, receiver, routing, timeInterval } from './schema-routing.js';
import { channel } from '../channels/schemas.js';

export * from './schema-fields.js';
export * from './schema-checks.js';
export * from './schema-monitors.js';
export * from './schema-routing.js';

// ------------------------------------------------------------------ channels

// One folder per channel (channels/<type>/schema.ts), composed in channels/schemas.ts.
export { channel, type ChannelSpec } from '../channels/schemas.js';

// ---------------------------------------------------------------- top level

export const deliverySpec = z.strictObject({
  fallback: id.optional().meta({ description: 'Channel told when another channel keeps failing.' }),
  fallbackAfter: duration
    .prefault('10m')
    .meta({ description: 'How long a channel may keep failing before the fallback channel is told.' }),
  retry: z
    .strictObject({
      initialInterval: duration.prefault('5s'),
      maximumInterval: duration.prefault('5m'),
    })
    .prefault({})
    .meta({
      description: 'A failed send is retried with exponential backoff between these bounds, until it succeeds.',
    }),
  timeout: duration
    .prefault('60s')
    .meta({ description: 'Longest one send attempt may take before it is abandoned and retried.' }),
});

export const pipewatchConfig = z.strictObject({
  version: z.literal(1, 'the only configuration version is 1'),
  project: id.default('default').meta({
    description:
      'Name of this set of monitors; sync only changes and deletes schedules of the same project, so several teams can share a namespace.',
  }),
  defaults: z
    .strictObject({
      schedule: scheduleSpec.optional(),
      flap: flapSpec.default({ failAfter: 3, resolveAfter: 2 }),
      notify: z.array(id).default([]),
    })
    .prefault({}),
  notifications: deliverySpec.prefault({}),
  routing,
  receivers: z.record(id, receiver).default({}),
  escalations: z.record(id, escalationPolicy).default({}),
  inhibit: z.array(inhibitRule).default([]),
  maintenance: z.array(maintenanceWindow).default([]),
  timeIntervals: z
    .record(
      id,
      z.array(timeInterval).min(1, 'a time interval needs at least one entry, e.g. - weekdays: [saturday, sunday]'),
    )
    .default({})
    .meta({
      description:
        "Named times (Alertmanager's time_intervals) that routes name in muteTimeIntervals or activeTimeIntervals.",
    }),
  selfMonitor: z
    .strictObject({
      enabled: z.boolean().default(true),
      every: duration.prefault('1m'),
      window: duration.prefault('5m').meta({
        description: 'Ticks counted over this span: an alert resolves once the window holds none skipped or late.',
      }),
      lateAfter: duration
        .prefault('10s')
        .meta({ description: 'A tick started later than this after its time counts as late.' }),
      severity: z.enum(['warning', 'critical']).default('critical'),
    })
    .prefault({})
    .meta({
      description:
        "The built-in monitor pipewatch-schedules: every `every`, it reads this project's schedules on Temporal and alerts (through the routing, like any monitor) when ticks were skipped, missed or started late in the window — a saturated Temporal server or stuck runs. Synced with the monitors; enabled: false leaves it out.",
    }),
  incidents: z
    .strictObject({
      reopenWindow: duration
        .prefault('10m')
        .meta({ description: 'A resolved incident that fires again this soon is reopened, not new.' }),
      acknowledgementExpiry: duration
        .optional()
        .meta({ description: 'Default lifetime of an acknowledgement; when it expires, escalation resumes.' }),
    })
    .prefault({}),
  silences: z
    .strictObject({
      announce: z
        .array(id)
        .default([])
        .meta({ description: 'Channels told about long silences and silences about to expire.' }),
      announceBefore: duration.prefault('15m'),
      longerThan: duration
        .prefault('24h')
        .meta({ description: 'A silence longer than this is announced when it is created.' }),
    })
    .prefault({}),
  connectors: z.record(id, connector).default({}),
  channels: z.record(id, channel).default({}),
  pipelines: z.record(id, pipelineSpec).default({}),
  interventions: z
    .strictObject({
      receiver: id.optional().meta({
        description:
          'Who is asked (a receiver: its channels, and its escalation policy while unanswered). Default: the routing root.',
      }),
      remindEvery: duration.prefault('30m'),
      deadline: duration.prefault('24h'),
      defaultAction: z
        .enum(['skip', 'abort', 'retry'])
        .default('skip')
        .meta({ description: 'What happens when nobody answered by the deadline.' }),
    })
    .prefault({})
    .meta({ description: 'Questions pipewatch asks operators: archive passwords, stalled stages.' }),
  archives: z
    .strictObject({
      sources: z
        .record(id, z.strictObject({ passwords: z.array(secretRef).default([]) }))
        .default({})
        .meta({ description: 'Known passwords per source, tried before anyone is asked.' }),
      maxEntries: z.int().min(1).default(10_000),
      maxBytes: z
        .int()
        .min(1)
        .default(1024 ** 3)
        .meta({ description: 'Largest total size after extraction.' }),
      maxRatio: z.number().min(1).default(200).meta({ description: 'Largest expansion of one entry (zip bombs).' }),
    })
    .prefault({}),
  heartbeat: z
    .strictObject({
      url: z.string().min(1).meta({
        description: 'Pinged while every monitor runs on time, e.g. a healthchecks.io check: "${HEARTBEAT_URL}".',
      }),
      failUrl: z.string().optional().meta({
        description: 'Pinged instead when monitors stopped running (default: no ping, which the receiver notices).',
      }),
      every: duration.prefault('1m'),
      staleAfter: z
        .number()
        .min(1)
        .default(2)
        .meta({ description: 'A monitor is stale when its last run is older than this many intervals.' }),
    })
    .optional()
    .meta({ description: "A dead-man's switch: proof, from outside, that pipewatch's schedules are running." }),
  sinks: z
    .strictObject({
      elasticsearch: z
        .strictObject({
          connector: id.meta({
            description:
              'An elasticsearch connector; its credentials need the index privileges create_doc and index on the index.',
          }),
          index: z
            .string()
            .regex(
              /^[a-z0-9][a-z0-9._-]{0,254}$/,
              'an Elasticsearch index name: lowercase letters, digits, ".", "_" and "-", not starting with "." "_" or "-"',
            )
            .default('pipewatch-results'),
        })
        .optional()
        .meta({
          description:
            'Every monitor run as an ECS document (@timestamp, event.*, pipewatch.monitor.*, pipeline, perspective, stage, value, status, labels), under the run id; stageCounts runs add one document per stage. For Kibana dashboards (docs/kibana/). A failed write is logged, never fails the run.',
        }),
    })
    .prefault({})
    .meta({ description: 'Where monitor results are copied besides the history store.' }),
  cadenceGroups: z
    .union([
      z.literal(false),
      z.strictObject({
        size: z
          .int()
          .min(2)
          .max(200)
          .default(50)
          .meta({ description: 'Monitors per group, on average (members are placed by a hash of their id).' }),
      }),
    ])
    .optional()
    .meta({
      description:
        'Runs monitors that share an "every" schedule in groups: one schedule and one workflow run per group and tick instead of one per monitor, for thousands of monitors on a small Temporal server (BENCHMARKS.md, "Scale"). Each monitor keeps its own points, state, alerts and incidents. Without this key pipewatch decides per interval: more than five runs a second on schedules of their own (over 300 monitors at 1m, 150 at 30s) runs in groups of about 50, fewer keep a schedule each. { size: N } groups every interval; false groups none. Left on schedules of their own: cron schedules, explicit offsets, stageCounts and logs checks, and monitors with schedule.own.',
    }),
  monitors: z.array(monitor).default([]),
});
export type PipewatchConfigRaw = z.infer<typeof pipewatchConfig>;
