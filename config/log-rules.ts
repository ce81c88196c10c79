// What a log rule may say, beyond its schema: options that belong to one rule
// type, ElastAlert2 spellings pipewatch replaced, rules a keyed monitor cannot
// judge per key — refused at load with what to write instead — and the lints
// `validate` prints for settings that load but probably do not mean what they
// say (a one-shot event swallowed by flap control).

/** The parts of a logs check these checks read (the schema's type, structurally). */
interface LogsCheckShape {
  rule: string;
  queryKey?: string | string[];
  field?: string | string[];
  forgetKeys?: boolean;
  minCount?: number;
  thresholdRef?: number;
  thresholdCur?: number;
  alertOnNewData?: boolean;
  expect?: string[];
}

/** Event-like rules: what they report happened once; an incident opens on the first failing run by default. */
export const EVENT_LIKE_RULES = ['any', 'new_term', 'frequency', 'cardinality'] as const;

export function isEventLikeRule(rule: string): boolean {
  return (EVENT_LIKE_RULES as readonly string[]).includes(rule);
}

/** ElastAlert2 rule types pipewatch does not have, and what to write instead. */
const INSTEAD: Record<string, string> = {
  blacklist: 'rule any with a query on the compare key: query: \'term:(bad OR "really bad")\'',
  whitelist: 'rule any with a negated query: query: \'term:* AND NOT term:(good OR "also good")\'',
  change: 'rule new_term on the compare key with queryKey (a value not seen in lookback for that key)',
  percentage_match:
    'two monitors (frequency of the matching events, and of all events), or a sql/count check that computes the ratio',
  metric_aggregation: 'rule metric with field and metric (avg, min, max, sum)',
  spike_aggregation: 'rule spike (event counts), or rule metric with above/below',
};

/** The message for a rule type that is not one of pipewatch's. */
export function unknownLogRule(input: unknown): string {
  const name = String(input);
  const known = 'any, frequency, flatline, spike, new_term, cardinality, metric';
  return INSTEAD[name]
    ? `ElastAlert2's ${name} rule is not a pipewatch rule type; write ${INSTEAD[name]}`
    : `a log rule is one of ${known}; got ${JSON.stringify(input)}`;
}

/** Problems of a logs check on its own, each with the field it is about. */
export function logRuleProblems(c: LogsCheckShape): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  if (c.minCount !== undefined) {
    out.push({
      field: 'minCount',
      message:
        "minCount is gone: write thresholdRef (events the previous window needs, ElastAlert2's threshold_ref) and/or thresholdCur (events the current window needs, threshold_cur)",
    });
  }
  if (Array.isArray(c.field) && c.rule !== 'new_term') {
    out.push({
      field: 'field',
      message: `a ${c.rule} rule looks at one field; a list of fields (a compound term) is for new_term`,
    });
  }
  if (c.forgetKeys && !(c.rule === 'flatline' && c.queryKey)) {
    out.push({
      field: 'forgetKeys',
      message: 'forgetKeys is for flatline with queryKey (keys that went silent); remove it here',
    });
  }
  if (c.alertOnNewData && !(c.rule === 'spike' && c.queryKey)) {
    out.push({
      field: 'alertOnNewData',
      message:
        'alertOnNewData is for spike with queryKey (keys without events in the reference window); remove it here',
    });
  }
  if (c.rule !== 'spike' && (c.thresholdRef || c.thresholdCur)) {
    out.push({
      field: c.thresholdRef ? 'thresholdRef' : 'thresholdCur',
      message: `thresholdRef and thresholdCur are for spike; a ${c.rule} rule's rules (above/below) are its thresholds`,
    });
  }
  if (c.expect && !(c.rule === 'flatline' && c.queryKey)) {
    out.push({
      field: 'expect',
      message: 'expect names keys a flatline with queryKey must hear from; use it with rule flatline and queryKey',
    });
  }
  return out;
}

/** Rule kinds that compare with the monitor's own history: one series, not one per key. */
const HISTORY_RULES = ['changePercent', 'changeVs', 'anomaly', 'rising', 'percentile'];

/** A rule a keyed log monitor cannot judge per key, with the advice; undefined when it can. */
export function keyedRuleProblem(kind: string): string | undefined {
  if (!HISTORY_RULES.includes(kind)) return undefined;
  return `a ${kind} rule compares the monitor's one series with its history, but with queryKey each key is judged on its own: use above, below, equals or outside, or drop queryKey`;
}

/**
 * Lints: settings that load and run as written but swallow what an event-like
 * rule reports (it is true for one run and gone the next).
 */
export function logRuleLints(c: LogsCheckShape, flap: { failAfter?: number } | undefined): string[] {
  const out: string[] = [];
  if (isEventLikeRule(c.rule) && flap?.failAfter !== undefined && flap.failAfter > 1) {
    out.push(
      `flap.failAfter ${flap.failAfter} on rule ${c.rule}: an event reported by one run only (a single new event, a new term, a short burst) never opens an incident; remove flap.failAfter to alert on the first run`,
    );
  }
  return out;
}
