// Monitors in pipewatch.yaml: what one watches (its check: config/schema-checks.ts), when (its
// schedule), what counts as failing (its rules) and how it flaps; and the pipelines whose stages
// monitors compare, with their periodic reports.
import { z } from 'zod';
import { timeZoneProblem } from '../evaluation/cron.js';
import { sourceName } from '../connectors/shared/schema.js';
import { check } from './schema-checks.js';
import { duration, id, perspective, severity } from './schema-fields.js';
import { temporalCronProblem } from './temporal-cron.js';

// ----------------------------------------------------------------- pipelines

export const stage = z
  .strictObject({
    id,
    connector: id,
    dataset: sourceName,
    uniqueId: sourceName,
    timestamp: sourceName,
    expectedRatio: z.number().positive().optional().meta({
      description:
        'Records expected here per record of the previous stage (a filter: 0.8; a fan-out: 3). Without it, every id must arrive.',
    }),
    tolerance: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .meta({ description: 'Fraction of records this stage may lose (or miss the ratio by) without alerting.' }),
    normalise: z
      .array(z.enum(['lowercase', 'trim']))
      .default([])
      .meta({
        description: 'Applied to ids before counting and comparing, as the pipeline itself does (PostgreSQL stages).',
      }),
    runsOn: z.array(id).optional().meta({
      description:
        'Connectors this stage runs on besides its store (a queue, an API, a cluster): monitors on them belong to this stage in the pipeline graph (correlation).',
    }),
  })
  .meta({ description: 'Where one stage of a pipeline stores its records.' });

// --------------------------------------------------------------------- rules

/** A threshold: a number in the check's unit, or a duration ("15m") for checks measured in seconds. */
const threshold = z
  .union([z.number(), z.string()])
  .meta({ description: 'A number, or a duration such as "15m" for checks measured in seconds.' });

const direction = z.enum(['both', 'drop', 'spike']).meta({ description: 'Which moves count: drops, spikes, or both.' });

export const RULE_KINDS = [
  'above',
  'below',
  'equals',
  'outside',
  'changePercent',
  'changeVs',
  'anomaly',
  'rising',
  'percentile',
] as const;

export const rule = z
  .strictObject({
    above: threshold.optional(),
    below: threshold.optional(),
    equals: threshold.optional(),
    outside: z.tuple([threshold, threshold]).optional(),
    changePercent: z
      .number()
      .positive()
      .optional()
      .meta({ description: 'Fires when the value moved by more than this percentage since the previous run.' }),
    changeVs: z
      .strictObject({ baseline: z.enum(['yesterday', 'lastWeek']), percent: z.number().positive() })
      .optional()
      .meta({
        description: 'Fires when the value moved by more than percent against the same time yesterday or last week.',
      }),
    anomaly: z
      .strictObject({
        sensitivity: z
          .number()
          .positive()
          .default(3)
          .meta({ description: 'Robust z-score (distance from the median in MADs) that counts as anomalous.' }),
        training: duration.prefault('14d').meta({ description: 'How far back the baseline looks.' }),
        minHistory: z.int().min(1).default(4).meta({ description: 'Points the baseline needs before any verdict.' }),
        seasonality: z.enum(['none', 'hourOfDay', 'dayOfWeek']).default('none').meta({
          description: 'Compare only with points of the same hour of day, or the same hour of the same weekday.',
        }),
        minDeviation: z.number().min(0).default(5).meta({
          description: 'Moves smaller than this percentage of the median never count, however stable the history.',
        }),
      })
      .optional(),
    rising: z
      .int()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'Fires when the value rose this many runs in a row (a queue filling up).' }),
    percentile: z
      .strictObject({ p: z.number().min(1).max(100), over: duration, above: threshold })
      .optional()
      .meta({
        description:
          'Fires when the p-th percentile of the values over the window is above a limit, e.g. { p: 95, over: 1h, above: 800ms }.',
      }),
    direction: direction.default('both'),
    severity: severity.default('warning'),
    summary: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    const kinds = RULE_KINDS.filter((k) => r[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? `a rule needs one of ${RULE_KINDS.join(', ')}`
            : `a rule has exactly one of ${RULE_KINDS.join(', ')}; this one has ${kinds.join(' and ')}`,
      });
    }
  });
export type RuleSpec = z.infer<typeof rule>;

// ------------------------------------------------------------------ monitors

export const scheduleSpec = z
  .strictObject({
    every: duration.optional(),
    offset: duration.optional().meta({
      description:
        'Phase of an "every" schedule: it ticks at multiples of every since the epoch, plus this. Default: a whole number of seconds derived from the monitor id, so monitors of one interval do not all start on the same second.',
    }),
    cron: z.string().optional(),
    timezone: z.string().optional(),
    jitter: duration.optional(),
    catchupWindow: duration.prefault('5m'),
    own: z.boolean().optional().meta({
      description:
        'true keeps this monitor on a schedule of its own (its own workflow run per tick, its own pause and trigger) instead of running in its cadence group (config cadenceGroups, or the automatic rule for intervals with many monitors).',
    }),
  })
  .superRefine((s, ctx) => {
    if (s.offset !== undefined && (s.every === undefined || s.offset >= s.every)) {
      ctx.addIssue({
        code: 'custom',
        path: ['offset'],
        message:
          s.every === undefined ? 'an offset belongs to an "every" schedule' : 'an offset shorter than the interval',
      });
    }
    if ((s.every === undefined) === (s.cron === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'a schedule has exactly one of "every" (e.g. "1m") or "cron" (e.g. "*/5 * * * *")',
      });
    }
    if (s.every !== undefined && s.every < 1_000) {
      ctx.addIssue({ code: 'custom', path: ['every'], message: 'the shortest interval is 1s' });
    }
    // Read as the Temporal server will read it when the schedule is made (config/temporal-cron.ts).
    const cronProblemText = s.cron !== undefined ? temporalCronProblem(s.cron) : undefined;
    if (cronProblemText) ctx.addIssue({ code: 'custom', path: ['cron'], message: cronProblemText });
    const zoneProblem = s.timezone !== undefined ? timeZoneProblem(s.timezone) : undefined;
    if (zoneProblem) ctx.addIssue({ code: 'custom', path: ['timezone'], message: zoneProblem });
  });
export type ScheduleSpec = z.infer<typeof scheduleSpec>;

export const reportSpec = z
  .strictObject({
    enabled: z.boolean().default(true),
    schedule: scheduleSpec
      .optional()
      .meta({ description: 'When the report is made; default: { cron: "0 6 * * *" } (daily at 06:00 UTC).' }),
    period: duration.optional().meta({
      description:
        "What one report covers, ending when it is made; default: the schedule's interval, or 24h for a cron schedule.",
    }),
    notify: z.array(id).optional().meta({
      description:
        'Email channels the report is sent to; default: the email channels of defaults.notify. The report is saved in the history store either way.',
    }),
    trend: z
      .int()
      .min(2)
      .max(90)
      .default(7)
      .meta({ description: 'How many periods the trend chart and the change column look back.' }),
  })
  .meta({
    description:
      'A per-pipeline digest: counts per stage and window and their trend, freshness, incidents, pending interventions, with charts.',
  });
export type ReportSpec = z.infer<typeof reportSpec>;

export const pipelineSpec = z.strictObject({
  description: z.string().optional(),
  stages: z.array(stage).min(2, 'a pipeline has at least two stages to compare'),
  report: reportSpec.optional().meta({
    description:
      'The periodic digest of this pipeline (default: daily at 06:00 UTC to the default channels that are email).',
  }),
  correlation: z
    .strictObject({
      window: duration.meta({
        description:
          'Alerts of this pipeline that open this close together join one incident per receiver, named after the most upstream failing node.',
      }),
    })
    .optional()
    .meta({
      description:
        "One incident per cause: the pipeline's alerts are grouped by pipeline and told as a probable cause with its downstream symptoms (docs/CORRELATION.md).",
    }),
});

export const flapSpec = z.strictObject({
  failAfter: z
    .int()
    .min(1)
    .max(100)
    .default(3)
    .meta({ description: 'Consecutive failing runs before an incident opens.' }),
  resolveAfter: z
    .int()
    .min(1)
    .max(100)
    .default(2)
    .meta({ description: 'Consecutive healthy runs before an incident resolves.' }),
});
export type FlapSpec = z.infer<typeof flapSpec>;

export const monitor = z.strictObject({
  id,
  description: z.string().optional(),
  perspective: perspective.optional().meta({
    description:
      'data, logs, operations or services; default: the perspective of the check type (count → data, logs → logs, podHealth → operations, http → services …).',
  }),
  pipeline: z.string().optional(),
  connector: id
    .optional()
    .meta({ description: "Required for every check but stageCounts, which uses its pipeline's stages." }),
  check,
  schedule: scheduleSpec.optional(),
  rules: z.array(rule).min(1, 'a monitor needs at least one rule'),
  flap: flapSpec.partial().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  runbook: z.url().optional(),
  stage: id.optional().meta({
    description:
      'The stage of its pipeline this monitor watches, when the graph cannot derive it from the dataset or connector (correlation).',
  }),
  dependsOn: z.array(id).optional().meta({
    description:
      'Monitors whose failure makes this one fail too: when they fire together this one is told as their symptom (correlation).',
  }),
});
export type MonitorSpecRaw = z.infer<typeof monitor>;
