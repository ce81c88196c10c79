// Every side effect a workflow needs: collecting from sources, the history
// store, starting or signalling incidents, muting decisions and delivering
// notifications. Secrets are resolved here, inside the worker, and scrubbed
// from anything an activity reports; timeouts and retries are set by the
// calling workflow.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MissingEnvError, redactSecrets, redactSecretsDeep, resolveEnvRefs } from '../config/env.js';
import { postJson } from '../channels/webhook.js';
import type { HeartbeatInput } from '../workflows/heartbeat.js';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { ArchiveTriggerSettings, CheckSpec, InhibitRule, MaintenanceWindow, NamedChannel, NamedConnector, NotificationPolicy, PipelineStage, ResultsSink, Rule } from '../config/model.js';
import { evaluateLogRule, type LogEvent, type LogRuleState, type LogsCheck } from '../connectors/logs.js';
import { CollectError } from '../connectors/types.js';
import { fieldValue } from '../evaluation/lucene.js';
import type { ArchiveIngestInput } from '../workflows/archive.js';
import type { ResolvedCache } from '../config/resolved-cache.js';
import type { ChannelSender, ChartPoint, Notification } from '../channels/types.js';
import type { Connector } from '../connectors/types.js';
import { computeBaselines, historyNeededMs, type Baselines } from '../evaluation/history.js';
import { muteReason, type AlertLabels, type MuteReason, type RouteTimes, type Silence } from '../evaluation/muting.js';
import { shapeDiff } from '../evaluation/conditions.js';
import type { Measurement } from '../evaluation/types.js';
import { reconcileStages } from '../connectors/stages.js';
import { timed, type PipewatchMetrics } from '../workers/metrics.js';
import { inSpan } from '../workers/tracing.js';
import type { HistoryStore, InterventionAuditEntry, RecordedRun, RunToRecord } from '../store/history.js';
import { extractZip, UnsafeArchiveError, type ExtractLimits, type ExtractOutcome } from '../archive/extract.js';
import type { VerifySpec } from '../workflows/intervention.js';
import type { AlertEvent, IncidentInput } from '../workflows/incident.js';
import { INCIDENT_STATE, MONITOR, PERSPECTIVE, PIPELINE } from '../workflows/search-attributes.js';
import { silencesWorkflowId } from '../workflows/silences.js';
import type { ReportResult } from '../workflows/report.js';
import type { ReportDefinition } from '../config/model.js';
import type { ReportSummary } from '../reports/digest.js';
import { incidentEventsFromNotification } from '../reports/incident-events.js';
import { resultDocuments, type ResultRun } from './results.js';
import { mapLimit } from '../config/map-limit.js';
import { formatDuration } from '../config/duration.js';
import { groupMonitors, type CadenceGroup } from '../config/model.js';
import { alertLabels, COLLECT_RETRY, collectTimeoutMs, GROUP_CHECK_CONCURRENCY, incidentsFor, runCheck, type GroupMemberResult } from '../evaluation/check.js';
import { memberRunId } from '../evaluation/ids.js';
import { recordKeyRuns, type KeyRunInput } from './log-keys.js';
import { gatherReportData, imageCid, makeReport, pendingInterventions, refreshRunningIncidents } from './report.js';
import { HEARTBEAT_EVERY_MS } from '../workflows/heartbeats.js';

export interface ActivityDeps {
  store: HistoryStore;
  connectors: ResolvedCache<NamedConnector, Connector>;
  channels: ResolvedCache<NamedChannel, ChannelSender>;
  client: Client;
  taskQueue: string;
  /** Where `${ENV}` references resolve: the worker's environment. */
  env?: NodeJS.ProcessEnv;
  /** The worker's Prometheus metrics (workers/metrics.ts), when it serves them. */
  metrics?: PipewatchMetrics;
}

type CollectInput = { monitorId: string; connector: NamedConnector; check: CheckSpec; at: string };

/** Tries `work` with a deadline per try; a non-retryable failure (a configuration error) or cancellation ends it early. */
async function withRetries<T>(
  policy: typeof COLLECT_RETRY,
  timeoutMs: number,
  cancelled: AbortSignal,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  let wait = policy.initialIntervalMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const signal = AbortSignal.any([cancelled, AbortSignal.timeout(timeoutMs)]);
      // A source that ignores the signal still ends the try at its deadline.
      const deadline = new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(new CollectError(cancelled.aborted ? 'cancelled' : `no answer within ${formatDuration(timeoutMs)}`)), { once: true }),
      );
      deadline.catch(() => undefined); // the deadline passing after the work finished is nobody's error
      return await Promise.race([work(signal), deadline]);
    } catch (err) {
      if (attempt >= policy.maximumAttempts || cancelled.aborted || (err instanceof ApplicationFailure && err.nonRetryable)) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait *= policy.backoffCoefficient;
  }
}

/** Longest a results-sink write may take: recordRun is a short local activity. */
const SINK_TIMEOUT_MS = 10_000;

export interface DeliveryResult {
  channelId: string;
  outcome: 'sent' | 'already-sent';
  messageId?: string;
}

/** A failure whose message has had every known secret removed, and no original stack. */
function scrubbed(err: unknown, secrets: Iterable<string>, type: string, nonRetryable = false): ApplicationFailure {
  const message = redactSecrets(err instanceof Error ? err.message : String(err), secrets);
  return ApplicationFailure.create({ message, type, nonRetryable });
}

/** Runs long work while telling Temporal the activity is alive. */
async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

function resolveOrFail<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (err) {
    if (err instanceof MissingEnvError) throw scrubbed(err, [], 'ConfigurationError', true);
    throw err;
  }
}

export function createActivities(deps: ActivityDeps) {
  // The last failure of each delivery, so a fallback notice can say what went
  // wrong (a schedule-to-close timeout does not carry it). Local to this worker.
  const deliveryErrors = new Map<string, string>();
  const rememberError = (key: string, message: string) => {
    deliveryErrors.delete(key);
    deliveryErrors.set(key, message);
    if (deliveryErrors.size > 1_000) deliveryErrors.delete(deliveryErrors.keys().next().value!);
  };
  // What a `temporal …` command in a message needs to show decrypted payloads where the operator types it.
  const env = deps.env ?? process.env;
  const temporalCommandContext = { codecEndpoint: env.PIPEWATCH_CODEC_ENDPOINT || undefined, encrypted: Boolean(env.PIPEWATCH_CODEC_KEYS || env.PIPEWATCH_CODEC_KEY_FILE) };

  /** One try at a check's measurement; `signal` ends it (activity cancelled, or the try's deadline). */
  const metrics = deps.metrics;
  const observeRuns = (runs: Array<Pick<RunToRecord, 'monitorId' | 'verdict' | 'labels'>>) => {
    if (!metrics) return;
    for (const r of runs) metrics.observeRun({ monitorId: r.monitorId, checkType: r.labels?.check, status: r.verdict.status, value: r.verdict.value, labels: r.labels });
  };
  const storeTimed = <T>(operation: string, work: () => Promise<T>): Promise<T> =>
    metrics ? timed(work, (seconds) => metrics.observeStore(operation, seconds)) : work();

  const collectWith = async (input: CollectInput, signal: AbortSignal): Promise<Measurement> => {
    const live = resolveOrFail(() => deps.connectors.get(input.connector));
    let measurement: Measurement;
    try {
      // The source call as a span of its own under the activity's (a no-op without tracing).
      const collect = () =>
        inSpan(`${input.connector.type} ${input.check.type}`, { 'pipewatch.monitor': input.monitorId, 'pipewatch.connector': input.connector.id, 'pipewatch.check': input.check.type }, () =>
          live.value.collect({ check: input.check, at: new Date(input.at), signal, monitorId: input.monitorId, store: deps.store }),
        );
      measurement = redactSecretsDeep(
        await (metrics ? timed(collect, (seconds, ok) => metrics.observeCollect(input.check.type, seconds, ok ? 'ok' : 'error')) : collect()),
        live.secrets,
      );
    } catch (err) {
      throw scrubbed(err, live.secrets, 'CollectError');
    }
    // pipewatch's own schedules (the self-monitor): their figures as Prometheus gauges too.
    if (input.check.type === 'schedules') metrics?.observeSchedules?.(input.check.project ?? '', measurement.details ?? {});
    const { shape, ...rest } = measurement;
    if (!shape) return measurement;
    // API change detection: the shape is compared with the accepted one here; only the difference goes on.
    const known = await deps.store.observeApiShape(input.monitorId, shape);
    const diff = shapeDiff(known.accepted, shape);
    if (diff.length === 0) return rest;
    return {
      ...rest,
      failed: [
        ...(rest.failed ?? []),
        {
          condition: 'response shape',
          reason: `changed since it was accepted (${known.acceptedAt} by ${known.acceptedBy}): ${diff.join('; ')}; accept it with: pipewatch accept-shape ${input.monitorId} --by <you>`,
          severity: 'warning',
        },
      ],
    };
  };

  const baselinesFor = async (input: { monitorId: string; rules: Rule[]; at: string; toleranceMs: number; timeZone: string; current?: number | null }): Promise<Baselines> => {
    const at = Date.parse(input.at);
    const points = await deps.store.pointsBetween(input.monitorId, new Date(at - historyNeededMs(input.rules) - input.toleranceMs), new Date(at));
    return computeBaselines(input.rules, points, at, { toleranceMs: input.toleranceMs, timeZone: input.timeZone, current: input.current });
  };

  const record = async (input: RunToRecord & Pick<ResultRun, 'labels'> & { sink?: ResultsSink }): Promise<RecordedRun> => {
    const { sink, ...run } = input;
    const recorded = await storeTimed('recordRun', () => deps.store.recordRun(run));
    observeRuns([run]);
    if (sink) await writeResults(run, sink, recorded);
    return recorded;
  };

  return {
    async collect(input: CollectInput): Promise<Measurement> {
      return collectWith(input, Context.current().cancellationSignal);
    },

    /** Distinct records per stage in the last settled window and the first losing stage (connectors/stages.ts), recorded as a time series. */
    async collectStages(input: {
      monitorId: string;
      pipeline: string;
      stages: PipelineStage[];
      check: Extract<CheckSpec, { type: 'stageCounts' }>;
      at: string;
    }): Promise<Measurement> {
      // Beats on a clock as well as per batch, so a slow query is not mistaken for a dead worker.
      return whileHeartbeating(async () => {
        const live = input.stages.map((stage) => ({ stage, ...resolveOrFail(() => deps.connectors.get(stage.connector)) }));
        try {
          const result = await reconcileStages({
            pipeline: input.pipeline,
            stages: live.map((l) => ({ stage: l.stage, connector: l.value })),
            check: input.check,
            at: Date.parse(input.at),
            onProgress: () => Context.current().heartbeat(),
          });
          await deps.store.recordStageCounts(input.pipeline, result.window, result.judgements.map((j) => ({ stage: j.stage, count: j.count, lost: j.lost })));
          return redactSecretsDeep(result.measurement, live.flatMap((l) => [...l.secrets]));
        } catch (err) {
          throw scrubbed(err, live.flatMap((l) => [...l.secrets]), 'CollectError');
        }
      });
    },

    /**
     * A log rule (connectors/logs.ts) over the connector's log source. For
     * "any" rules the cursor is saved after the run, and triggers act on each
     * new event exactly once: archive flows start under an id derived from
     * the event (a repeat finds them already started).
     */
    async collectLogs(input: {
      monitorId: string;
      connector: NamedConnector;
      check: LogsCheck;
      at: string;
      archiveTrigger?: ArchiveTriggerSettings;
      policy: NotificationPolicy;
      pipeline?: string;
    }): Promise<Measurement> {
      // Beats on a clock as well as per batch, so a slow query is not mistaken for a dead worker.
      return whileHeartbeating(async () => {
        const live = resolveOrFail(() => deps.connectors.get(input.connector));
        try {
          if (!live.value.logSource) throw new CollectError(`connector ${input.connector.id} is not a log source`);
          const source = await live.value.logSource(input.check, { store: deps.store });
          // What the rule keeps between runs: the any cursor (with the ids read in the buffer), the keys a flatline heard.
          const stateful = input.check.rule === 'any' || (input.check.rule === 'flatline' && input.check.queryKey !== undefined);
          const previous = stateful ? ((await deps.store.logCursor(input.monitorId)) as LogRuleState | undefined) : undefined;
          const result = await evaluateLogRule(source, input.check, new Date(input.at), previous);
          if (result.newEvents?.length && input.check.trigger) await triggerForEvents(deps, input, result.newEvents);
          if (result.state) await deps.store.saveLogCursor(input.monitorId, result.state);
          return redactSecretsDeep(result.measurement, live.secrets);
        } catch (err) {
          throw scrubbed(err, live.secrets, 'CollectError');
        }
      });
    },

    /** Baselines the rules need (previous run, yesterday, last week, anomaly statistics), computed next to the data. */
    baselines: baselinesFor,

    /**
     * Records the run in the history store, then — with a results sink — copies
     * it to Elasticsearch under the run id. The copy is best effort: a sink that
     * is down is logged and never fails the run or delays its alert for long.
     */
    recordRun: record,

    /** A keyed log monitor's keys, each with its own state and alert (activities/log-keys.ts). */
    recordKeyRuns: (input: KeyRunInput) => recordKeyRuns(deps.store, input),

    /**
     * A cadence group's tick (workflows/group.ts): each member checked as a
     * monitor run checks it — collect tried three times within its deadline,
     * baselines, evaluation — GROUP_CHECK_CONCURRENCY at a time, then all recorded in one
     * transaction under their own run ids. Idempotent: a retry after a crash
     * finds the runs recorded and gets their transitions back.
     */
    async checkMonitors(input: { runId: string; at: string } & Pick<CadenceGroup, 'notification' | 'monitors'>): Promise<GroupMemberResult[]> {
      const at = new Date(input.at);
      const cancelled = Context.current().cancellationSignal;
      const runs = await mapLimit(groupMonitors(input), GROUP_CHECK_CONCURRENCY, async (monitor) => {
        const verdict = await runCheck(monitor, at, {
          collect: (i) => withRetries(COLLECT_RETRY, collectTimeoutMs(monitor), cancelled, (signal) => collectWith(i, signal)),
          baselines: baselinesFor,
          collectStages: () => Promise.reject(new Error('stageCounts checks run on schedules of their own')),
          collectLogs: () => Promise.reject(new Error('logs checks run on schedules of their own')),
        });
        const labels = alertLabels(monitor, verdict.status);
        const incidentIds = incidentsFor(monitor, labels).map((r) => r.incidentId);
        return { monitor, labels, run: { monitorId: monitor.id, runId: memberRunId(input.runId, monitor.id), verdict, flap: monitor.flap, labels, incidentIds } };
      });
      // Cut short (the activity's deadline, or a worker shutting down): record nothing; the retry checks again.
      if (cancelled.aborted) throw ApplicationFailure.retryable(`the checks of ${input.runId} were cancelled before they were recorded`, 'CancelledError');
      const recorded = await storeTimed('recordRuns', () => deps.store.recordRuns(runs.map((r) => r.run)));
      observeRuns(runs.map((r) => r.run));
      return Promise.all(
        runs.map(async ({ monitor, labels, run }, i): Promise<GroupMemberResult> => {
          const { verdict } = run;
          const rec = recorded[i]!;
          if (monitor.sink) await writeResults(run, monitor.sink, rec);
          const result: GroupMemberResult = { monitorId: monitor.id, status: verdict.status, value: verdict.value, reason: verdict.reason, transition: rec.transition };
          // What the workflow needs to tell incidents, only where there is something to tell.
          return rec.transition === 'none' ? result : { ...result, verdict, labels, recorded: { transition: rec.transition, incidentIds: rec.incidentIds, alertLabels: rec.alertLabels } };
        }),
      );
    },

    /** Starts the incident workflow if none runs under that id, and hands it the alert. */
    async signalIncident(input: { incident: IncidentInput; event: AlertEvent }): Promise<void> {
      const { incident, event } = input;
      await deps.client.workflow.signalWithStart('incidentWorkflow', {
        workflowId: incident.incidentId,
        taskQueue: deps.taskQueue,
        args: [incident],
        signal: 'alert',
        signalArgs: [event],
        typedSearchAttributes: [
          { key: MONITOR, value: event.monitor.id },
          { key: PERSPECTIVE, value: event.monitor.perspective },
          { key: PIPELINE, value: event.monitor.pipeline ?? '' },
          { key: INCIDENT_STATE, value: 'pending' },
        ],
      });
    },

    /** Which of these alerts must not be sent now, and why: silences, maintenance windows, inhibition. */
    async muteState(input: { alerts: AlertLabels[]; maintenance: MaintenanceWindow[]; inhibit: InhibitRule[]; route?: RouteTimes }): Promise<Record<string, MuteReason | undefined>> {
      const silences = await readSilences(deps.client, deps.taskQueue);
      const active = input.inhibit.length > 0 ? await deps.store.activeAlerts() : [];
      const now = Date.now();
      return Object.fromEntries(
        input.alerts.map((a) => [a.monitorId, muteReason(a, { now, silences, maintenance: input.maintenance, inhibit: input.inhibit, active, route: input.route })]),
      );
    },

    /** An operator resolved an incident by hand: its monitors stop alerting until they fail anew. */
    async stopAlerting(monitorIds: string[]): Promise<void> {
      await deps.store.stopAlerting(monitorIds);
    },

    /**
     * Sends one notification at most once: the ledger row claimed before the
     * send and confirmed after it turns a retry of a delivered message into a
     * no-op. Only a crash between the channel accepting and the confirmation
     * can repeat it, and the Message-ID is stable so mail systems can drop it.
     */
    async deliverNotification(input: { channel: NamedChannel; notification: Notification; idempotencyKey: string; monitorIds: string[] }): Promise<DeliveryResult> {
      // Heartbeats from the start (ledger, charts, the send itself): a worker killed mid-send is noticed in
      // seconds and another one takes the message over (workflows/heartbeats.ts).
      return whileHeartbeating(async () => {
        const { channel, notification, idempotencyKey } = input;
        const meta = { channelId: channel.id, incidentId: notification.kind === 'notice' ? 'notice' : notification.incidentId, kind: notification.kind };
        const log = Context.current().log;

        if (channel.rateLimit) {
          const recent = await deps.store.sentSince(channel.id, new Date(Date.now() - channel.rateLimit.per)).catch(() => 0);
          if (recent >= channel.rateLimit.max) {
            throw ApplicationFailure.create({
              message: `channel ${channel.id} is at its rate limit (${channel.rateLimit.max} per ${channel.rateLimit.per} ms); the message waits its turn`,
              type: 'RateLimited',
              nextRetryDelay: Math.max(1_000, Math.round(channel.rateLimit.per / channel.rateLimit.max)),
            });
          }
        }

        // The incident's open, acknowledgement and resolution times, for reports; never in the way of the alert.
        if (notification.kind !== 'notice' && notification.kind !== 'refresh') {
          await deps.store.recordIncidentEvents(incidentEventsFromNotification(notification)).catch((err: Error) =>
            log.warn('could not record incident events', { incident: notification.incidentId, error: err.message }),
          );
        }

        // An alert must not wait for the history store: without the ledger the
        // send still happens, at the cost of a possible repeat after a crash.
        let ledger = true;
        try {
          const claim = await deps.store.claimNotification(idempotencyKey, meta);
          if (claim === 'sent') {
            metrics?.observeDelivery(channel.id, 'already-sent');
            return { channelId: channel.id, outcome: 'already-sent' };
          }
        } catch (err) {
          ledger = false;
          log.warn('notification ledger unavailable; sending without it', { channel: channel.id, error: (err as Error).message });
        }

        const history: Record<string, ChartPoint[]> = {};
        for (const id of input.monitorIds) {
          history[id] = (await deps.store.recentPoints(id, 30).catch(() => [])).reverse();
        }

        const live = resolveOrFail(() => deps.channels.get(channel));
        let messageId: string | undefined;
        try {
          ({ messageId } = await live.value.send(notification, { idempotencyKey, history, temporal: temporalCommandContext }));
        } catch (err) {
          const failure = scrubbed(err, live.secrets, 'DeliveryError');
          rememberError(idempotencyKey, failure.message);
          metrics?.observeDelivery(channel.id, 'failed');
          throw failure;
        }
        metrics?.observeDelivery(channel.id, 'sent');
        deliveryErrors.delete(idempotencyKey);
        if (ledger) {
          await deps.store.markNotificationSent(idempotencyKey, messageId).catch((err: Error) =>
            log.warn('could not confirm a sent notification in the ledger', { channel: channel.id, error: err.message }),
          );
        }
        return { channelId: channel.id, outcome: 'sent', messageId };
      });
    },

    /** Pings the heartbeat URL if every monitor ran recently; the fail URL (if any) names the ones that did not. */
    async beat(input: HeartbeatInput): Promise<{ status: 'ok' | 'stale'; stale: string[] }> {
      const secrets = new Set<string>();
      const urls = resolveOrFail(() => resolveEnvRefs({ url: input.url, failUrl: input.failUrl }, deps.env ?? process.env, 'heartbeat', secrets));
      const last = await deps.store.lastRuns(input.monitors.map((m) => m.id));
      const now = Date.now();
      const stale = input.monitors
        .filter((m) => m.everyMs !== undefined && last.has(m.id) && now - last.get(m.id)!.getTime() > input.staleAfter * m.everyMs)
        .map((m) => `${m.id} (last run ${last.get(m.id)!.toISOString()})`);
      const status = stale.length ? 'stale' : 'ok';
      const target = status === 'ok' ? urls.url : urls.failUrl;
      if (target) {
        try {
          await postJson(target, JSON.stringify({ status, project: input.project, monitors: input.monitors.length, stale }), {}, 10_000);
        } catch (err) {
          throw scrubbed(err, secrets, 'HeartbeatError');
        }
      }
      return { status, stale };
    },

    /**
     * Opens an archive without a password, then with each known password of its
     * source (references resolved here). Reports whether someone must be asked.
     */
    async extractArchive(input: { archive: string; destination: string; knownPasswords: string[]; limits: ExtractLimits }): Promise<ExtractOutcome> {
      const secrets = new Set<string>();
      const passwords = resolveOrFail(() => resolveEnvRefs(input.knownPasswords, deps.env ?? process.env, 'archives.sources', secrets));
      return whileHeartbeating(async () => {
        try {
          let outcome = await extractZip(input.archive, input.destination, { limits: input.limits });
          for (const password of passwords) {
            if (outcome.status === 'extracted') break;
            outcome = await extractZip(input.archive, input.destination, { password, limits: input.limits });
          }
          return outcome;
        } catch (err) {
          throw scrubbed(err, secrets, err instanceof UnsafeArchiveError ? 'UnsafeArchiveError' : 'ArchiveError', err instanceof UnsafeArchiveError);
        }
      });
    },

    /** Checks what an operator provided by using it: a password is right if it extracts the archive. */
    async verifyInterventionInput(input: { verify: VerifySpec; input: string }): Promise<{ ok: boolean; message: string; outcome?: Record<string, unknown> }> {
      const v = input.verify;
      return whileHeartbeating(async () => {
        let outcome: ExtractOutcome;
        try {
          outcome = await extractZip(v.archive, v.destination, { password: input.input, limits: v.limits });
        } catch (err) {
          throw scrubbed(err, [input.input], err instanceof UnsafeArchiveError ? 'UnsafeArchiveError' : 'ArchiveError', err instanceof UnsafeArchiveError);
        }
        if (outcome.status === 'extracted') return { ok: true, message: 'extracted', outcome: { files: outcome.files, bytes: outcome.bytes, destination: outcome.destination } };
        return { ok: false, message: `wrong password for ${v.archive}: it does not open the archive; the question stays open` };
      });
    },

    async recordInterventionAudit(input: { interventionId: string; entry: InterventionAuditEntry }): Promise<void> {
      await deps.store.recordInterventionAudit(input.interventionId, input.entry);
    },

    /**
     * A pipeline's report for the period ending at periodEnd: made and saved
     * once under reportId (a retry finds it saved and sends that), then sent
     * to each email channel at most once (the notification ledger).
     */
    async produceReport(input: { definition: ReportDefinition; reportId: string; periodEnd: string }): Promise<ReportResult> {
      return whileHeartbeating(() => produceReport(input));
    },

    /** What the last failed attempt of a delivery said, if this worker saw it. */
    async deliveryError(idempotencyKey: string): Promise<string | null> {
      return deliveryErrors.get(idempotencyKey) ?? null;
    },
  };

  async function writeResults(run: ResultRun, sink: ResultsSink, recorded: RecordedRun): Promise<void> {
    let secrets: Iterable<string> = [];
    try {
      const live = deps.connectors.get(sink.connector);
      secrets = live.secrets;
      if (!live.value.writeDocuments) throw new Error(`connector ${sink.connector.id} cannot take documents`);
      const pipeline = run.verdict.details?.pipeline;
      const stages = run.labels.check === 'stageCounts' && typeof pipeline === 'string' && run.verdict.details?.stages !== undefined
        ? await deps.store.stageCountsOfWindow(pipeline, new Date(run.verdict.observedAt))
        : [];
      await live.value.writeDocuments(sink.index, resultDocuments(run, recorded, stages), SINK_TIMEOUT_MS);
    } catch (err) {
      Context.current().log.warn('could not copy the run to the results sink; it is recorded in the history store', {
        monitor: run.monitorId,
        run: run.runId,
        index: sink.index,
        error: redactSecrets(err instanceof Error ? err.message : String(err), secrets),
      });
    }
  }

  async function produceReport(input: { definition: ReportDefinition; reportId: string; periodEnd: string }): Promise<ReportResult> {
    const d = input.definition;
    const end = Date.parse(input.periodEnd);
    const start = end - d.periodMs;
    let saved = await deps.store.report(input.reportId);
    const made = !saved;
    if (!saved) {
      const context = Context.current();
      await refreshRunningIncidents(deps.client, deps.taskQueue, deps.store, d).catch((err: Error) =>
        context.log.warn('could not read running incidents; the report uses what the store holds', { pipeline: d.pipeline, error: err.message }),
      );
      const interventions = await pendingInterventions(deps.client, deps.taskQueue, d.pipeline);
      const data = await gatherReportData(deps.store, d, start, end, interventions);
      await deps.store.saveReport(makeReport(input.reportId, data));
      saved = (await deps.store.report(input.reportId))!;
    }
    const report = saved;
    const delivered: ReportResult['delivered'] = [];
    for (const channel of d.channels) {
      const key = `${report.reportId}/${channel.id}`;
      if ((await deps.store.claimNotification(key, { channelId: channel.id, incidentId: report.reportId, kind: 'report' })) === 'sent') {
        delivered.push({ channelId: channel.id, outcome: 'already-sent' });
        continue;
      }
      const live = resolveOrFail(() => deps.channels.get(channel));
      if (!live.value.sendReport) throw ApplicationFailure.create({ message: `channel ${channel.id} (${channel.type}) cannot carry a report`, type: 'ConfigurationError', nonRetryable: true });
      let messageId: string | undefined;
      try {
        ({ messageId } = await live.value.sendReport(
          {
            reportId: report.reportId,
            subject: report.subject,
            html: report.html,
            text: report.text,
            images: report.images.map((img) => ({ cid: imageCid(report.reportId, img.name), filename: `${img.name}.png`, png: img.png })),
          },
          { idempotencyKey: key },
        ));
      } catch (err) {
        throw scrubbed(err, live.secrets, 'DeliveryError');
      }
      await deps.store.markNotificationSent(key, messageId);
      delivered.push({ channelId: channel.id, outcome: 'sent' });
    }
    const summary = report.summary as ReportSummary;
    return {
      reportId: report.reportId,
      periodStart: report.periodStart,
      periodEnd: report.periodEnd,
      saved: made ? 'new' : 'existing',
      images: report.images.length,
      delivered,
      incidents: { opened: summary.incidents.opened, acknowledged: summary.incidents.acknowledged, resolved: summary.incidents.resolved, open: summary.incidents.open },
      interventionsPending: summary.interventionsPending,
    };
  }
}

/** Starts or signals a workflow per new log event, idempotently (ids derived from the event). */
async function triggerForEvents(
  deps: ActivityDeps,
  input: { monitorId: string; check: LogsCheck; archiveTrigger?: ArchiveTriggerSettings; policy: NotificationPolicy; pipeline?: string },
  events: LogEvent[],
): Promise<void> {
  const { WorkflowExecutionAlreadyStartedError } = await import('@temporalio/client');
  const t = input.check.trigger!;
  for (const e of events) {
    const eventKey = createHash('sha256').update(`${input.monitorId}/${e.id}/${e.ts}`).digest('hex').slice(0, 16);
    if (t.archive && input.archiveTrigger) {
      const path = fieldValue(e.doc, t.archive.pathField);
      if (typeof path !== 'string' || !path) continue;
      const sourceName = t.archive.sourceField ? String(fieldValue(e.doc, t.archive.sourceField) ?? '') : '';
      const settings = input.archiveTrigger;
      const args: ArchiveIngestInput = {
        archive: path,
        // The destination may name a directory by ${ENV} (the example's data directory).
        destination: join(resolveOrFail(() => resolveEnvRefs(t.archive!.destination, deps.env ?? process.env, `monitors.${input.monitorId}.check.trigger.archive.destination`)), basename(path).replace(/\.zip$/i, '')),
        source: sourceName || undefined,
        knownPasswords: settings.knownPasswords[sourceName] ?? [],
        limits: settings.limits,
        pipeline: input.pipeline ?? (fieldValue(e.doc, 'labels.pipeline') as string | undefined),
        intervention: settings.intervention,
        policy: input.policy,
      };
      try {
        await deps.client.workflow.start('archiveIngestWorkflow', { workflowId: `pipewatch-archive/event-${eventKey}`, taskQueue: deps.taskQueue, args: [args] });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
    if (t.signal) {
      const workflowId = fieldValue(e.doc, t.signal.workflowIdField);
      if (typeof workflowId !== 'string' || !workflowId) continue;
      await deps.client.workflow.getHandle(workflowId).signal(t.signal.name, { eventId: eventKey, ts: e.ts, event: e.doc });
    }
  }
}

/** The silences held by the silences workflow; none when it has never been started. */
export async function readSilences(client: Client, taskQueue: string): Promise<Silence[]> {
  try {
    return await client.workflow.getHandle(silencesWorkflowId(taskQueue)).query<Silence[]>('silences');
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
}

export type Activities = ReturnType<typeof createActivities>;
