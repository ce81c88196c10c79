// From the raw config's monitors to MonitorDefinitions: references resolved (connector, pipeline
// stages, results sink), what each connector asks of its checks and stages (its descriptor,
// connectors/<type>/descriptor.ts), rules in the check's unit, the schedule, flap settings and the
// content hash that versions each definition.
import { createHash } from 'node:crypto';
import {
  checkPerspective,
  checksOf,
  checkRuleProblems,
  checkUnit,
  connectorDescriptor,
  defaultEveryMs,
  runsCheck,
} from '../connectors/descriptors.js';
import type { ConnectorDescriptor, SourceField } from '../connectors/descriptor.js';
import type { Unit } from '../evaluation/types.js';
import { parseDuration } from './duration.js';
import { graphFacts } from './graph.js';
import { mayJoinGroup } from './groups.js';
import { isEventLikeRule, keyedRuleProblem, logRuleLints } from './log-rules.js';
import type {
  MonitorDefinition,
  MonitorSchedule,
  NamedConnector,
  NotificationPolicy,
  PipelineStage,
  ResultsSink,
  Rule,
} from './model.js';
import { unknownRef, type ConfigPath, type Report } from './problems.js';
import type { PipewatchConfigRaw, RuleSpec } from './schema.js';

/** Fields of a check that name a table, index or field of its connector's store, checked by the connector's rules. */
const SOURCE_FIELDS: readonly SourceField[] = ['dataset', 'timestamp', 'uniqueId'];

/** The monitors of a config; `joinable` gets the ids of those that may run in a cadence group. */
export function normalise(
  raw: PipewatchConfigRaw,
  notification: NotificationPolicy,
  problem: Report,
  joinable: Set<string>,
  warn: Report = () => undefined,
): MonitorDefinition[] {
  const seen = new Map<string, number>();
  const out: MonitorDefinition[] = [];
  const connectorIds = Object.keys(raw.connectors);
  const sink = resultsSink(raw, problem);
  // Stage, dependencies and correlation from the pipeline graph (config/graph.ts).
  const graph = graphFacts(raw, problem, unknownRef);

  raw.monitors.forEach((m, i) => {
    const at = (...rest: ConfigPath): ConfigPath => ['monitors', i, ...rest];
    const before = seen.get(m.id);
    if (before !== undefined)
      problem(at('id'), `duplicate monitor id "${m.id}" (first declared at monitors[${before}])`);
    else seen.set(m.id, i);

    let connector: NamedConnector | undefined;
    let stages: PipelineStage[] | undefined;
    if (m.check.type === 'stageCounts') {
      if (m.connector)
        problem(at('connector'), 'a stageCounts check reads the stages of its pipeline; remove "connector"');
      stages = pipelineStages(raw, m.check.pipeline, at('check', 'pipeline'), problem);
    } else if (!m.connector) {
      problem(
        at('connector'),
        `required: the connector this ${m.check.type} check runs on; declared connectors: ${connectorIds.join(', ') || '(none)'}`,
      );
    } else if (!raw.connectors[m.connector]) {
      problem(at('connector'), unknownRef('connector', m.connector, connectorIds));
    } else {
      const spec = raw.connectors[m.connector]!;
      connector = { id: m.connector, ...spec };
      const descriptor = connectorDescriptor(spec.type) as ConnectorDescriptor;
      if (!runsCheck(spec.type, m.check.type)) {
        problem(
          at('check', 'type'),
          `a ${spec.type} connector cannot run a ${m.check.type} check; it runs ${checksOf(spec.type).join(', ')}`,
        );
      } else {
        // What the connector itself asks of a check, then the names a check gives its store (count, freshness).
        const own = descriptor.checkProblem?.(m.check);
        if (own) problem(at('check', own.field), own.message);
        else {
          for (const field of SOURCE_FIELDS) {
            const value = (m.check as Partial<Record<SourceField, unknown>>)[field];
            const why = typeof value === 'string' ? descriptor.sourceNameProblem?.(field, value) : undefined;
            if (why) problem(at('check', field), why);
          }
        }
      }
    }
    const cadence = defaultEveryMs(m.check.type);
    const scheduleRaw = m.schedule ?? (cadence ? { every: cadence, catchupWindow: 300_000 } : raw.defaults.schedule);
    if (!scheduleRaw)
      problem(at('schedule'), 'no schedule: give the monitor "schedule: { every: 5m }" or set defaults.schedule');

    const unit = checkUnit(m.check);
    const rules = m.rules.map((r, j) => normaliseRule(r, unit, (path, msg) => problem(at('rules', j, ...path), msg)));
    if (m.check.type === 'logs') {
      if (m.check.queryKey)
        rules.forEach((r, j) => {
          const why = keyedRuleProblem(r.kind);
          if (why) problem(at('rules', j), why);
        });
      for (const lint of logRuleLints(m.check, m.flap)) warn(at('flap', 'failAfter'), lint);
    }
    // What a check's descriptor says its rules cannot ask (a promql check per series, or over a range).
    if (connector) for (const p of checkRuleProblems(m.check, rules)) problem(at(...p.path), p.message);
    if ((!connector && !stages) || !scheduleRaw) return;

    const schedule: MonitorSchedule = {
      everyMs: scheduleRaw.every,
      ...(scheduleRaw.every !== undefined
        ? { offsetMs: scheduleRaw.offset ?? spreadOffset(m.id, scheduleRaw.every) }
        : {}),
      cron: scheduleRaw.cron,
      timezone: scheduleRaw.timezone ?? 'UTC',
      jitterMs: scheduleRaw.jitter,
      catchupWindowMs: scheduleRaw.catchupWindow,
    };
    const definition: Omit<MonitorDefinition, 'version'> = {
      id: m.id,
      description: m.description,
      perspective: m.perspective ?? checkPerspective(m.check.type),
      pipeline: m.pipeline,
      labels: m.labels,
      runbook: m.runbook,
      connector,
      check: m.check,
      stages,
      ...(m.check.type === 'logs' && m.check.trigger?.archive
        ? {
            archiveTrigger: {
              knownPasswords: Object.fromEntries(
                Object.entries(raw.archives.sources).map(([k, v]) => [k, v.passwords]),
              ),
              limits: {
                maxEntries: raw.archives.maxEntries,
                maxBytes: raw.archives.maxBytes,
                maxRatio: raw.archives.maxRatio,
              },
              intervention: {
                receiver: raw.interventions.receiver ?? notification.routing.receiver,
                remindEveryMs: raw.interventions.remindEvery,
                deadlineMs: raw.interventions.deadline,
                defaultAction: raw.interventions.defaultAction,
              },
            },
          }
        : {}),
      unit,
      rules,
      schedule,
      // Event-like log rules report a one-shot event: they open on their first failing run unless the monitor says otherwise.
      flap: {
        ...raw.defaults.flap,
        ...(m.check.type === 'logs' && isEventLikeRule(m.check.rule) ? { failAfter: 1 } : {}),
        ...m.flap,
      },
      notification,
      // Only when configured, so monitors of configs without a sink keep their version.
      ...(sink ? { sink } : {}),
      ...graph[i],
    };
    const versioned = withVersion(definition);
    out.push(versioned);
    if (mayJoinGroup(versioned, scheduleRaw as { own?: boolean; offset?: number })) joinable.add(m.id);
  });
  return out;
}

/** sinks.elasticsearch, resolved to its connector: an elasticsearch one. */
function resultsSink(raw: PipewatchConfigRaw, problem: Report): ResultsSink | undefined {
  const spec = raw.sinks.elasticsearch;
  if (!spec) return undefined;
  const connector = raw.connectors[spec.connector];
  if (!connector) {
    problem(
      ['sinks', 'elasticsearch', 'connector'],
      unknownRef('connector', spec.connector, Object.keys(raw.connectors)),
    );
    return undefined;
  }
  if (connector.type !== 'elasticsearch') {
    problem(
      ['sinks', 'elasticsearch', 'connector'],
      `connector "${spec.connector}" is a ${connector.type} connector; monitor results go to an elasticsearch connector`,
    );
    return undefined;
  }
  return { connector: { id: spec.connector, ...connector }, index: spec.index };
}

function pipelineStages(
  raw: PipewatchConfigRaw,
  pipelineId: string,
  path: ConfigPath,
  problem: Report,
): PipelineStage[] | undefined {
  const pipeline = raw.pipelines[pipelineId];
  if (!pipeline) {
    problem(path, unknownRef('pipeline', pipelineId, Object.keys(raw.pipelines)));
    return undefined;
  }
  const stages: PipelineStage[] = [];
  const seen = new Set<string>();
  pipeline.stages.forEach((s, i) => {
    const at = (...rest: ConfigPath): ConfigPath => ['pipelines', pipelineId, 'stages', i, ...rest];
    if (seen.has(s.id)) problem(at('id'), `duplicate stage id "${s.id}"`);
    seen.add(s.id);
    const spec = raw.connectors[s.connector];
    if (!spec) {
      problem(at('connector'), unknownRef('connector', s.connector, Object.keys(raw.connectors)));
      return;
    }
    const descriptor = connectorDescriptor(spec.type) as ConnectorDescriptor;
    for (const field of ['dataset', 'uniqueId', 'timestamp'] as const) {
      const why = descriptor.sourceNameProblem?.(field, s[field]);
      if (why) problem(at(field), why);
    }
    const own = descriptor.stageProblem?.(s);
    if (own) problem(at(own.field), own.message);
    if (i === 0 && s.expectedRatio !== undefined)
      problem(at('expectedRatio'), 'the first stage has no previous stage to be compared with');
    stages.push({
      id: s.id,
      connector: { id: s.connector, ...spec },
      dataset: s.dataset,
      uniqueId: s.uniqueId,
      timestamp: s.timestamp,
      expectedRatio: s.expectedRatio,
      tolerance: s.tolerance,
      normalise: s.normalise,
    });
  });
  return stages.length === pipeline.stages.length ? stages : undefined;
}

function normaliseRule(r: RuleSpec, unit: Unit, problem: Report): Rule {
  const value = (v: number | string, path: ConfigPath): number => {
    if (typeof v === 'number') return v;
    const ms = parseDuration(v);
    if (ms === undefined) {
      problem(path, `"${v}" is neither a number nor a duration such as "15m"`);
      return NaN;
    }
    if (unit !== 'seconds') {
      problem(path, `"${v}" is a duration, but this check measures ${unit}; write a number`);
      return NaN;
    }
    return ms / 1000;
  };
  const base = { severity: r.severity, summary: r.summary };
  const moving = { ...base, direction: r.direction };
  if (r.above !== undefined) return { kind: 'above', threshold: value(r.above, ['above']), ...base };
  if (r.below !== undefined) return { kind: 'below', threshold: value(r.below, ['below']), ...base };
  if (r.equals !== undefined) return { kind: 'equals', threshold: value(r.equals, ['equals']), ...base };
  if (r.outside !== undefined) {
    const low = value(r.outside[0], ['outside', 0]);
    const high = value(r.outside[1], ['outside', 1]);
    if (low > high) problem(['outside'], `the range is written low to high; got [${r.outside[0]}, ${r.outside[1]}]`);
    return { kind: 'outside', range: [low, high], ...base };
  }
  if (r.changeVs !== undefined)
    return { kind: 'changeVs', baseline: r.changeVs.baseline, percent: r.changeVs.percent, ...moving };
  if (r.rising !== undefined) return { kind: 'rising', runs: r.rising, ...base };
  if (r.percentile !== undefined) {
    return {
      kind: 'percentile',
      percentile: { p: r.percentile.p, overMs: r.percentile.over },
      threshold: value(r.percentile.above, ['percentile', 'above']),
      ...base,
    };
  }
  if (r.anomaly !== undefined) {
    const a = r.anomaly;
    return {
      kind: 'anomaly',
      anomaly: {
        sensitivity: a.sensitivity,
        trainingMs: a.training,
        minHistory: a.minHistory,
        seasonality: a.seasonality,
        minDeviation: a.minDeviation,
      },
      ...moving,
    };
  }
  return { kind: 'changePercent', percent: r.changePercent!, ...moving };
}

/**
 * Where in its interval a monitor ticks when the config does not say: whole
 * seconds from a hash of its id. Interval schedules all tick on multiples of
 * their interval since the epoch, so without it every 1m monitor starts on
 * the same second — a burst the Temporal scheduler drains slowly enough, at a
 * thousand monitors, to skip ticks (BENCHMARKS.md, "Scale"). Prometheus
 * spreads its scrapes the same way. Stable: the same id keeps its second.
 */
export function spreadOffset(monitorId: string, everyMs: number): number {
  const seconds = Math.floor(everyMs / 1000);
  if (seconds < 2) return 0;
  return (createHash('sha256').update(monitorId).digest().readUInt32BE(0) % seconds) * 1000;
}

/**
 * Revision of what a monitor's schedule starts beyond its definition (the run's options, e.g. its workflow task
 * timeout). Part of every version, so a change to it updates each schedule once at the next sync.
 * 2: monitor and group runs take a 5 s workflow task timeout (schedules/sync.ts CHECK_TASK_TIMEOUT).
 */
export const SCHEDULE_ACTION_REVISION: number = 2;

/** The content hash that versions a monitor; key order does not matter. */
export function withVersion(definition: Omit<MonitorDefinition, 'version'>): MonitorDefinition {
  const revision = SCHEDULE_ACTION_REVISION === 1 ? '' : `\nschedule action ${SCHEDULE_ACTION_REVISION}`;
  const version = createHash('sha256')
    .update(stableJson(definition) + revision)
    .digest('hex')
    .slice(0, 16);
  return { ...definition, version };
}

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
