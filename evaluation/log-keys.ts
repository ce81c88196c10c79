// Keyed log rules (queryKey): each key judged on its own, with its own flap
// state and its own alert — ElastAlert2's query_key, where one key's spike
// is an alert of its own and never hidden behind another key's. Pure: the
// verdicts run in the monitor workflow, the names in the store and incidents.
import type { Rule } from '../config/model.js';
import type { Labels } from './matchers.js';
import type { Baselines } from './history.js';
import { evaluate } from './rules.js';
import { isFailing, STATUS_RANK, type KeyedValue, type Measurement, type Verdict } from './types.js';

/** The monitor state (and alert) id of one key: "parse-errors[intel]". */
export function keyStateId(monitorId: string, key: string): string {
  return `${monitorId}[${key}]`;
}

/** Whether a state id is one of this monitor's keys. */
export function isKeyStateOf(monitorId: string, stateId: string): boolean {
  return stateId.startsWith(`${monitorId}[`) && stateId.endsWith(']');
}

/** The key a key state id names. */
export function keyOfState(monitorId: string, stateId: string): string {
  return stateId.slice(monitorId.length + 1, -1);
}

/** A key's alert labels: the monitor's, plus key=<value> for routes to group on. */
export function keyLabels(labels: Labels, key: string): Labels {
  return { ...labels, key };
}

/** Flap control of the monitor's own state when its keys alert: it records the worst key, and never opens. */
export const NEVER_OPENS = Number.MAX_SAFE_INTEGER;

/**
 * Each key's verdict under the monitor's rules; the monitor's verdict is the
 * worst key's status, with how many keys fail. A key with no data (a metric
 * over no events) is judged by no rule.
 */
export function keyedVerdict(
  rules: Rule[],
  m: Measurement,
  describe: string,
  baselinesOf: (k: KeyedValue) => Baselines = () => ({}),
): Verdict {
  const shared = { ...(m.details ?? {}) };
  delete shared.groups;
  const keys = (m.keys ?? []).map((k) => {
    const measurement: Measurement = {
      ...m,
      value: k.value,
      details: { ...shared, ...(k.details ?? {}), key: k.key },
      keys: undefined,
      points: undefined,
      noData: k.value === null && k.details?.noData === true,
    };
    const verdict = evaluate(rules, measurement, baselinesOf(k), `${describe} for ${k.key}`);
    return { key: k.key, verdict, ...(k.labels ? { labels: k.labels } : {}) };
  });
  // No key has a value now: judged as one, and an empty list, so keys still alerting get a healthy run.
  if (keys.length === 0)
    return { ...evaluate(rules, { ...m, keys: undefined, points: undefined }, {}, describe), keys: [] };
  const worst = keys.reduce((a, b) => (STATUS_RANK[b.verdict.status] > STATUS_RANK[a.verdict.status] ? b : a));
  const failing = keys.filter((k) => isFailing(k.verdict.status));
  const reason = failing.length
    ? `${failing.length} of ${keys.length} keys failing; ${worst.verdict.reason}`
    : `all ${keys.length} keys within all rules`;
  return {
    status: worst.verdict.status,
    value: m.value,
    unit: m.unit,
    rule: worst.verdict.rule,
    reason,
    details: m.details,
    observedAt: m.observedAt,
    keys,
  };
}
