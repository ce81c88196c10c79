// The checks that are not one connector's own: count and freshness run on any record store
// (PostgreSQL, Elasticsearch), logs on any log source (Elasticsearch, log files), and stageCounts on
// the stages of a pipeline, whatever their connectors.
import { z } from 'zod';
import { cronProblem, timeZoneProblem } from '../../evaluation/cron.js';
import { parseQuery } from '../../evaluation/lucene.js';
import { logRuleProblems, unknownLogRule } from '../../config/log-rules.js';
import { duration, id } from '../../config/schema-fields.js';

/** A table, index or field name; checked against the connector's rules at load. */
export const sourceName = z.string().min(1).max(255);

const producerSchedule = z
  .strictObject({
    cron: z.string().superRefine((text, ctx) => {
      const problem = cronProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    timezone: z
      .string()
      .default('UTC')
      .superRefine((zone, ctx) => {
        const problem = timeZoneProblem(zone);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    grace: duration.prefault('0s').meta({ description: 'How long after a scheduled run its data may take to arrive.' }),
  })
  .meta({
    description:
      "The producing job's schedule: data is late when a run's time plus grace has passed without newer data.",
  });

export const countCheck = z
  .strictObject({
    type: z.literal('count'),
    dataset: sourceName.meta({
      description: 'Table (schema.table) or Elasticsearch index (pattern) holding the records.',
    }),
    timestamp: sourceName.meta({ description: 'Column or field with the time each record was stored.' }),
    uniqueId: sourceName.optional().meta({ description: 'Count distinct values of this column instead of rows.' }),
    window: duration
      .optional()
      .meta({ description: 'Count the records whose timestamp falls in the last window (sliding).' }),
    bucket: duration
      .optional()
      .meta({ description: 'Count the last completed bucket of this size (aligned: 1h buckets start on the hour).' }),
    settle: duration
      .prefault('0s')
      .meta({ description: 'With bucket: judge a bucket only this long after it ended, for late data.' }),
  })
  .superRefine((c, ctx) => {
    if ((c.window === undefined) === (c.bucket === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'a count has exactly one of "window" (sliding, e.g. 1h) or "bucket" (the last completed aligned bucket, e.g. 1h)',
      });
    }
  })
  .meta({ description: 'Records stored in the last window or completed bucket, distinct by uniqueId when given.' });

export const freshnessCheck = z
  .strictObject({
    type: z.literal('freshness'),
    dataset: sourceName,
    timestamp: sourceName,
    expected: producerSchedule.optional(),
  })
  .meta({
    description:
      "Age in seconds of the newest record; with expected, how late the data is against the producer's schedule.",
  });

export const stageCountsCheck = z
  .strictObject({
    type: z.literal('stageCounts'),
    pipeline: id,
    window: duration.meta({ description: 'Size of the aligned windows compared stage by stage, e.g. 1h.' }),
    settle: duration
      .prefault('5m')
      .meta({ description: 'Judge a window only this long after it ended, so late data is in.' }),
    sample: z.int().min(0).max(1000).default(20).meta({ description: 'How many missing ids to show.' }),
  })
  .meta({
    description:
      'Distinct records per stage in the last settled window; the value is how many the first losing stage lost.',
  });

export const LOG_RULES = ['any', 'frequency', 'flatline', 'spike', 'new_term', 'cardinality', 'metric'] as const;

export const logsCheck = z
  .strictObject({
    type: z.literal('logs'),
    index: z
      .string()
      .optional()
      .meta({ description: 'Elasticsearch index or pattern (logs-pipelines-*); not used for log files.' }),
    query: z
      .string()
      .default('')
      .superRefine((q, ctx) => {
        try {
          parseQuery(q);
        } catch (err) {
          ctx.addIssue({
            code: 'custom',
            message: `not a query: ${(err as Error).message}; write it like 'log.level:error AND labels.stage:parse'`,
          });
        }
      })
      .meta({
        description:
          'Lucene query syntax (as Elasticsearch query_string): field:value, "phrase", wildcards, AND/OR/NOT.',
      }),
    // A string, so a rule type of ElastAlert2's that pipewatch lacks is refused with what to write instead.
    rule: z
      .string()
      .transform((v, ctx) => {
        const known = LOG_RULES.find((r) => r === v);
        if (!known) {
          ctx.addIssue({ code: 'custom', message: unknownLogRule(v) });
          return z.NEVER;
        }
        return known;
      })
      .meta({
        description: 'any · frequency · flatline · spike · new_term · cardinality · metric (ElastAlert2 rule types).',
        enum: [...LOG_RULES],
      }),
    window: duration.prefault('5m'),
    buffer: duration
      .prefault('1m')
      .meta({ description: 'The window ends this long before the run, so late events are counted.' }),
    queryKey: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(5)])
      .optional()
      .meta({
        description:
          "Judge each value of this field (or of these fields together: a compound key) on its own, one alert per key labelled key=<value> (ElastAlert2's query_key / compound_query_key).",
      }),
    forgetKeys: z.boolean().default(false).meta({
      description:
        'flatline with queryKey: a silent key is reported once, then forgotten until it speaks again (forget_keys).',
    }),
    field: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(5)])
      .optional()
      .meta({
        description:
          'new_term, cardinality and metric: the field they look at. new_term also takes a list: one compound term of those fields together.',
      }),
    lookback: duration.prefault('7d').meta({ description: 'new_term: how far back a value counts as known.' }),
    metric: z.enum(['avg', 'min', 'max', 'sum']).default('avg'),
    direction: z.enum(['up', 'down', 'both']).default('up').meta({ description: 'spike: which direction counts.' }),
    minCount: z
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Replaced by thresholdRef and thresholdCur; refused with advice.' }),
    thresholdRef: z.int().min(0).default(0).meta({
      description:
        'spike: a key needs at least this many events in the reference (previous) window to count (threshold_ref).',
    }),
    thresholdCur: z.int().min(0).default(0).meta({
      description: 'spike: a key needs at least this many events in the current window to count (threshold_cur).',
    }),
    alertOnNewData: z.boolean().default(false).meta({
      description:
        'spike with queryKey: a key with no events in the reference window may spike (alert_on_new_data); off, new keys never do.',
    }),
    expect: z
      .array(z.string())
      .optional()
      .meta({ description: 'flatline with queryKey: groups that must appear; a missing one is silent.' }),
    severityFromLevel: z
      .boolean()
      .default(false)
      .meta({ description: 'When a rule fires, the worst log level among the sampled events sets the severity.' }),
    sample: z.int().min(0).max(50).default(5).meta({ description: 'Log lines shown in the alert; 0: none.' }),
    maxEvents: z.int().min(1).max(10_000).default(500).meta({ description: 'any: new events read per run at most.' }),
    trigger: z
      .strictObject({
        archive: z
          .strictObject({
            pathField: z.string().default('file.path'),
            sourceField: z.string().optional(),
            destination: z.string().min(1),
          })
          .optional()
          .meta({ description: 'Start an archive flow for each new event (e.g. archive.password_required).' }),
        signal: z
          .strictObject({ workflowIdField: z.string(), name: z.string() })
          .optional()
          .meta({ description: 'Signal the workflow named by a field of each new event, with the event.' }),
      })
      .optional()
      .meta({ description: 'rule any: act on each new event, exactly once per event.' }),
  })
  .superRefine((c, ctx) => {
    if (['new_term', 'cardinality', 'metric'].includes(c.rule) && !c.field)
      ctx.addIssue({ code: 'custom', path: ['field'], message: `a ${c.rule} rule needs "field"` });
    if (c.trigger && c.rule !== 'any')
      ctx.addIssue({
        code: 'custom',
        path: ['trigger'],
        message: 'triggers act on each new event: use them with rule "any"',
      });
    for (const problem of logRuleProblems(c))
      ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  })
  .meta({ description: 'A log rule over Elasticsearch or NDJSON files; the value depends on the rule type.' });
