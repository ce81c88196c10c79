// The one definition of pipewatch.yaml. Loading (load.ts), the generated JSON
// Schema (schema/pipewatch.schema.json) and every type used downstream come
// from here, so the file format, the editor completion and the code cannot
// drift apart.
import { z } from 'zod';
import { cronProblem, timeZoneProblem } from '../evaluation/cron.js';
import { temporalCronProblem } from './temporal-cron.js';
import { parseCondition } from '../evaluation/conditions.js';
import { parseQuery } from '../evaluation/lucene.js';
import { logRuleProblems, unknownLogRule } from './log-rules.js';
import { parseLabelSelector } from '../evaluation/label-selector.js';
import { parseMatcher, parseMatchers, type Matcher } from '../evaluation/matchers.js';
import { GROUP_BY_ALL } from '../evaluation/routing.js';
import { parseTimeInterval, type TimeIntervalSpec } from '../evaluation/time-intervals.js';
import type { Unit } from '../evaluation/types.js';
import { parseDuration } from './duration.js';
import { isEnvRef } from './env.js';

export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const idMessage = 'an id of lowercase letters, digits, ".", "_" or "-" (at most 63 characters, starting with a letter or digit)';

export const id = z.string().regex(ID_PATTERN, idMessage);

/** "30s", "5m", "1h30m" → milliseconds. */
export const duration = z
  .string({ error: 'a duration such as "30s", "5m" or "1h"' })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write it like "30s", "5m", "1h30m" or "2d"` });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: 'A duration such as "30s", "5m", "1h30m" or "2d".' });

/** A string that must be a `${ENV_VAR}` reference, so the secret never sits in the file. */
export const secretRef = z
  .string()
  .refine(isEnvRef, { message: 'a secret must be an environment reference such as "${SMTP_PASSWORD}", not the value itself' })
  .meta({ description: 'An environment reference such as "${SMTP_PASSWORD}", resolved inside the worker.' });

/** SQL identifier, optionally schema-qualified: lake.raw_records */
export const identifier = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/,
    'a table or column name (letters, digits, "_", optionally schema-qualified like lake.records)',
  );

export const severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof severity>;

export const perspective = z.enum(['data', 'logs', 'operations', 'services']);
export type Perspective = z.infer<typeof perspective>;

// ---------------------------------------------------------------- connectors

const postgresUrl = z.string().superRefine((url, ctx) => {
  if (isEnvRef(url)) return;
  // Credentials written into a URL would travel through schedules and history.
  const withoutRefs = url.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g, 'x');
  let parsed: URL;
  try {
    parsed = new URL(withoutRefs);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'a connection URL such as "postgres://reader@db.internal:5432/lake" or "${LAKE_DATABASE_URL}"' });
    return;
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
    ctx.addIssue({ code: 'custom', message: `a postgres:// URL, not ${parsed.protocol}//` });
  }
  if (/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(url) && !/:\$\{[A-Za-z_][A-Za-z0-9_]*\}@/.test(url)) {
    ctx.addIssue({ code: 'custom', message: 'the URL holds a password; put it in "password: ${ENV_VAR}" or make the whole URL a reference' });
  }
});

export const postgresConnector = z
  .strictObject({
    type: z.literal('postgres'),
    url: postgresUrl,
    password: secretRef.optional(),
    statementTimeout: duration.prefault('30s'),
    connectTimeout: duration.prefault('10s'),
    pool: z.strictObject({ max: z.int().min(1).max(100).default(4) }).default({ max: 4 }),
    ssl: z.boolean().optional(),
  })
  .meta({ description: 'A PostgreSQL database read in read-only transactions.' });

export const elasticsearchConnector = z
  .strictObject({
    type: z.literal('elasticsearch'),
    node: z.string().min(1).meta({ description: 'Cluster URL, e.g. https://es.internal:9200 or "${ES_URL}".' }),
    apiKey: secretRef.optional(),
    username: z.string().optional(),
    password: secretRef.optional(),
    requestTimeout: duration.prefault('30s'),
    rejectUnauthorized: z.boolean().default(true),
    kibanaUrl: z.string().optional().meta({ description: 'Kibana base URL: log alerts link to Discover there.' }),
  })
  .meta({ description: 'An Elasticsearch 8 cluster, read with searches that never ask for unbounded results.' });

export const httpConnector = z
  .strictObject({
    type: z.literal('http'),
    url: z.string().min(1).meta({ description: 'Base URL of the service, e.g. https://api.example.com or "${API_URL}".' }),
    headers: z.record(z.string(), z.string()).default({}).meta({ description: 'Sent with every request; values may be "${ENV}" references (tokens).' }),
    timeout: duration.prefault('10s'),
    caFile: z.string().optional().meta({ description: 'PEM file of extra certificate authorities to trust.' }),
    rejectUnauthorized: z.boolean().default(true),
  })
  .meta({ description: 'An HTTP(S) service probed with requests.' });

export const rabbitmqConnector = z
  .strictObject({
    type: z.literal('rabbitmq'),
    url: z.string().min(1).meta({ description: 'AMQP URL, e.g. "${RABBITMQ_URL}" (amqp://user:pass@host:5672).' }),
    management: z
      .strictObject({ url: z.string().min(1), username: z.string().default('guest'), password: secretRef.optional() })
      .optional()
      .meta({ description: 'The management HTTP API, for publish and deliver rates and unacknowledged counts.' }),
  })
  .meta({ description: 'A RabbitMQ broker; queues are inspected passively, never declared, consumed or changed.' });

export const hostConnector = z
  .strictObject({ type: z.literal('host') })
  .meta({ description: 'The machine the worker runs on: disks, memory, load.' });

export const temporalConnector = z
  .strictObject({ type: z.literal('temporal') })
  .meta({ description: "pipewatch's own Temporal service, reached with the worker's TEMPORAL_* settings." });

export const logfilesConnector = z
  .strictObject({
    type: z.literal('logfiles'),
    path: z.string().min(1).meta({ description: 'An NDJSON log file, or files matched by a * in the file name (logs/*.ndjson). Rotated files are followed.' }),
    timestampField: z.string().default('@timestamp'),
    retention: duration.prefault('1d').meta({ description: 'How long read events are kept for window and new_term rules.' }),
  })
  .meta({ description: 'NDJSON log files, tailed with offsets kept in the store (the default log source without Elasticsearch).' });

export const kubernetesConnector = z
  .strictObject({
    type: z.literal('kubernetes'),
    kubeconfig: z.string().optional().meta({ description: 'A kubeconfig file; default: $KUBECONFIG, then ~/.kube/config. Its credentials are read by the worker and never logged.' }),
    context: z.string().optional().meta({ description: "The kubeconfig context to use; default: the file's current-context." }),
    inCluster: z.boolean().default(false).meta({ description: "Use the pod's service account, when pipewatch runs inside the cluster." }),
    requestTimeout: duration.prefault('30s'),
    maxEvents: z.int().min(100).max(1_000_000).default(10_000).meta({ description: 'Events kept per watch at most (the oldest are dropped first): bounds memory on large clusters.' }),
  })
  .superRefine((c, ctx) => {
    if (c.inCluster && c.kubeconfig) ctx.addIssue({ code: 'custom', path: ['inCluster'], message: 'use either "inCluster: true" or "kubeconfig", not both' });
  })
  .meta({ description: 'A Kubernetes cluster: events, pods, CronJobs and Jobs, read with list and watch (get, list and watch rights suffice).' });

export const prometheusConnector = z
  .strictObject({
    type: z.literal('prometheus'),
    url: z.string().min(1).meta({ description: 'Base URL of Prometheus (or a compatible query API: Thanos, Mimir, VictoriaMetrics), e.g. http://prometheus:9090.' }),
    headers: z.record(z.string(), z.string()).default({}).meta({ description: 'Sent with every query; values may be "${ENV}" references (a bearer token).' }),
    timeout: duration.prefault('30s').meta({ description: 'How long a query may take; also sent to Prometheus as its query timeout.' }),
  })
  .meta({ description: 'A Prometheus query API: metrics other exporters already collect (servers, network, storage), judged by PromQL checks.' });

export const connector = z.discriminatedUnion('type', [
  postgresConnector, elasticsearchConnector, httpConnector, rabbitmqConnector, hostConnector, temporalConnector, logfilesConnector, kubernetesConnector, prometheusConnector,
]);
export type ConnectorSpec = z.infer<typeof connector>;
export type ConnectorType = ConnectorSpec['type'];

// ------------------------------------------------------------------ channels

/** Fields every channel has. */
const channelCommon = {
  rateLimit: z
    .strictObject({ max: z.int().min(1), per: duration })
    .optional()
    .meta({ description: 'At most `max` messages per `per` on this channel; more wait their turn (never dropped).' }),
};

export const emailChannel = z
  .strictObject({
    type: z.literal('email'),
    smtp: z.strictObject({
      host: z.string().min(1),
      port: z
        .union([z.int().min(1).max(65535), z.string().refine(isEnvRef, { message: 'a port number or an environment reference such as "${SMTP_PORT}"' })])
        .default(587),
      secure: z.boolean().default(false).meta({ description: 'TLS from the first byte (port 465); otherwise STARTTLS when offered.' }),
      requireTLS: z.boolean().default(false),
      user: z.string().optional(),
      password: secretRef.optional(),
      rejectUnauthorized: z.boolean().default(true),
    }),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    subjectPrefix: z.string().default('[pipewatch]'),
    ...channelCommon,
  })
  .meta({ description: 'Email over SMTP (nodemailer).' });

export const slackChannel = z
  .strictObject({
    type: z.literal('slack'),
    webhookUrl: secretRef.meta({ description: 'The incoming-webhook URL, as an environment reference: it is a credential.' }),
    ...channelCommon,
  })
  .meta({ description: 'A Slack incoming webhook.' });

export const webhookChannel = z
  .strictObject({
    type: z.literal('webhook'),
    url: z.string().min(1),
    secret: secretRef.optional().meta({ description: 'Key for the X-Pipewatch-Signature header: sha256=HMAC-SHA256(secret, body) in hex.' }),
    headers: z.record(z.string(), z.string()).default({}),
    timeout: duration.prefault('10s'),
    ...channelCommon,
  })
  .meta({ description: 'A JSON POST to any HTTP endpoint, signed with HMAC-SHA256.' });

export const consoleChannel = z
  .strictObject({ type: z.literal('console'), ...channelCommon })
  .meta({ description: "Lines on the worker's standard output, for local use." });

export const alertmanagerChannel = z
  .strictObject({
    type: z.literal('alertmanager'),
    url: z.string().min(1).meta({ description: 'Base URL of Alertmanager (alerts go to <url>/api/v2/alerts), e.g. http://alertmanager:9093.' }),
    headers: z.record(z.string(), z.string()).default({}).meta({ description: 'Sent with every post; values may be "${ENV}" references (a bearer token).' }),
    resendEvery: duration
      .prefault('1m')
      .meta({ description: 'While an alert fires it is posted again this often; Alertmanager resolves it if four resends in a row do not arrive.' }),
    temporalWebUi: z.string().optional().meta({ description: "The Temporal Web UI's base URL, for each alert's generatorURL (default PIPEWATCH_TEMPORAL_WEB_UI)." }),
    timeout: duration.prefault('10s'),
    ...channelCommon,
  })
  .superRefine((c, ctx) => {
    if (c.resendEvery < 1_000) ctx.addIssue({ code: 'custom', path: ['resendEvery'], message: 'resendEvery must be at least 1s (Alertmanager expects a resend every 30 s to 3 min)' });
  })
  .meta({ description: "An existing Alertmanager (v2 API): pipewatch's alerts with labels and annotations, so its routing, silences and receivers take over." });

export const channel = z.discriminatedUnion('type', [emailChannel, slackChannel, webhookChannel, consoleChannel, alertmanagerChannel]);
export type ChannelSpec = z.infer<typeof channel>;

// -------------------------------------------------------------------- checks

/** A table, index or field name; checked against the connector's rules at load. */
const sourceName = z.string().min(1).max(255);

const producerSchedule = z
  .strictObject({
    cron: z.string().superRefine((text, ctx) => {
      const problem = cronProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    timezone: z.string().default('UTC').superRefine((zone, ctx) => {
      const problem = timeZoneProblem(zone);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    grace: duration.prefault('0s').meta({ description: 'How long after a scheduled run its data may take to arrive.' }),
  })
  .meta({ description: "The producing job's schedule: data is late when a run's time plus grace has passed without newer data." });

export const countCheck = z
  .strictObject({
    type: z.literal('count'),
    dataset: sourceName.meta({ description: 'Table (schema.table) or Elasticsearch index (pattern) holding the records.' }),
    timestamp: sourceName.meta({ description: 'Column or field with the time each record was stored.' }),
    uniqueId: sourceName.optional().meta({ description: 'Count distinct values of this column instead of rows.' }),
    window: duration.optional().meta({ description: 'Count the records whose timestamp falls in the last window (sliding).' }),
    bucket: duration.optional().meta({ description: 'Count the last completed bucket of this size (aligned: 1h buckets start on the hour).' }),
    settle: duration.prefault('0s').meta({ description: 'With bucket: judge a bucket only this long after it ended, for late data.' }),
  })
  .superRefine((c, ctx) => {
    if ((c.window === undefined) === (c.bucket === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a count has exactly one of "window" (sliding, e.g. 1h) or "bucket" (the last completed aligned bucket, e.g. 1h)' });
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
  .meta({ description: 'Age in seconds of the newest record; with expected, how late the data is against the producer\'s schedule.' });

export const sqlCheck = z
  .strictObject({
    type: z.literal('sql'),
    query: z
      .string()
      .refine((q) => /^\s*(select|with)\b/i.test(q) && !/;\s*\S/.test(q), 'one SELECT (or WITH … SELECT) statement')
      .meta({ description: 'Returns one number (first column of the first row). $1 and $2 are the start and end of the window, when used.' }),
    window: duration.prefault('1h'),
    unit: z.enum(['records', 'seconds']).default('records'),
  })
  .meta({ description: 'Any read-only query that returns a number.' });

export const stageCountsCheck = z
  .strictObject({
    type: z.literal('stageCounts'),
    pipeline: id,
    window: duration.meta({ description: 'Size of the aligned windows compared stage by stage, e.g. 1h.' }),
    settle: duration.prefault('5m').meta({ description: 'Judge a window only this long after it ended, so late data is in.' }),
    sample: z.int().min(0).max(1000).default(20).meta({ description: 'How many missing ids to show.' }),
  })
  .meta({ description: 'Distinct records per stage in the last settled window; the value is how many the first losing stage lost.' });

export const httpCheck = z
  .strictObject({
    type: z.literal('http'),
    path: z.string().default('').meta({ description: 'Appended to the connector URL.' }),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS']).default('GET'),
    body: z.string().optional(),
    conditions: z
      .array(
        z.string().superRefine((text, ctx) => {
          const parsed = parseCondition(text);
          if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
        }),
      )
      .default(['[STATUS] < 400'])
      .meta({ description: 'All must hold: "[STATUS] == 200", "[RESPONSE_TIME] < 500", "[BODY].status == UP", "[BODY] =~ \\"ok\\"", "[HEADER].x-version == 2", "[CERTIFICATE_EXPIRATION] > 7d".' }),
    shape: z
      .strictObject({ headers: z.array(z.string()).default([]).meta({ description: 'Headers whose values count as part of the shape, e.g. x-api-version.' }) })
      .optional()
      .meta({ description: 'Alert when the JSON shape (keys and types) or these headers change; accept a new shape with `pipewatch accept-shape`.' }),
    conditionSeverity: severity.default('critical'),
  })
  .meta({ description: 'One request; the value is the response time in seconds.' });

export const queueCheck = z
  .strictObject({
    type: z.literal('queue'),
    queue: z.string().min(1),
    vhost: z.string().default('/'),
    requireConsumers: z.boolean().default(true).meta({ description: 'A queue without consumers fails, whatever its depth.' }),
  })
  .meta({ description: 'Messages waiting in a queue (passive check: the queue is never declared, consumed or changed).' });

export const diskCheck = z
  .strictObject({ type: z.literal('disk'), path: z.string().min(1), measure: z.enum(['used', 'inodes']).default('used') })
  .meta({ description: 'Percent of the filesystem holding path that is used (space or inodes).' });

export const memoryCheck = z.strictObject({ type: z.literal('memory') }).meta({ description: 'Percent of the host memory in use.' });

export const loadCheck = z.strictObject({ type: z.literal('load') }).meta({ description: '1-minute load average per CPU.' });

export const databaseCheck = z
  .strictObject({ type: z.literal('database'), measure: z.enum(['connections', 'size', 'replicationLag']) })
  .meta({ description: 'PostgreSQL health: percent of max_connections in use, database size in bytes, or replication lag in seconds.' });

export const clusterCheck = z
  .strictObject({ type: z.literal('cluster'), measure: z.enum(['status', 'disk']) })
  .meta({ description: 'Elasticsearch cluster: status (0 green, 1 yellow, 2 red) or the fullest data node\'s disk in percent.' });

export const taskQueueCheck = z
  .strictObject({
    type: z.literal('taskQueue'),
    taskQueue: z.string().optional().meta({ description: "Default: pipewatch's own task queue." }),
    measure: z.enum(['pollers', 'backlog']),
  })
  .meta({ description: 'Workers polling a Temporal task queue, or its approximate backlog.' });

export const LOG_RULES = ['any', 'frequency', 'flatline', 'spike', 'new_term', 'cardinality', 'metric'] as const;

export const logsCheck = z
  .strictObject({
    type: z.literal('logs'),
    index: z.string().optional().meta({ description: 'Elasticsearch index or pattern (logs-pipelines-*); not used for log files.' }),
    query: z
      .string()
      .default('')
      .superRefine((q, ctx) => {
        try {
          parseQuery(q);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `not a query: ${(err as Error).message}; write it like 'log.level:error AND labels.stage:parse'` });
        }
      })
      .meta({ description: 'Lucene query syntax (as Elasticsearch query_string): field:value, "phrase", wildcards, AND/OR/NOT.' }),
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
      .meta({ description: 'any · frequency · flatline · spike · new_term · cardinality · metric (ElastAlert2 rule types).', enum: [...LOG_RULES] }),
    window: duration.prefault('5m'),
    buffer: duration.prefault('1m').meta({ description: 'The window ends this long before the run, so late events are counted.' }),
    queryKey: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(5)])
      .optional()
      .meta({ description: "Judge each value of this field (or of these fields together: a compound key) on its own, one alert per key labelled key=<value> (ElastAlert2's query_key / compound_query_key)." }),
    forgetKeys: z.boolean().default(false).meta({ description: 'flatline with queryKey: a silent key is reported once, then forgotten until it speaks again (forget_keys).' }),
    field: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(5)])
      .optional()
      .meta({ description: 'new_term, cardinality and metric: the field they look at. new_term also takes a list: one compound term of those fields together.' }),
    lookback: duration.prefault('7d').meta({ description: 'new_term: how far back a value counts as known.' }),
    metric: z.enum(['avg', 'min', 'max', 'sum']).default('avg'),
    direction: z.enum(['up', 'down', 'both']).default('up').meta({ description: 'spike: which direction counts.' }),
    minCount: z.int().min(0).optional().meta({ description: 'Replaced by thresholdRef and thresholdCur; refused with advice.' }),
    thresholdRef: z.int().min(0).default(0).meta({ description: 'spike: a key needs at least this many events in the reference (previous) window to count (threshold_ref).' }),
    thresholdCur: z.int().min(0).default(0).meta({ description: 'spike: a key needs at least this many events in the current window to count (threshold_cur).' }),
    alertOnNewData: z.boolean().default(false).meta({ description: 'spike with queryKey: a key with no events in the reference window may spike (alert_on_new_data); off, new keys never do.' }),
    expect: z.array(z.string()).optional().meta({ description: 'flatline with queryKey: groups that must appear; a missing one is silent.' }),
    severityFromLevel: z.boolean().default(false).meta({ description: 'When a rule fires, the worst log level among the sampled events sets the severity.' }),
    sample: z.int().min(0).max(50).default(5).meta({ description: 'Log lines shown in the alert; 0: none.' }),
    maxEvents: z.int().min(1).max(10_000).default(500).meta({ description: 'any: new events read per run at most.' }),
    trigger: z
      .strictObject({
        archive: z
          .strictObject({ pathField: z.string().default('file.path'), sourceField: z.string().optional(), destination: z.string().min(1) })
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
    if (['new_term', 'cardinality', 'metric'].includes(c.rule) && !c.field) ctx.addIssue({ code: 'custom', path: ['field'], message: `a ${c.rule} rule needs "field"` });
    if (c.trigger && c.rule !== 'any') ctx.addIssue({ code: 'custom', path: ['trigger'], message: 'triggers act on each new event: use them with rule "any"' });
    for (const problem of logRuleProblems(c)) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  })
  .meta({ description: 'A log rule over Elasticsearch or NDJSON files; the value depends on the rule type.' });

export const schedulesCheck = z
  .strictObject({
    type: z.literal('schedules'),
    window: duration.prefault('5m').meta({ description: 'Ticks counted over this span before now.' }),
    lateAfter: duration.prefault('10s').meta({ description: "A tick started later than this after its time counts as late (the scheduler's start lag)." }),
    project: id.optional().meta({ description: 'Only the schedules of this pipewatch project (default: every schedule pipewatch made in the namespace).' }),
  })
  .meta({
    description:
      "pipewatch's own schedules on its Temporal service: ticks skipped (a run still open, overlap SKIP), missed (outside the catch-up window) or started late in the window. A saturated server shows here first; the built-in self-monitor (config selfMonitor) runs this check.",
  });

export const interventionsCheck = z
  .strictObject({ type: z.literal('interventions'), olderThan: duration.prefault('1h') })
  .meta({ description: 'Pipelines waiting on an operator for longer than olderThan; the value is how many, the details name them.' });

const labelSelector = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parseLabelSelector(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  })
  .meta({ description: 'A Kubernetes label selector: app.kubernetes.io/part-of=crawler,tier!=cache,env in (prod,stage).' });

const kubeScope = {
  namespace: z.string().min(1).optional().meta({ description: 'The namespace to watch; default: every namespace the credentials may read.' }),
  labels: labelSelector.optional(),
  groupBy: z
    .string()
    .default('app.kubernetes.io/name')
    .meta({ description: 'The label that names an application; alerts group by it (falling back to "app", then the pod\'s owner).' }),
};

export const kubeEventsCheck = z
  .strictObject({
    type: z.literal('kubeEvents'),
    ...kubeScope,
    kinds: z.array(z.string().min(1)).optional().meta({ description: 'Kinds of the involved object (Pod, Job, Node …); default: any.' }),
    names: z.array(z.string().min(1)).optional().meta({ description: 'Names of the involved objects; default: any.' }),
    reasons: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: 'Event reasons: BackOff, Failed, FailedScheduling, OOMKilling, Evicted, Unhealthy, FailedMount, FailedCreate …; default: any.' }),
    types: z.array(z.enum(['Warning', 'Normal'])).default(['Warning']),
    window: duration.prefault('15m').meta({ description: 'Events last seen within this long before the run count.' }),
  })
  .meta({ description: 'Kubernetes events, grouped per application, each group naming the failing layer with its evidence; the value is how many occurrences matched.' });

export const podHealthCheck = z
  .strictObject({
    type: z.literal('podHealth'),
    ...kubeScope,
    crashLoopFor: duration.prefault('15m').meta({ description: 'A container in CrashLoopBackOff this long is a problem.' }),
    imagePullFor: duration.prefault('5m').meta({ description: 'A container failing to pull its image (ImagePullBackOff, ErrImagePull) this long is a problem.' }),
    oomWithin: duration.prefault('1h').meta({ description: 'A container OOMKilled within this long is a problem.' }),
    restarts: z
      .strictObject({ max: z.int().min(1).default(5), window: duration.prefault('1h') })
      .prefault({})
      .meta({ description: 'More than max restarts of one container within the window is a problem.' }),
    stuck: z
      .strictObject({ pending: duration.prefault('10m'), containerCreating: duration.prefault('10m'), terminating: duration.prefault('5m') })
      .prefault({})
      .meta({ description: 'Pods Pending, ContainerCreating, or Terminating (past their grace period) longer than these are stuck.' }),
  })
  .meta({ description: 'Pods in trouble: crash loops, OOM kills, restarts, image pulls and stuck pods; the value is how many problems, the details a timeline per application.' });

export const cronJobsCheck = z
  .strictObject({
    type: z.literal('cronJobs'),
    ...kubeScope,
    names: z.array(z.string().min(1)).optional().meta({ description: 'Only these CronJobs; default: every CronJob in scope.' }),
    manifests: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'YAML manifests declaring the CronJobs (a file, a directory, or files matched by * in the name; multi-document and rendered Helm output). The schedules come from them; runs from the cluster.' }),
    grace: duration.prefault('2m').meta({ description: 'How long after its scheduled time a run may take to start (capped by startingDeadlineSeconds).' }),
    successWithin: z.int().min(1).max(1000).default(3).meta({ description: 'The last success must be newer than this many scheduled runs.' }),
    failedWithin: duration.prefault('24h').meta({ description: 'A Job that failed within this long, with no success after it, is a problem.' }),
    slowerThan: z.number().min(1).default(3).meta({ description: 'A run taking this many times the median of its recent successful runs is a problem.' }),
    maxDuration: duration.optional().meta({ description: 'A run taking longer than this is a problem, whatever its history.' }),
  })
  .meta({ description: 'CronJobs that missed a run, have not succeeded for N periods, whose last Job failed or runs too long; suspended CronJobs are reported, not counted.' });

export const promqlCheck = z
  .strictObject({
    type: z.literal('promql'),
    query: z.string().min(1).meta({ description: 'A PromQL instant query, evaluated at the tick\'s time, e.g. max(node_filesystem_avail_bytes{mountpoint="/"}) or rate(http_requests_total{code=~"5.."}[5m]).' }),
    series: z
      .enum(['one', 'max', 'min', 'sum', 'avg', 'count'])
      .default('one')
      .meta({ description: 'one: the query must return a single series (aggregate in PromQL); otherwise how several series become one value. No series at all is "no data" (use absent() to alert on a missing metric).' }),
    unit: z.enum(['count', 'seconds', 'bytes', 'percent', 'records', 'messages']).default('count'),
  })
  .meta({ description: 'A PromQL instant query; its value is judged by the rules and history like any other.' });

export const check = z.discriminatedUnion('type', [
  countCheck, freshnessCheck, sqlCheck, stageCountsCheck, httpCheck, queueCheck, diskCheck, memoryCheck, loadCheck, databaseCheck, clusterCheck, taskQueueCheck,
  interventionsCheck, logsCheck, kubeEventsCheck, podHealthCheck, cronJobsCheck, promqlCheck, schedulesCheck,
]);
export type CheckSpec = z.infer<typeof check>;
export type CheckType = CheckSpec['type'];

/** Which connector types can run which checks (stageCounts runs on its pipeline's stages). */
export const CHECK_SUPPORT: Record<CheckType, readonly ConnectorType[]> = {
  count: ['postgres', 'elasticsearch'],
  freshness: ['postgres', 'elasticsearch'],
  sql: ['postgres'],
  stageCounts: [],
  http: ['http'],
  queue: ['rabbitmq'],
  disk: ['host'],
  memory: ['host'],
  load: ['host'],
  database: ['postgres'],
  cluster: ['elasticsearch'],
  taskQueue: ['temporal'],
  interventions: ['temporal'],
  logs: ['elasticsearch', 'logfiles'],
  kubeEvents: ['kubernetes'],
  podHealth: ['kubernetes'],
  cronJobs: ['kubernetes'],
  promql: ['prometheus'],
  schedules: ['temporal'],
};

/** The perspective a check belongs to when its monitor does not say. */
export const CHECK_PERSPECTIVE: Record<CheckType, Perspective> = {
  count: 'data',
  freshness: 'data',
  sql: 'data',
  stageCounts: 'data',
  logs: 'logs',
  kubeEvents: 'operations',
  podHealth: 'operations',
  cronJobs: 'operations',
  interventions: 'operations',
  http: 'services',
  queue: 'services',
  disk: 'services',
  memory: 'services',
  load: 'services',
  database: 'services',
  cluster: 'services',
  taskQueue: 'services',
  promql: 'services',
  schedules: 'services',
};

/** Checks whose natural cadence differs from defaults.schedule when a monitor gives none. */
export const DEFAULT_CADENCE: Partial<Record<CheckType, number>> = { queue: 10 * 60_000 };

/** The unit of the value a check measures; thresholds written as durations become seconds. */
export function checkUnit(check: CheckSpec): Unit {
  switch (check.type) {
    case 'freshness':
    case 'http':
      return 'seconds';
    case 'sql':
    case 'promql':
      return check.unit;
    case 'queue':
      return 'messages';
    case 'disk':
    case 'memory':
      return 'percent';
    case 'load':
    case 'taskQueue':
    case 'schedules':
    case 'interventions':
    case 'kubeEvents':
    case 'podHealth':
    case 'cronJobs':
    case 'cluster':
      return check.type === 'cluster' && check.measure === 'disk' ? 'percent' : 'count';
    case 'database':
      return check.measure === 'connections' ? 'percent' : check.measure === 'size' ? 'bytes' : 'seconds';
    default:
      return 'records';
  }
}

// ----------------------------------------------------------------- pipelines

export const stage = z
  .strictObject({
    id,
    connector: id,
    dataset: sourceName,
    uniqueId: sourceName,
    timestamp: sourceName,
    expectedRatio: z.number().positive().optional().meta({
      description: 'Records expected here per record of the previous stage (a filter: 0.8; a fan-out: 3). Without it, every id must arrive.',
    }),
    tolerance: z.number().min(0).max(1).default(0).meta({ description: 'Fraction of records this stage may lose (or miss the ratio by) without alerting.' }),
    normalise: z
      .array(z.enum(['lowercase', 'trim']))
      .default([])
      .meta({ description: 'Applied to ids before counting and comparing, as the pipeline itself does (PostgreSQL stages).' }),
    runsOn: z
      .array(id)
      .optional()
      .meta({ description: 'Connectors this stage runs on besides its store (a queue, an API, a cluster): monitors on them belong to this stage in the pipeline graph (correlation).' }),
  })
  .meta({ description: 'Where one stage of a pipeline stores its records.' });

// pipelineSpec itself follows the report spec below, which reuses the monitors' schedule spec.

// --------------------------------------------------------------------- rules

/** A threshold: a number in the check's unit, or a duration ("15m") for checks measured in seconds. */
const threshold = z.union([z.number(), z.string()]).meta({ description: 'A number, or a duration such as "15m" for checks measured in seconds.' });

const direction = z.enum(['both', 'drop', 'spike']).meta({ description: 'Which moves count: drops, spikes, or both.' });

export const RULE_KINDS = ['above', 'below', 'equals', 'outside', 'changePercent', 'changeVs', 'anomaly', 'rising', 'percentile'] as const;

export const rule = z
  .strictObject({
    above: threshold.optional(),
    below: threshold.optional(),
    equals: threshold.optional(),
    outside: z.tuple([threshold, threshold]).optional(),
    changePercent: z.number().positive().optional().meta({ description: 'Fires when the value moved by more than this percentage since the previous run.' }),
    changeVs: z
      .strictObject({ baseline: z.enum(['yesterday', 'lastWeek']), percent: z.number().positive() })
      .optional()
      .meta({ description: 'Fires when the value moved by more than percent against the same time yesterday or last week.' }),
    anomaly: z
      .strictObject({
        sensitivity: z.number().positive().default(3).meta({ description: 'Robust z-score (distance from the median in MADs) that counts as anomalous.' }),
        training: duration.prefault('14d').meta({ description: 'How far back the baseline looks.' }),
        minHistory: z.int().min(1).default(4).meta({ description: 'Points the baseline needs before any verdict.' }),
        seasonality: z.enum(['none', 'hourOfDay', 'dayOfWeek']).default('none').meta({ description: 'Compare only with points of the same hour of day, or the same hour of the same weekday.' }),
        minDeviation: z.number().min(0).default(5).meta({ description: 'Moves smaller than this percentage of the median never count, however stable the history.' }),
      })
      .optional(),
    rising: z.int().min(1).max(100).optional().meta({ description: 'Fires when the value rose this many runs in a row (a queue filling up).' }),
    percentile: z
      .strictObject({ p: z.number().min(1).max(100), over: duration, above: threshold })
      .optional()
      .meta({ description: 'Fires when the p-th percentile of the values over the window is above a limit, e.g. { p: 95, over: 1h, above: 800ms }.' }),
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
      ctx.addIssue({ code: 'custom', path: ['offset'], message: s.every === undefined ? 'an offset belongs to an "every" schedule' : 'an offset shorter than the interval' });
    }
    if ((s.every === undefined) === (s.cron === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a schedule has exactly one of "every" (e.g. "1m") or "cron" (e.g. "*/5 * * * *")' });
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
    schedule: scheduleSpec.optional().meta({ description: 'When the report is made; default: { cron: "0 6 * * *" } (daily at 06:00 UTC).' }),
    period: duration.optional().meta({ description: 'What one report covers, ending when it is made; default: the schedule\'s interval, or 24h for a cron schedule.' }),
    notify: z.array(id).optional().meta({ description: 'Email channels the report is sent to; default: the email channels of defaults.notify. The report is saved in the history store either way.' }),
    trend: z.int().min(2).max(90).default(7).meta({ description: 'How many periods the trend chart and the change column look back.' }),
  })
  .meta({ description: 'A per-pipeline digest: counts per stage and window and their trend, freshness, incidents, pending interventions, with charts.' });
export type ReportSpec = z.infer<typeof reportSpec>;

export const pipelineSpec = z.strictObject({
  description: z.string().optional(),
  stages: z.array(stage).min(2, 'a pipeline has at least two stages to compare'),
  report: reportSpec.optional().meta({ description: 'The periodic digest of this pipeline (default: daily at 06:00 UTC to the default channels that are email).' }),
  correlation: z
    .strictObject({
      window: duration.meta({ description: 'Alerts of this pipeline that open this close together join one incident per receiver, named after the most upstream failing node.' }),
    })
    .optional()
    .meta({ description: 'One incident per cause: the pipeline\'s alerts are grouped by pipeline and told as a probable cause with its downstream symptoms (docs/CORRELATION.md).' }),
});

export const flapSpec = z.strictObject({
  failAfter: z.int().min(1).max(100).default(3).meta({ description: 'Consecutive failing runs before an incident opens.' }),
  resolveAfter: z.int().min(1).max(100).default(2).meta({ description: 'Consecutive healthy runs before an incident resolves.' }),
});
export type FlapSpec = z.infer<typeof flapSpec>;

export const monitor = z.strictObject({
  id,
  description: z.string().optional(),
  perspective: perspective.optional().meta({ description: 'data, logs, operations or services; default: the perspective of the check type (count → data, logs → logs, podHealth → operations, http → services …).' }),
  pipeline: z.string().optional(),
  connector: id.optional().meta({ description: 'Required for every check but stageCounts, which uses its pipeline\'s stages.' }),
  check,
  schedule: scheduleSpec.optional(),
  rules: z.array(rule).min(1, 'a monitor needs at least one rule'),
  flap: flapSpec.partial().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  runbook: z.url().optional(),
  stage: id.optional().meta({ description: 'The stage of its pipeline this monitor watches, when the graph cannot derive it from the dataset or connector (correlation).' }),
  dependsOn: z
    .array(id)
    .optional()
    .meta({ description: 'Monitors whose failure makes this one fail too: when they fire together this one is told as their symptom (correlation).' }),
});
export type MonitorSpecRaw = z.infer<typeof monitor>;

// ------------------------------------------------------- routing & incidents

export const matcher = z
  .string()
  .transform((text, ctx) => {
    const m = parseMatcher(text);
    if (typeof m === 'string') {
      ctx.addIssue({ code: 'custom', message: m });
      return z.NEVER;
    }
    return m;
  })
  .meta({ description: 'A label matcher: \'pipeline = intel\', \'severity =~ "warning|critical"\', \'team != lake\'.' });

/**
 * Matchers as Alertmanager's config takes them (its `matchers:`): a list whose items each hold one
 * matcher or several separated by commas, with or without braces; all must match. At least `min`.
 */
export function matcherList(min = 0) {
  return z
    .array(z.string().meta({ description: 'A label matcher: \'pipeline = intel\', \'severity =~ "warning|critical"\', \'team != lake\'.' }))
    .min(min)
    .transform((items, ctx) => {
      const out: Matcher[] = [];
      items.forEach((text, i) => {
        const parsed = parseMatchers(text);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: [i], message: parsed });
        else out.push(...parsed);
      });
      if (out.length < min) ctx.addIssue({ code: 'custom', message: `at least ${min} matcher is needed here, e.g. ['severity = critical']` });
      return out;
    });
}

export const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'a label name (letters, digits, "_" and ".")');

// group_by as Alertmanager reads it: label names, each once, or '...' alone for every label.
const groupByList = z
  .array(
    z.string().refine((l) => l === GROUP_BY_ALL || /^[A-Za-z_][A-Za-z0-9_.]*$/.test(l), {
      error: (issue) => `invalid label name ${JSON.stringify(issue.input)} in groupBy; write a label name (letters, digits, "_" and ".") or '...' for every label`,
    }),
  )
  .superRefine((labels, ctx) => {
    if (labels.includes(GROUP_BY_ALL) && labels.length > 1) {
      ctx.addIssue({ code: 'custom', message: "cannot have wildcard groupBy ('...') and other labels at the same time; write groupBy: ['...'] alone to group by every label, or list the labels" });
    }
    const seen = new Set<string>();
    labels.forEach((l, i) => {
      if (seen.has(l)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicated label "${l}" in groupBy; list each label once` });
      seen.add(l);
    });
  });

// Alertmanager refuses zero group_interval and repeat_interval: a zero would send in a loop.
const positiveInterval = (field: 'groupInterval' | 'repeatInterval', example: string) =>
  duration.refine((ms) => ms > 0, { error: `${field} cannot be zero; write how long to wait, e.g. ${example}` });

const timeIntervalNames = (what: string) =>
  z.array(id).optional().meta({ description: `Names of timeIntervals ${what} (not inherited by child routes, as in Alertmanager).` });

export interface RouteRaw {
  matchers: Matcher[];
  receiver?: string;
  groupBy?: string[];
  groupWait?: number;
  groupInterval?: number;
  repeatInterval?: number;
  continue: boolean;
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
  routes?: RouteRaw[];
}

export const route: z.ZodType<RouteRaw> = z.lazy(() =>
  z.strictObject({
    matchers: matcherList().default([]),
    receiver: id.optional().meta({ description: 'Receiver of the alerts this route takes; "none" drops them on purpose. Default: the parent\'s.' }),
    groupBy: groupByList.optional().meta({ description: "Labels whose values form one incident; ['...'] for every label. Default: the parent's." }),
    groupWait: duration.optional(),
    groupInterval: positiveInterval('groupInterval', '5m').optional(),
    repeatInterval: positiveInterval('repeatInterval', '4h').optional(),
    continue: z.boolean().default(false).meta({ description: 'Keep trying later sibling routes after this one matched.' }),
    muteTimeIntervals: timeIntervalNames('in which this route sends nothing'),
    activeTimeIntervals: timeIntervalNames('outside all of which this route sends nothing'),
    routes: z.array(route).optional(),
  }),
);

export const routing = z
  .strictObject({
    receiver: id
      .optional()
      .meta({ description: 'Receiver of alerts no route claims; default: "default", made from defaults.notify; "none" drops them on purpose.' }),
    groupBy: groupByList.default(['monitor']).meta({ description: "Alerts with the same values of these labels form one incident; ['...'] for every label." }),
    groupWait: duration.prefault('30s').meta({ description: 'How long a new incident collects alerts before the first message.' }),
    groupInterval: positiveInterval('groupInterval', '5m').prefault('5m').meta({ description: 'How long after a message changes to the incident are sent.' }),
    repeatInterval: positiveInterval('repeatInterval', '4h').prefault('4h').meta({ description: 'How often an unacknowledged incident is repeated.' }),
    routes: z.array(route).default([]),
    // Alertmanager refuses these on the root route; accepted here only to say what to write instead.
    matchers: z.array(z.string()).optional().meta({ description: 'Not on the root route: it receives every alert. Put matchers on a route under routes.' }),
    continue: z.boolean().optional().meta({ description: 'Not on the root route: it has no siblings.' }),
    muteTimeIntervals: z.array(z.string()).optional().meta({ description: 'Not on the root route: put it on a route under routes (one without matchers takes every alert).' }),
    activeTimeIntervals: z.array(z.string()).optional().meta({ description: 'Not on the root route: put it on a route under routes (one without matchers takes every alert).' }),
  })
  .superRefine((root, ctx) => {
    if (root.matchers !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['matchers'], message: 'the root route must not have any matchers: it receives every alert (as in Alertmanager); put them on a route under routing.routes' });
    }
    if (root.continue !== undefined) ctx.addIssue({ code: 'custom', path: ['continue'], message: 'cannot have continue in the root route: it has no siblings; remove it' });
    for (const field of ['muteTimeIntervals', 'activeTimeIntervals'] as const) {
      if (root[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `the root route must not have any ${field === 'muteTimeIntervals' ? 'mute' : 'active'} time intervals (as in Alertmanager); put ${field} on a route under routing.routes — one without matchers takes every alert`,
        });
      }
    }
  })
  .prefault({});

export const receiver = z
  .strictObject({
    notify: z.array(id).default([]).meta({ description: 'Channels told when the incident opens, changes, repeats and resolves.' }),
    escalation: id.optional().meta({ description: 'Escalation policy that runs while the incident is unacknowledged.' }),
  })
  .meta({ description: 'Who hears about an incident.' });

export const escalationPolicy = z.strictObject({
  steps: z
    .array(z.strictObject({ after: duration.meta({ description: 'After the previous step (the first: after the incident opened).' }), notify: z.array(id).min(1) }))
    .min(1, 'an escalation policy needs at least one step'),
  repeat: z.int().min(0).max(100).default(0).meta({ description: 'How many more times the steps run after the first pass.' }),
  then: id.optional().meta({ description: 'The policy that takes over when this one is exhausted.' }),
});

export const inhibitRule = z
  .strictObject({
    name: z.string().min(1).optional().meta({ description: 'Shown with the alerts this rule mutes.' }),
    source: matcherList(1),
    target: matcherList(1),
    equal: z.array(labelName).default([]).meta({ description: 'Labels that must be equal on source and target.' }),
  })
  .meta({ description: 'While an alert matching source fires, alerts matching target (with equal labels) are not sent.' });

export const maintenanceWindow = z
  .strictObject({
    id,
    matchers: matcherList().default([]),
    cron: z.string().superRefine((text, ctx) => {
      const problem = cronProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    duration,
    timezone: z.string().default('UTC'),
    reason: z.string().min(1),
    owner: z.string().min(1),
  })
  .superRefine((w, ctx) => {
    const zoneProblem = timeZoneProblem(w.timezone);
    if (zoneProblem) ctx.addIssue({ code: 'custom', path: ['timezone'], message: zoneProblem });
  })
  .meta({ description: 'A recurring window (cron start + duration) in which matching alerts are not sent.' });

// Alertmanager's time_intervals entry, fields in camelCase; parsed by evaluation/time-intervals.ts.
const rangeList = (example: string) => z.array(z.union([z.string(), z.int()])).optional().meta({ description: `Ranges such as ${example}.` });
export const timeInterval = z
  .strictObject({
    times: z
      .array(z.strictObject({ startTime: z.string().optional(), endTime: z.string().optional() }))
      .optional()
      .meta({ description: 'Times of day [startTime, endTime), "HH:MM" up to "24:00".' }),
    weekdays: rangeList("'monday:friday' or 'sunday'"),
    daysOfMonth: rangeList("'1:5' or '-3:-1' (the last three days)"),
    months: rangeList("'january:march' or '1:3'"),
    years: rangeList("'2026:2028'"),
    location: z.string().optional().meta({ description: 'IANA time zone the fields are read in; default UTC.' }),
  })
  .transform((spec, ctx) => {
    const parsed = parseTimeInterval(spec as TimeIntervalSpec);
    if (!Array.isArray(parsed)) return parsed;
    for (const p of parsed) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    return z.NEVER;
  })
  .meta({ description: 'Every field given must match; an absent field matches anything.' });

// ---------------------------------------------------------------- top level

export const deliverySpec = z.strictObject({
  fallback: id.optional().meta({ description: 'Channel told when another channel keeps failing.' }),
  fallbackAfter: duration.prefault('10m').meta({ description: 'How long a channel may keep failing before the fallback channel is told.' }),
  retry: z
    .strictObject({
      initialInterval: duration.prefault('5s'),
      maximumInterval: duration.prefault('5m'),
    })
    .prefault({})
    .meta({ description: 'A failed send is retried with exponential backoff between these bounds, until it succeeds.' }),
  timeout: duration.prefault('60s').meta({ description: 'Longest one send attempt may take before it is abandoned and retried.' }),
});

export const pipewatchConfig = z.strictObject({
  version: z.literal(1, 'the only configuration version is 1'),
  project: id.default('default').meta({
    description: 'Name of this set of monitors; sync only changes and deletes schedules of the same project, so several teams can share a namespace.',
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
    .record(id, z.array(timeInterval).min(1, 'a time interval needs at least one entry, e.g. - weekdays: [saturday, sunday]'))
    .default({})
    .meta({ description: "Named times (Alertmanager's time_intervals) that routes name in muteTimeIntervals or activeTimeIntervals." }),
  selfMonitor: z
    .strictObject({
      enabled: z.boolean().default(true),
      every: duration.prefault('1m'),
      window: duration.prefault('5m').meta({ description: 'Ticks counted over this span: an alert resolves once the window holds none skipped or late.' }),
      lateAfter: duration.prefault('10s').meta({ description: 'A tick started later than this after its time counts as late.' }),
      severity: z.enum(['warning', 'critical']).default('critical'),
    })
    .prefault({})
    .meta({
      description:
        "The built-in monitor pipewatch-schedules: every `every`, it reads this project's schedules on Temporal and alerts (through the routing, like any monitor) when ticks were skipped, missed or started late in the window — a saturated Temporal server or stuck runs. Synced with the monitors; enabled: false leaves it out.",
    }),
  incidents: z
    .strictObject({
      reopenWindow: duration.prefault('10m').meta({ description: 'A resolved incident that fires again this soon is reopened, not new.' }),
      acknowledgementExpiry: duration.optional().meta({ description: 'Default lifetime of an acknowledgement; when it expires, escalation resumes.' }),
    })
    .prefault({}),
  silences: z
    .strictObject({
      announce: z.array(id).default([]).meta({ description: 'Channels told about long silences and silences about to expire.' }),
      announceBefore: duration.prefault('15m'),
      longerThan: duration.prefault('24h').meta({ description: 'A silence longer than this is announced when it is created.' }),
    })
    .prefault({}),
  connectors: z.record(id, connector).default({}),
  channels: z.record(id, channel).default({}),
  pipelines: z.record(id, pipelineSpec).default({}),
  interventions: z
    .strictObject({
      receiver: id.optional().meta({ description: 'Who is asked (a receiver: its channels, and its escalation policy while unanswered). Default: the routing root.' }),
      remindEvery: duration.prefault('30m'),
      deadline: duration.prefault('24h'),
      defaultAction: z.enum(['skip', 'abort', 'retry']).default('skip').meta({ description: 'What happens when nobody answered by the deadline.' }),
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
      maxBytes: z.int().min(1).default(1024 ** 3).meta({ description: 'Largest total size after extraction.' }),
      maxRatio: z.number().min(1).default(200).meta({ description: 'Largest expansion of one entry (zip bombs).' }),
    })
    .prefault({}),
  heartbeat: z
    .strictObject({
      url: z.string().min(1).meta({ description: 'Pinged while every monitor runs on time, e.g. a healthchecks.io check: "${HEARTBEAT_URL}".' }),
      failUrl: z.string().optional().meta({ description: 'Pinged instead when monitors stopped running (default: no ping, which the receiver notices).' }),
      every: duration.prefault('1m'),
      staleAfter: z.number().min(1).default(2).meta({ description: 'A monitor is stale when its last run is older than this many intervals.' }),
    })
    .optional()
    .meta({ description: "A dead-man's switch: proof, from outside, that pipewatch's schedules are running." }),
  sinks: z
    .strictObject({
      elasticsearch: z
        .strictObject({
          connector: id.meta({ description: 'An elasticsearch connector; its credentials need the index privileges create_doc and index on the index.' }),
          index: z
            .string()
            .regex(/^[a-z0-9][a-z0-9._-]{0,254}$/, 'an Elasticsearch index name: lowercase letters, digits, ".", "_" and "-", not starting with "." "_" or "-"')
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
        size: z.int().min(2).max(200).default(50).meta({ description: 'Monitors per group, on average (members are placed by a hash of their id).' }),
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
