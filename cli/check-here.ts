// Runs one monitor's check in this process, the way a monitor run does but
// without Temporal: `pipewatch run` uses it.
import type { MonitorDefinition } from '../config/model.js';
import { redactSecrets, redactSecretsDeep } from '../config/env.js';
import type { ResolvedCache } from '../config/resolved-cache.js';
import type { NamedConnector } from '../config/model.js';
import { evaluateLogRule } from '../connectors/logs.js';
import { reconcileStages } from '../connectors/stages.js';
import type { HistoryStore } from '../store/history.js';
import type { Connector } from '../connectors/types.js';
import { lateness } from '../evaluation/freshness.js';
import { couldNotCheck, evaluate } from '../evaluation/rules.js';
import type { SeriesPoints, Verdict } from '../evaluation/types.js';
import { pointBaselines } from '../evaluation/history.js';
import { keyedVerdict } from '../evaluation/log-keys.js';
import { describeCheck } from '../evaluation/check.js';

export async function checkHere(
  monitor: MonitorDefinition,
  at: Date,
  connectors: ResolvedCache<NamedConnector, Connector>,
  store?: HistoryStore,
): Promise<Verdict> {
  const secrets = new Set<string>();
  try {
    const check = monitor.check;
    let measurement;
    if (check.type === 'stageCounts') {
      const stages = monitor.stages!.map((stage) => {
        const live = connectors.get(stage.connector);
        live.secrets.forEach((s) => secrets.add(s));
        return { stage, connector: live.value };
      });
      measurement = (await reconcileStages({ pipeline: check.pipeline, stages, check, at: at.getTime() })).measurement;
    } else if (check.type === 'logs') {
      const live = connectors.get(monitor.connector!);
      live.secrets.forEach((s) => secrets.add(s));
      if (!live.value.logSource || !store)
        throw new Error(`connector ${monitor.connector!.id} cannot be read for logs here`);
      // Here and now, "any" counts the window's events: the monitor's own cursor is left alone.
      measurement = (await evaluateLogRule(await live.value.logSource(check, { store }), check, at, undefined))
        .measurement;
    } else {
      const live = connectors.get(monitor.connector!);
      live.secrets.forEach((s) => secrets.add(s));
      // No store here: conditions are timed by what the source itself reports.
      measurement = await live.value.collect({ check, at });
    }
    if (check.type === 'freshness' && check.expected) measurement = lateness(measurement, check.expected, at.getTime());
    measurement = redactSecretsDeep(measurement, secrets);
    const describe = describeCheck(monitor, measurement.details);
    // A range query's own points are judged here as in a monitor run; stored history is not read here.
    const observedAt = measurement.observedAt;
    const fromPoints = (points: SeriesPoints | undefined, value: number | null) =>
      points ? pointBaselines(monitor.rules, points, observedAt, value) : {};
    if (measurement.keys)
      return keyedVerdict(monitor.rules, measurement, describe, (k) => fromPoints(k.points, k.value));
    return evaluate(monitor.rules, measurement, fromPoints(measurement.points, measurement.value), describe);
  } catch (err) {
    return couldNotCheck(redactSecrets((err as Error).message, secrets), monitor.unit, at.toISOString());
  }
}
