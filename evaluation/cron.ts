// Five-field cron expressions (minute hour day-of-month month day-of-week) for
// recurring maintenance windows, producers' schedules and Kubernetes CronJobs,
// read as robfig/cron v3's ParseStandard reads them — the parser Kubernetes'
// CronJob controller uses (descriptors, "@every", TZ=/CRON_TZ= prefixes, "?",
// day of week 0-6) — and evaluated in an IANA time zone by wall clock: a time
// skipped by a spring-forward does not run, one repeated by a fall-back runs
// at each instant. Day of month and day of week both restricted (neither
// written "*" or "?") mean either. Pure and deterministic: workflows use it.
// Ported cases: test/unit/cron-robfig.test.ts; DST weekends: test/unit/cron.test.ts.

export interface CronSpec {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** Both day fields restricted: a day matches if either matches (robfig's star bit rule). */
  dayOr: boolean;
  /** "@every <duration>": a run every so long after the previous one, not a calendar (robfig's ConstantDelaySchedule). */
  everyMs?: number;
  /** The zone of a TZ= or CRON_TZ= prefix. */
  zone?: string;
}

export interface FieldBounds {
  name: string;
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

export const CRON_FIELDS: readonly FieldBounds[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // robfig/cron: 0-6 only; "7" is refused (Sunday is 0), and N/step stops at Saturday.
  { name: 'day of week', min: 0, max: 6, names: DAYS },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A field's values and whether it was written with "*" or "?" (step 1), which turns off the either-day rule. */
export interface ParsedField {
  values: Set<number>;
  star: boolean;
}

// Go's strconv.Atoi: optional sign, decimal digits.
function atoi(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

function intOrName(text: string, field: FieldBounds): number | string {
  const named = field.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  const n = atoi(text);
  if (n === undefined)
    return `"${text}" is not a valid ${field.name} (${field.min}-${field.max}${field.names ? ` or a name such as ${Object.keys(field.names)[1]}` : ''})`;
  if (n < 0) return `negative number ${text} in ${field.name}`;
  return n;
}

/** One field: comma-separated items, each N, N-M, *, ? with an optional /step ("N/step" runs to the field's maximum). */
export function parseCronField(text: string, field: FieldBounds): ParsedField | string {
  const values = new Set<number>();
  let star = false;
  for (const item of text.split(',').filter((s) => s !== '')) {
    const slash = item.split('/');
    if (slash.length > 2) return `too many slashes in ${field.name} "${item}"`;
    const dash = slash[0]!.split('-');
    let start: number;
    let end: number;
    let itemStar = false;
    if (dash[0] === '*' || dash[0] === '?') {
      [start, end, itemStar] = [field.min, field.max, true];
    } else {
      if (dash.length > 2) return `too many hyphens in ${field.name} "${item}"`;
      const lo = intOrName(dash[0]!, field);
      if (typeof lo === 'string') return lo;
      const hi = dash.length === 2 ? intOrName(dash[1]!, field) : lo;
      if (typeof hi === 'string') return hi;
      [start, end] = [lo, hi];
    }
    let step = 1;
    if (slash.length === 2) {
      const s = atoi(slash[1]!);
      if (s === undefined) return `the step of ${field.name} "${item}" is not a number`;
      if (s < 0) return `negative step in ${field.name} "${item}"`;
      step = s;
      if (dash.length === 1) end = field.max;
      if (step > 1) itemStar = false;
    }
    if (start < field.min || end > field.max) {
      return `${field.name} "${item}" is out of range (${field.min}-${field.max})${field.name === 'day of week' && end === 7 ? '; Sunday is 0, as Kubernetes reads it' : ''}`;
    }
    if (start > end) return `${field.name} "${item}" starts after it ends`;
    if (step === 0) return `step 0 in ${field.name} "${item}"; a step is 1 or more`;
    for (let n = start; n <= end; n += step) values.add(n);
    star ||= itemStar;
  }
  return { values, star };
}

// Go's time.ParseDuration, for "@every": a sequence of decimal numbers with units.
const GO_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const [, num, unit] of m[2]!.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    total += Number(num) * GO_UNITS[unit!]!;
  return m[1] === '-' ? -total : total;
}

/** Whether the zone is one this runtime (ICU) knows; Kubernetes and Temporal check with Go's time.LoadLocation. */
export function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a configured time zone would not work, or undefined. ICU accepts any
 * letter case ("europe/berlin"); Go's LoadLocation, which Temporal and
 * Kubernetes use, does not — so the exact spelling is asked for.
 */
export function timeZoneProblem(zone: string): string | undefined {
  if (!knownTimeZone(zone)) return `"${zone}" is not an IANA time zone such as "Europe/Berlin" or "UTC"`;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase())
    return `time zone names are case-sensitive: write "${resolved}"`;
  return undefined;
}

/** Parses a cron expression as robfig/cron's ParseStandard does; returns an error message instead when it is malformed. */
export function parseCron(expression: string): CronSpec | string {
  if (expression.length === 0) return 'an empty cron expression; write five fields such as "0 6 * * *"';
  let text = expression;
  let zone: string | undefined;
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const space = text.indexOf(' ');
    if (space < 0) return `"${expression}": a time zone prefix without a schedule after it`;
    zone = text.slice(text.indexOf('=') + 1, space);
    if (!knownTimeZone(zone)) return `"${expression}": "${zone}" is not an IANA time zone`;
    text = text.slice(space).trim();
  }
  if (text.startsWith('@')) {
    if (text.startsWith('@every ')) {
      const ms = parseGoDuration(text.slice('@every '.length));
      if (ms === undefined) return `"${expression}": "${text.slice(7)}" is not a duration such as 90s, 15m or 1h30m`;
      // robfig: at least one second, whole seconds.
      return { ...emptySpec(), everyMs: Math.max(1_000, ms - (ms % 1_000)), ...(zone ? { zone } : {}) };
    }
    const macro = DESCRIPTORS[text];
    if (!macro)
      return `"${expression}": unknown descriptor ${text}; known: ${Object.keys(DESCRIPTORS).join(', ')}, @every <duration>`;
    text = macro;
  }
  const parts = text.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5)
    return `"${expression}" has ${parts.length} field(s); a cron expression has five: minute hour day-of-month month day-of-week`;
  const fields: ParsedField[] = [];
  for (let i = 0; i < 5; i++) {
    const f = parseCronField(parts[i]!, CRON_FIELDS[i]!);
    if (typeof f === 'string') return `"${expression}": ${f}`;
    fields.push(f);
  }
  return {
    minute: fields[0]!.values,
    hour: fields[1]!.values,
    dayOfMonth: fields[2]!.values,
    month: fields[3]!.values,
    dayOfWeek: fields[4]!.values,
    dayOr: !fields[2]!.star && !fields[4]!.star,
    ...(zone ? { zone } : {}),
  };
}

function emptySpec(): CronSpec {
  return {
    minute: new Set(),
    hour: new Set(),
    dayOfMonth: new Set(),
    month: new Set(),
    dayOfWeek: new Set(),
    dayOr: false,
  };
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether the calendar can ever select a time ("0 0 30 2 *" cannot): some
 * selected month has a selected day it contains (29 February counts: leap
 * years come), and a minute and an hour are selected. Weekdays cycle through
 * every date, so a day-of-week restriction never empties a calendar on its own.
 */
export function cronCanFire(spec: CronSpec): boolean {
  if (spec.everyMs !== undefined) return true;
  if (spec.minute.size === 0 || spec.hour.size === 0 || spec.month.size === 0) return false;
  const dateExists = [...spec.month].some((m) => [...spec.dayOfMonth].some((d) => d <= DAYS_IN_MONTH[m]!));
  return spec.dayOr ? dateExists || spec.dayOfWeek.size > 0 : dateExists && spec.dayOfWeek.size > 0;
}

/**
 * A cron expression pipewatch evaluates itself (a producer's schedule, a
 * maintenance window): why it is refused at load, or undefined. The zone
 * belongs in the timezone field, and "@every" has no fixed times to be late
 * against or to open a window at.
 */
export function cronProblem(expression: string): string | undefined {
  const spec = parseCron(expression);
  if (typeof spec === 'string') return spec;
  if (spec.zone !== undefined)
    return `"${expression}": write the zone in timezone: ${spec.zone} instead of a ${expression.split('=')[0]}= prefix`;
  if (spec.everyMs !== undefined)
    return `"${expression}": @every has no fixed times; write five fields (e.g. "*/15 * * * *") or use every: on a monitor schedule`;
  if (!cronCanFire(spec))
    return `"${expression}" never fires: no selected month has that day (February has at most 29 days; April, June, September and November 30)`;
  return undefined;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// Building a formatter costs far more than using one: one per time zone.
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      minute: 'numeric',
      hour: 'numeric',
      day: 'numeric',
      month: 'numeric',
      weekday: 'short',
    });
    if (FORMATTERS.size > 1_000) FORMATTERS.clear();
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

function localTime(ms: number, timeZone: string): LocalTime {
  const t: LocalTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, weekday: 0 };
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type === 'weekday') t.weekday = WEEKDAYS[p.value] ?? 0;
    else if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute')
      t[p.type] = Number(p.value);
  }
  return t;
}

const sameDate = (a: LocalTime, b: LocalTime) => a.year === b.year && a.month === b.month && a.day === b.day;

function dayMatches(spec: CronSpec, t: LocalTime): boolean {
  if (!spec.month.has(t.month)) return false;
  const dom = spec.dayOfMonth.has(t.day);
  const dow = spec.dayOfWeek.has(t.weekday);
  return spec.dayOr ? dom || dow : dom && dow;
}

export function cronMatches(spec: CronSpec, ms: number, timeZone: string): boolean {
  if (spec.everyMs !== undefined) return false;
  const t = localTime(ms, timeZone);
  return spec.minute.has(t.minute) && spec.hour.has(t.hour) && dayMatches(spec, t);
}

/**
 * The window that contains `now` — one that started at a cron tick within the
 * last `durationMs` — as [start, end), or undefined when none is open.
 */
export function openWindow(
  spec: CronSpec,
  durationMs: number,
  timeZone: string,
  now: number,
): { start: number; end: number } | undefined {
  const run = lastScheduledRun(spec, timeZone, now, durationMs);
  return run !== undefined && run + durationMs > now ? { start: run, end: run + durationMs } : undefined;
}

const MINUTE = 60_000;

/**
 * The latest minute at or before `before` that the cron expression selects, in
 * the time zone; undefined if none within maxLookbackMs. Skips whole days and
 * hours that cannot match; a day is skipped to its real start, which is not
 * 24 wall-clock hours away on a DST day (nor midnight where the change is at
 * midnight, as in Havana).
 */
export function lastScheduledRun(
  spec: CronSpec,
  timeZone: string,
  before: number,
  maxLookbackMs = 400 * 86_400_000,
): number | undefined {
  if (spec.everyMs !== undefined) return undefined;
  let t = Math.floor(before / MINUTE) * MINUTE;
  const stop = before - maxLookbackMs;
  while (t >= stop) {
    const local = localTime(t, timeZone);
    if (!dayMatches(spec, local)) {
      // To the last minute of the day before: wall-clock minutes since midnight are a guess...
      t -= (local.hour * 60 + local.minute + 1) * MINUTE;
      const landed = localTime(t, timeZone);
      // ...too far back when a spring-forward shortened today: walk forward to that day's last minute.
      if (!sameDate(landed, local)) {
        for (let i = 0; i < 180 && sameDate(localTime(t + MINUTE, timeZone), landed); i++) t += MINUTE;
      }
      continue;
    }
    if (!spec.hour.has(local.hour)) {
      t -= (local.minute + 1) * MINUTE; // to hh:59 of the hour before
      continue;
    }
    if (spec.minute.has(local.minute)) return t;
    let m = local.minute - 1;
    while (m >= 0 && !spec.minute.has(m)) m--;
    t -= (local.minute - Math.max(m, -1)) * MINUTE;
  }
  return undefined;
}

/**
 * The first run after `after` (strictly), as robfig/cron's Next computes it:
 * whole minutes of the calendar, or for "@every" the instant (in whole
 * seconds) one interval later. Undefined when nothing is selected within five
 * years, where robfig/cron gives up too.
 */
export function nextScheduledRun(spec: CronSpec, timeZone: string, after: number): number | undefined {
  if (spec.everyMs !== undefined) return Math.floor(after / 1_000) * 1_000 + spec.everyMs;
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const stop = after + 5 * 366 * 86_400_000;
  while (t <= stop) {
    const local = localTime(t, timeZone);
    if (!dayMatches(spec, local)) {
      // To the next midnight by the wall clock, then back to the day's real start if a spring-forward made the day shorter.
      t += (24 * 60 - (local.hour * 60 + local.minute)) * MINUTE;
      const landed = localTime(t, timeZone);
      if (!sameDate(landed, local)) {
        for (let i = 0; i < 180 && sameDate(localTime(t - MINUTE, timeZone), landed); i++) t -= MINUTE;
      }
      continue;
    }
    if (!spec.hour.has(local.hour)) {
      t += (60 - local.minute) * MINUTE;
      continue;
    }
    if (spec.minute.has(local.minute)) return t;
    let m = local.minute + 1;
    while (m < 60 && !spec.minute.has(m)) m++;
    t += (m - local.minute) * MINUTE;
  }
  return undefined;
}
