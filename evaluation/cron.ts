// Five-field cron expressions (minute hour day-of-month month day-of-week) for
// recurring maintenance windows, producers' schedules and CronJobs, evaluated
// in an IANA time zone with POSIX day rules (day-of-month OR day-of-week when
// both are restricted) and wall-clock DST behaviour (a time skipped by a
// spring-forward does not run; one repeated by a fall-back runs at each
// instant), as Kubernetes' CronJob controller does. Pure and deterministic:
// workflows use it to decide whether a window is open.

export interface CronSpec {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** Both day fields restricted: a day matches if either matches (POSIX cron). */
  dayOr: boolean;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const MACROS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

const NAMES: Record<string, number> = {
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/** Parses a cron expression; returns an error message instead when it is malformed. */
export function parseCron(expression: string): CronSpec | string {
  const text = MACROS[expression.trim()] ?? expression.trim();
  // "?" (as Kubernetes' cron library accepts it) means "any" in the day fields.
  const parts = text.split(/\s+/).map((p, i) => (p === '?' && (i === 2 || i === 4) ? '*' : p));
  if (parts.length !== 5) return `"${expression}" has ${parts.length} field(s); a cron expression has five: minute hour day-of-month month day-of-week`;
  const sets: Array<Set<number>> = [];
  for (let i = 0; i < 5; i++) {
    const field = FIELDS[i]!;
    const set = new Set<number>();
    for (const item of parts[i]!.toLowerCase().split(',')) {
      const m = /^(\*|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:\/(\d+))?$/.exec(item);
      if (!m) return `"${expression}": "${item}" is not a valid ${field.name} (e.g. 5, 1-5, */15, mon-fri)`;
      const num = (s: string) => (s in NAMES ? NAMES[s]! : /^\d+$/.test(s) ? Number(s) : NaN);
      const lo = m[1] === '*' ? field.min : num(m[2]!);
      const hi = m[1] === '*' ? field.max : m[3] !== undefined ? num(m[3]) : m[4] !== undefined ? field.max : lo;
      const step = m[4] !== undefined ? Number(m[4]) : 1;
      if ([lo, hi].some((n) => Number.isNaN(n))) return `"${expression}": "${item}" is not a valid ${field.name} (e.g. 5, 1-5, */15, mon-fri)`;
      if ([lo, hi].some((n) => n < field.min || n > field.max) || lo > hi || step < 1) {
        return `"${expression}": "${item}" is out of range for ${field.name} (${field.min}-${field.max})`;
      }
      for (let n = lo; n <= hi; n += step) set.add(i === 4 && n === 7 ? 0 : n);
    }
    sets.push(set);
  }
  return {
    minute: sets[0]!,
    hour: sets[1]!,
    dayOfMonth: sets[2]!,
    month: sets[3]!,
    dayOfWeek: sets[4]!,
    // As in robfig/cron: a day field written "*" (or "*/1") leaves the other alone.
    dayOr: !['*', '*/1'].includes(parts[2]!) && !['*', '*/1'].includes(parts[4]!),
  };
}

interface LocalTime {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// Building a formatter costs far more than using one: one per time zone.
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short' });
    if (FORMATTERS.size > 1_000) FORMATTERS.clear();
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

function localTime(ms: number, timeZone: string): LocalTime {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { minute: Number(get('minute')), hour: Number(get('hour')), day: Number(get('day')), month: Number(get('month')), weekday: WEEKDAYS[get('weekday')] ?? 0 };
}

export function cronMatches(spec: CronSpec, ms: number, timeZone: string): boolean {
  const t = localTime(ms, timeZone);
  if (!spec.minute.has(t.minute) || !spec.hour.has(t.hour) || !spec.month.has(t.month)) return false;
  const dom = spec.dayOfMonth.has(t.day);
  const dow = spec.dayOfWeek.has(t.weekday);
  return spec.dayOr ? dom || dow : dom && dow;
}

/**
 * The window that contains `now` — one that started at a cron tick within the
 * last `durationMs` — as [start, end), or undefined when none is open.
 */
export function openWindow(spec: CronSpec, durationMs: number, timeZone: string, now: number): { start: number; end: number } | undefined {
  const minute = 60_000;
  const first = Math.floor(now / minute) * minute;
  // Newest tick first; a window longer than a week is bounded to a week of minutes.
  const steps = Math.min(Math.ceil(durationMs / minute), 7 * 24 * 60);
  for (let i = 0; i <= steps; i++) {
    const tick = first - i * minute;
    if (tick + durationMs <= now) break;
    if (cronMatches(spec, tick, timeZone)) return { start: tick, end: tick + durationMs };
  }
  return undefined;
}

/**
 * The latest minute at or before `before` that the cron expression selects, in
 * the time zone; undefined if none within maxLookbackMs. Skips whole hours and
 * days that cannot match instead of testing every minute.
 */
export function lastScheduledRun(spec: CronSpec, timeZone: string, before: number, maxLookbackMs = 400 * 86_400_000): number | undefined {
  const minute = 60_000;
  let t = Math.floor(before / minute) * minute;
  const stop = before - maxLookbackMs;
  while (t >= stop) {
    const local = localTime(t, timeZone);
    const dayOk = spec.month.has(local.month) && (spec.dayOr ? spec.dayOfMonth.has(local.day) || spec.dayOfWeek.has(local.weekday) : spec.dayOfMonth.has(local.day) && spec.dayOfWeek.has(local.weekday));
    if (!dayOk) {
      t -= (local.hour * 60 + local.minute + 1) * minute; // to 23:59 of the day before
      continue;
    }
    if (!spec.hour.has(local.hour)) {
      t -= (local.minute + 1) * minute; // to hh:59 of the hour before
      continue;
    }
    if (spec.minute.has(local.minute)) return t;
    t -= minute;
  }
  return undefined;
}
