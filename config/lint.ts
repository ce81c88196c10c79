// Lints: settings that load and run exactly as written but cannot be what the author meant — a rule
// that can never fire for its check, a monitor that looks at less time than passes between its runs.
// They are warnings (`validate` prints them, `validate --strict` fails on them) unless a lint says
// the file must be refused, then it reports a problem.
//
// Adding a lint: write a function of the shape `Lint` below and add it to LINTS. Report with
// `warn(path, message)` (or `problem(path, message)` for an error) where path is the place in the
// file, e.g. ['monitors', i, 'rules', j, 'below']; the loader turns it into file:line:column, maps
// it back when part of the file was refused, and cuts long values in the message. Only add lints
// that are certainly right: every one of them fails CI under --strict.
import type { MonitorDefinition, Rule } from './model.js';
import type { CheckSpec, PipewatchConfigRaw } from './schema.js';
import { formatDuration } from './duration.js';

export type LintPath = Array<string | number>;

export interface LintReport {
  /** Refuses the file. */
  problem(path: LintPath, message: string): void;
  /** Lets it load; shown by validate, a failure under --strict. */
  warn(path: LintPath, message: string): void;
}

export interface LintInput {
  raw: PipewatchConfigRaw;
  /** The monitors that normalised (with references resolved). */
  monitors: MonitorDefinition[];
}

type Lint = (input: LintInput, report: LintReport) => void;

export function lintConfig(input: LintInput, report: LintReport): void {
  for (const lint of LINTS) lint(input, report);
}

/** Each raw monitor with its index in the file and its normalised definition, when it has one. */
function eachMonitor(input: LintInput): Array<{ i: number; definition: MonitorDefinition }> {
  const byId = new Map(input.monitors.map((m) => [m.id, m]));
  return input.raw.monitors.flatMap((m, i) => {
    const definition = byId.get(m.id);
    return definition && definition.check === m.check ? [{ i, definition }] : [];
  });
}

// ------------------------------------------------------------ rules that can never fire

/**
 * The values a check can produce, where that is certain. A value that could not be measured
 * counts as larger than any threshold (evaluation/rules.ts), so an upper bound is only given for
 * checks that always measure a number (host disk and memory).
 */
export function valueRange(check: CheckSpec): { min: number; max: number } | undefined {
  switch (check.type) {
    case 'disk':
    case 'memory':
      return { min: 0, max: 100 };
    case 'count':
    case 'stageCounts':
    case 'queue':
    case 'load':
    case 'cluster':
    case 'taskQueue':
    case 'schedules':
    case 'interventions':
    case 'kubeEvents':
    case 'podHealth':
    case 'cronJobs':
    case 'http':
      return { min: 0, max: Infinity };
    case 'logs':
      // Counts of events or values; metric (a field's average …) and spike (a ratio) are left out.
      return ['any', 'frequency', 'flatline', 'new_term', 'cardinality'].includes(check.rule)
        ? { min: 0, max: Infinity }
        : undefined;
    default:
      // freshness (a clock ahead of the database makes ages negative), sql (any number), database.
      return undefined;
  }
}

/** Why a rule can never fire on values in range, or undefined. */
export function neverFires(
  rule: Rule,
  range: { min: number; max: number },
  unit: string,
): { field: LintPath; why: string } | undefined {
  const { min, max } = range;
  const values = max === Infinity ? `${unit} are never below ${min}` : `${unit} are between ${min} and ${max}`;
  switch (rule.kind) {
    case 'above':
      return rule.threshold! >= max
        ? { field: ['above'], why: `above: ${rule.threshold} can never fire: ${values}` }
        : undefined;
    case 'below':
      return rule.threshold! <= min
        ? {
            field: ['below'],
            why: `below: ${rule.threshold} can never fire: ${values}${min === 0 ? '; to alert on none at all write "below: 1"' : ''}`,
          }
        : undefined;
    case 'equals':
      return rule.threshold! < min || rule.threshold! > max
        ? { field: ['equals'], why: `equals: ${rule.threshold} can never fire: ${values}` }
        : undefined;
    case 'outside':
      return rule.range![0] <= min && rule.range![1] >= max
        ? { field: ['outside'], why: `outside: [${rule.range!.join(', ')}] can never fire: ${values}` }
        : undefined;
    default:
      return undefined;
  }
}

const rulesThatCannotFire: Lint = (input, { warn }) => {
  for (const { i, definition } of eachMonitor(input)) {
    const range = valueRange(definition.check);
    if (!range) continue;
    definition.rules.forEach((rule, j) => {
      const found = neverFires(rule, range, `the values of a ${definition.check.type} check (${definition.unit})`);
      if (found) warn(['monitors', i, 'rules', j, ...found.field], found.why);
    });
  }
};

// ------------------------------------------------------------ runs slower than the window

/** The stretch of time one run looks at, where runs are meant to cover all of time between them. */
function lookedAt(check: CheckSpec): { field: string; ms: number; what: string } | undefined {
  switch (check.type) {
    case 'count':
      if (check.window !== undefined) return { field: 'window', ms: check.window, what: 'records stored' };
      if (check.bucket !== undefined) return { field: 'bucket', ms: check.bucket, what: 'buckets completed' };
      return undefined;
    case 'stageCounts':
      return { field: 'window', ms: check.window, what: 'windows settled' };
    case 'kubeEvents':
      return { field: 'window', ms: check.window, what: 'events' };
    case 'logs':
      // `any` reads from a cursor kept across runs, so it misses nothing whatever the schedule.
      return check.rule === 'any' ? undefined : { field: 'window', ms: check.window, what: 'log events' };
    default:
      return undefined;
  }
}

const scheduleSlowerThanWindow: Lint = (input, { warn }) => {
  for (const { i, definition } of eachMonitor(input)) {
    const every = definition.schedule.everyMs;
    const looked = lookedAt(definition.check);
    if (every === undefined || !looked || every <= looked.ms) continue;
    const gap = formatDuration(every - looked.ms);
    warn(
      ['monitors', i, 'check', looked.field],
      `the monitor runs every ${formatDuration(every)} but its ${looked.field} is ${formatDuration(looked.ms)}: ${looked.what} in the ${gap} between one run's ${looked.field} and the next are never checked; run at least every ${formatDuration(looked.ms)} or make the ${looked.field} ${formatDuration(every)}`,
    );
  }
};

const LINTS: Lint[] = [rulesThatCannotFire, scheduleSlowerThanWindow];
