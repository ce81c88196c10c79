// Collecting: a check's measurement from its connector (tried within its
// deadline, secrets scrubbed, API shape compared), a pipeline's stage counts,
// log rules with their triggers, and the baselines rules compare against.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { redactSecretsDeep } from '../config/env.js';
import { formatDuration } from '../config/duration.js';
import type {
  ArchiveTriggerSettings,
  CheckSpec,
  NamedConnector,
  NotificationPolicy,
  PipelineStage,
  Rule,
} from '../config/model.js';
import { evaluateLogRule, type LogRuleState, type LogsCheck } from '../connectors/logs.js';
import { reconcileStages } from '../connectors/stages.js';
import { CollectError } from '../connectors/types.js';
import type { COLLECT_RETRY } from '../evaluation/check.js';
import { shapeDiff } from '../evaluation/conditions.js';
import { computeBaselines, historyNeededMs, type Baselines } from '../evaluation/history.js';
import type { Measurement } from '../evaluation/types.js';
import { timed } from '../workers/metrics.js';
import { inSpan } from '../workers/tracing.js';
import type { ActivityDeps } from './deps.js';
import { resolveOrFail, scrubbed, whileHeartbeating } from './guards.js';
import { triggerForEvents } from './log-triggers.js';

export type CollectInput = { monitorId: string; connector: NamedConnector; check: CheckSpec; at: string };

export type BaselinesInput = {
  monitorId: string;
  rules: Rule[];
  at: string;
  toleranceMs: number;
  timeZone: string;
  current?: number | null;
};

/** Tries `work` with a deadline per try; a non-retryable failure (a configuration error) or cancellation ends it early. */
export async function withRetries<T>(
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
        signal.addEventListener(
          'abort',
          () =>
            reject(new CollectError(cancelled.aborted ? 'cancelled' : `no answer within ${formatDuration(timeoutMs)}`)),
          { once: true },
        ),
      );
      deadline.catch(() => undefined); // the deadline passing after the work finished is nobody's error
      return await Promise.race([work(signal), deadline]);
    } catch (err) {
      if (
        attempt >= policy.maximumAttempts ||
        cancelled.aborted ||
        (err instanceof ApplicationFailure && err.nonRetryable)
      )
        throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait *= policy.backoffCoefficient;
  }
}

/** One try at a check's measurement; `signal` ends it (activity cancelled, or the try's deadline). */
export async function collectWith(deps: ActivityDeps, input: CollectInput, signal: AbortSignal): Promise<Measurement> {
  const metrics = deps.metrics;
  const live = resolveOrFail(() => deps.connectors.get(input.connector));
  let measurement: Measurement;
  try {
    // The source call as a span of its own under the activity's (a no-op without tracing).
    const collect = () =>
      inSpan(
        `${input.connector.type} ${input.check.type}`,
        {
          'pipewatch.monitor': input.monitorId,
          'pipewatch.connector': input.connector.id,
          'pipewatch.check': input.check.type,
        },
        () =>
          live.value.collect({
            check: input.check,
            at: new Date(input.at),
            signal,
            monitorId: input.monitorId,
            store: deps.store,
          }),
      );
    measurement = redactSecretsDeep(
      await (metrics
        ? timed(collect, (seconds, ok) => metrics.observeCollect(input.check.type, seconds, ok ? 'ok' : 'error'))
        : collect()),
      live.secrets,
    );
  } catch (err) {
    throw scrubbed(err, live.secrets, 'CollectError');
  }
  // pipewatch's own schedules (the self-monitor): their figures as Prometheus gauges too.
  if (input.check.type === 'schedules')
    metrics?.observeSchedules?.(input.check.project ?? '', measurement.details ?? {});
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
}

/** Baselines the rules need (previous run, yesterday, last week, anomaly statistics), computed next to the data. */
export async function baselinesFor(deps: ActivityDeps, input: BaselinesInput): Promise<Baselines> {
  const at = Date.parse(input.at);
  const points = await deps.store.pointsBetween(
    input.monitorId,
    new Date(at - historyNeededMs(input.rules) - input.toleranceMs),
    new Date(at),
  );
  return computeBaselines(input.rules, points, at, {
    toleranceMs: input.toleranceMs,
    timeZone: input.timeZone,
    current: input.current,
  });
}

export function collectActivities(deps: ActivityDeps) {
  return {
    async collect(input: CollectInput): Promise<Measurement> {
      return collectWith(deps, input, Context.current().cancellationSignal);
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
        const live = input.stages.map((stage) => ({
          stage,
          ...resolveOrFail(() => deps.connectors.get(stage.connector)),
        }));
        try {
          const result = await reconcileStages({
            pipeline: input.pipeline,
            stages: live.map((l) => ({ stage: l.stage, connector: l.value })),
            check: input.check,
            at: Date.parse(input.at),
            onProgress: () => Context.current().heartbeat(),
          });
          await deps.store.recordStageCounts(
            input.pipeline,
            result.window,
            result.judgements.map((j) => ({ stage: j.stage, count: j.count, lost: j.lost })),
          );
          return redactSecretsDeep(
            result.measurement,
            live.flatMap((l) => [...l.secrets]),
          );
        } catch (err) {
          throw scrubbed(
            err,
            live.flatMap((l) => [...l.secrets]),
            'CollectError',
          );
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
          const stateful =
            input.check.rule === 'any' || (input.check.rule === 'flatline' && input.check.queryKey !== undefined);
          const previous = stateful
            ? ((await deps.store.logCursor(input.monitorId)) as LogRuleState | undefined)
            : undefined;
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
    baselines: (input: BaselinesInput) => baselinesFor(deps, input),
  };
}
