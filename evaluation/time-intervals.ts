// Alertmanager's time intervals: named sets of times of day, weekdays, days of
// the month, months and years, in a time zone, that mute a route
// (muteTimeIntervals) or are the only times it may send (activeTimeIntervals).
// The syntax and its meaning follow prometheus/alertmanager timeinterval/
// timeinterval.go; the cases of its timeinterval_test.go are ported in
// test/unit/time-intervals.test.ts. Pure and workflow-safe: time zones through
// Intl, no clock of its own.

/** Minutes after local midnight: [startMinute, endMinute). */
export interface TimeRange {
  startMinute: number;
  endMinute: number;
}

/** Both ends included. Days of the month may count from the end (-1 is the last day). */
export interface InclusiveRange {
  begin: number;
  end: number;
}

/** One entry of a named interval; every field given must match (an absent field matches anything). */
export interface TimeInterval {
  times?: TimeRange[];
  weekdays?: InclusiveRange[];
  daysOfMonth?: InclusiveRange[];
  months?: InclusiveRange[];
  years?: InclusiveRange[];
  /** IANA time zone the fields are read in; UTC when absent (as in Alertmanager). */
  location?: string;
}

/** As written in pipewatch.yaml (Alertmanager's fields in camelCase). */
export interface TimeIntervalSpec {
  times?: Array<{ startTime?: string; endTime?: string }>;
  weekdays?: Array<string | number>;
  daysOfMonth?: Array<string | number>;
  months?: Array<string | number>;
  years?: Array<string | number>;
  location?: string;
}

export interface TimeIntervalProblem {
  path: Array<string | number>;
  message: string;
}

const WEEKDAYS: Record<string, number> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};
const MONTHS: Record<string, number> = {
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  may: 5,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};
const MONTH_NAMES = Object.keys(MONTHS);

// "HH:MM" from 00:00 to 23:59, or 24:00 — Alertmanager's validTime.
const TIME = /^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

function parseTime(text: string): number | string {
  if (!TIME.test(text))
    return `couldn't parse timestamp ${text}, invalid format; write "HH:MM" from "00:00" to "24:00"`;
  const [h, m] = text.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

const INTEGER = /^[+-]?[0-9]+$/;

/** "a:b" or "a" → [begin, end] through member(), which returns a message for a bad member. */
function parseRange(text: string, member: (s: string) => number | string): InclusiveRange | string {
  const lower = text.toLowerCase();
  const parts = lower.includes(':') ? lower.split(':') : [lower, lower];
  if (parts.length !== 2) return `couldn't parse range ${text}, invalid format; write "begin:end" or a single value`;
  const begin = member(parts[0]!);
  if (typeof begin === 'string') return begin;
  const end = member(parts[1]!);
  if (typeof end === 'string') return end;
  return { begin, end };
}

function weekdayRange(text: string): InclusiveRange | string {
  const r = parseRange(
    text,
    (s) => WEEKDAYS[s] ?? `${s} is not a valid weekday; write monday … sunday, or a range such as "monday:friday"`,
  );
  if (typeof r === 'string') return r;
  // Alertmanager ranges run forward within one week: saturday:sunday is two entries.
  if (r.begin > r.end)
    return 'start day cannot be before end day; a range runs monday → sunday within one week, so write "saturday" and "sunday" as two entries';
  return r;
}

function dayOfMonthRange(text: string): InclusiveRange | string {
  const r = parseRange(text, (s) =>
    INTEGER.test(s) ? Number(s) : `${s} is not a valid day of the month; write 1 … 31, or -1 for the last day`,
  );
  if (typeof r === 'string') return r;
  for (const d of [r.begin, r.end]) {
    if (d === 0 || d < -31 || d > 31)
      return `${d} is not a valid day of the month: out of range; write 1 … 31, or -31 … -1 counting from the month's end`;
  }
  if (r.begin < 0 && r.end > 0) return 'end day must be negative if start day is negative';
  // As Alertmanager: a range that is backwards in every month (28 days at least) is refused.
  const begin = r.begin < 0 ? 28 + r.begin : r.begin;
  const end = r.end < 0 ? 28 + r.end : r.end;
  if (begin > end) return `end day ${r.end} is always before start day ${r.begin}`;
  return r;
}

function monthRange(text: string): InclusiveRange | string {
  const r = parseRange(text, (s) => {
    if (MONTHS[s] !== undefined) return MONTHS[s]!;
    if (INTEGER.test(s) && Number(s) >= 1 && Number(s) <= 12) return Number(s);
    return `${s} is not a valid month; write january … december or 1 … 12`;
  });
  if (typeof r === 'string') return r;
  if (r.begin > r.end)
    return `end month ${MONTH_NAMES[r.end - 1]} is before start month ${MONTH_NAMES[r.begin - 1]}; a range runs january → december, so write two entries across the new year`;
  return r;
}

function yearRange(text: string): InclusiveRange | string {
  const r = parseRange(text, (s) =>
    INTEGER.test(s) ? Number(s) : `${s} is not a valid year; write a year such as 2026 or a range "2026:2028"`,
  );
  if (typeof r === 'string') return r;
  if (r.begin > r.end) return `end year ${r.end} is before start year ${r.begin}`;
  return r;
}

/** An IANA zone name Intl knows, or a message. "Local" is refused: workers may run in different zones. */
export function timeZoneProblem(zone: string): string | undefined {
  const advice = 'write an IANA time zone such as "Europe/Berlin", "Australia/Sydney" or "UTC"';
  if (zone === 'Local' || zone === '') return `"${zone}" would depend on each worker's clock; ${advice}`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `unknown time zone "${zone}"; ${advice}`;
  }
}

/** Parses one entry as written; every problem comes back with its path inside the entry. */
export function parseTimeInterval(spec: TimeIntervalSpec): TimeInterval | TimeIntervalProblem[] {
  const problems: TimeIntervalProblem[] = [];
  const out: TimeInterval = {};
  if (spec.times) {
    out.times = [];
    spec.times.forEach((t, i) => {
      if (!t.startTime || !t.endTime) {
        problems.push({
          path: ['times', i],
          message: 'both start and end times must be provided; write { startTime: "09:00", endTime: "17:00" }',
        });
        return;
      }
      const start = parseTime(t.startTime);
      const end = parseTime(t.endTime);
      if (typeof start === 'string') problems.push({ path: ['times', i, 'startTime'], message: start });
      if (typeof end === 'string') problems.push({ path: ['times', i, 'endTime'], message: end });
      if (typeof start === 'string' || typeof end === 'string') return;
      if (start >= end) {
        problems.push({
          path: ['times', i],
          message:
            'start time cannot be equal or greater than end time; a range across midnight is two ranges, e.g. 22:00–24:00 and 00:00–06:00',
        });
        return;
      }
      out.times!.push({ startMinute: start, endMinute: end });
    });
  }
  const ranges = (
    field: 'weekdays' | 'daysOfMonth' | 'months' | 'years',
    parse: (s: string) => InclusiveRange | string,
  ) => {
    const values = spec[field];
    if (!values) return;
    const parsed: InclusiveRange[] = [];
    values.forEach((v, i) => {
      const r = parse(String(v));
      if (typeof r === 'string') problems.push({ path: [field, i], message: r });
      else parsed.push(r);
    });
    out[field] = parsed;
  };
  ranges('weekdays', weekdayRange);
  ranges('daysOfMonth', dayOfMonthRange);
  ranges('months', monthRange);
  ranges('years', yearRange);
  if (spec.location !== undefined) {
    const why = timeZoneProblem(spec.location);
    if (why) problems.push({ path: ['location'], message: why });
    else out.location = spec.location;
  }
  return problems.length > 0 ? problems : out;
}

// ------------------------------------------------------------ evaluation

interface LocalFields {
  year: number;
  month: number;
  day: number;
  weekday: number;
  /** Minutes after local midnight. */
  minute: number;
}

const WEEKDAY_SHORT: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
// Building a formatter costs far more than using one: one per time zone.
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function localFields(at: number, zone: string): LocalFields {
  let f = FORMATTERS.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    });
    if (FORMATTERS.size > 1_000) FORMATTERS.clear();
    FORMATTERS.set(zone, f);
  }
  const parts = f.formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    weekday: WEEKDAY_SHORT[get('weekday')] ?? 0,
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const clamp = (n: number, min: number, max: number) => Math.min(Math.max(n, min), max);

/** Whether the local date (not the time of day) is one the interval allows. */
function dateMatches(ti: TimeInterval, t: LocalFields): boolean {
  if (ti.daysOfMonth) {
    const dim = daysInMonth(t.year, t.month);
    const ok = ti.daysOfMonth.some((r) => {
      const begin = r.begin < 0 ? dim + r.begin + 1 : r.begin;
      const end = r.end < 0 ? dim + r.end + 1 : r.end;
      // A range that starts after this month's last day does not reach into the next month.
      if (begin > dim) return false;
      return t.day >= clamp(begin, -dim, dim) && t.day <= clamp(end, -dim, dim);
    });
    if (!ok) return false;
  }
  if (ti.months && !ti.months.some((r) => t.month >= r.begin && t.month <= r.end)) return false;
  if (ti.weekdays && !ti.weekdays.some((r) => t.weekday >= r.begin && t.weekday <= r.end)) return false;
  if (ti.years && !ti.years.some((r) => t.year >= r.begin && t.year <= r.end)) return false;
  return true;
}

function timeMatches(ti: TimeInterval, t: LocalFields): boolean {
  return !ti.times || ti.times.some((r) => t.minute >= r.startMinute && t.minute < r.endMinute);
}

/** Whether the instant falls in the interval, read on the wall clock of its location. */
export function containsTime(ti: TimeInterval, at: number): boolean {
  const t = localFields(at, ti.location ?? 'UTC');
  return timeMatches(ti, t) && dateMatches(ti, t);
}

/** The names among `names` whose intervals contain the instant (Alertmanager's Intervener.Mutes). */
export function intervalsContaining(names: string[], defined: Record<string, TimeInterval[]>, at: number): string[] {
  return names.filter((name) => (defined[name] ?? []).some((ti) => containsTime(ti, at)));
}

/** Why a route does not send now: inside one of its mute intervals, or outside all of its active ones. */
export type RouteTimeMute =
  | { muted: false }
  | { muted: true; because: 'mute'; intervals: string[] }
  | { muted: true; because: 'inactive'; intervals: string[] };

export function routeTimeMute(
  route: { muteTimeIntervals?: string[]; activeTimeIntervals?: string[] },
  defined: Record<string, TimeInterval[]>,
  at: number,
): RouteTimeMute {
  const active = route.activeTimeIntervals ?? [];
  if (active.length > 0 && intervalsContaining(active, defined, at).length === 0)
    return { muted: true, because: 'inactive', intervals: active };
  const mutes = intervalsContaining(route.muteTimeIntervals ?? [], defined, at);
  if (mutes.length > 0) return { muted: true, because: 'mute', intervals: mutes };
  return { muted: false };
}

const MINUTE = 60_000;
const DAY_MINUTES = 1_440;

/**
 * The first minute after `at` at which `holds` changes its answer, looking at
 * most `horizonMs` ahead (then at + horizonMs). `holds` must depend only on
 * wall clocks at minute resolution; the candidates are, per zone, its
 * boundaries (minutes after midnight) and its local midnight, so a long
 * stretch costs a few evaluations per day, not one per minute. Across an
 * offset change the jump is checked on the wall clock and walked minute by
 * minute when the clock did not move as planned.
 */
export function nextChange(
  holds: (at: number) => boolean,
  at: number,
  clocks: Array<{ zone: string; boundaries: number[] }>,
  horizonMs: number,
): number {
  const state = holds(at);
  const stop = at + horizonMs;
  const zones = clocks.length > 0 ? clocks : [{ zone: 'UTC', boundaries: [] }];
  let t = Math.floor(at / MINUTE) * MINUTE;
  while (t < stop) {
    const here = zones.map(({ zone, boundaries }) => {
      const local = localFields(t, zone);
      const target = [...boundaries, DAY_MINUTES]
        .filter((b) => b > local.minute)
        .reduce((a, b) => Math.min(a, b), DAY_MINUTES);
      return { zone, local, minutes: target - local.minute };
    });
    const step = Math.min(...here.map((h) => h.minutes));
    // Every clock must have moved exactly `step` minutes, or a boundary may lie inside the jump.
    const planned = here.every(({ zone, local }) => {
      const there = localFields(t + step * MINUTE, zone);
      return there.minute - local.minute + (there.day !== local.day ? DAY_MINUTES : 0) === step;
    });
    let next = t + step * MINUTE;
    if (!planned) {
      // An offset change lies between: walk it by minutes, the resolution of every field.
      for (next = t + MINUTE; next < t + step * MINUTE && holds(next) === state; next += MINUTE);
    }
    if (holds(next) !== state) return Math.min(next, stop);
    t = next;
  }
  return stop;
}

/** Boundaries (minutes after midnight) at which any of these intervals can change its answer within a day. */
export function boundariesOf(intervals: TimeInterval[]): number[] {
  return intervals.flatMap((ti) => (ti.times ?? []).flatMap((r) => [r.startMinute, r.endMinute]));
}

/**
 * When the route's current answer (muted or not) ends: the next minute its
 * intervals change it, or `at + horizonMs` when nothing changes that soon.
 */
export function routeTimeMuteChangesAt(
  route: { muteTimeIntervals?: string[]; activeTimeIntervals?: string[] },
  defined: Record<string, TimeInterval[]>,
  at: number,
  horizonMs = 35 * 86_400_000,
): number {
  const clocks = new Map<string, number[]>();
  for (const name of [...(route.muteTimeIntervals ?? []), ...(route.activeTimeIntervals ?? [])]) {
    for (const ti of defined[name] ?? []) {
      const zone = ti.location ?? 'UTC';
      clocks.set(zone, [...(clocks.get(zone) ?? []), ...boundariesOf([ti])]);
    }
  }
  return nextChange(
    (t) => routeTimeMute(route, defined, t).muted,
    at,
    [...clocks].map(([zone, boundaries]) => ({ zone, boundaries })),
    horizonMs,
  );
}
