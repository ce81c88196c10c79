// A monitor's or report's `schedule.cron` goes to Temporal as a Schedule's
// cron string; the Temporal server parses it (service/worker/scheduler/
// calendar.go, parseCronString) only when the schedule is created. This reads
// it the same way at load, so `pipewatch validate` and `schedules sync
// --dry-run` refuse what the real sync would (e.g. "Minute is not in range
// [0-59]"), with file:line. Temporal's dialect is not robfig's: 5 fields, or
// 6 (+ year) or 7 (seconds first, + year); day of week 0-7 (7 is Sunday, and
// 1/2 runs to 7, so includes Sunday); names as prefixes of at least three
// (months) or two (days) letters; no "?"; day of month AND day of week both
// must match; "@every <duration>[/<phase>]"; a trailing "# comment".
import { cronCanFire, parseGoDuration, type CronSpec } from '../evaluation/cron.js';

interface TemporalField {
  name: string;
  min: number;
  max: number;
  names?: { list: string[]; minLength: number; first: number };
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const SECOND: TemporalField = { name: 'Second', min: 0, max: 59 };
const MINUTE: TemporalField = { name: 'Minute', min: 0, max: 59 };
const HOUR: TemporalField = { name: 'Hour', min: 0, max: 23 };
const DAY_OF_MONTH: TemporalField = { name: 'DayOfMonth', min: 1, max: 31 };
const MONTH: TemporalField = { name: 'Month', min: 1, max: 12, names: { list: MONTHS, minLength: 3, first: 1 } };
const DAY_OF_WEEK: TemporalField = { name: 'DayOfWeek', min: 0, max: 7, names: { list: DAYS, minLength: 2, first: 0 } };
const YEAR: TemporalField = { name: 'Year', min: 2000, max: 2100 };

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function value(text: string, field: TemporalField, min: number): number | undefined {
  if (field.names && text.length >= field.names.minLength) {
    const i = field.names.list.findIndex((n) => n.startsWith(text.toLowerCase()));
    if (i >= 0)
      return i + field.names.first >= min && i + field.names.first <= field.max ? i + field.names.first : undefined;
  }
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= field.max ? n : undefined;
}

/** The values a Temporal field selects, or Temporal's own error text. */
function temporalField(text: string, field: TemporalField): Set<number> | string {
  const values = new Set<number>();
  const source = text.trim() === '' ? '*' : text.trim();
  for (let part of source.split(',')) {
    const slashes = part.split('/').length - 1;
    if (slashes > 1) return `${field.name} has too many slashes`;
    let step = 1;
    let hasStep = false;
    if (slashes === 1) {
      const [left, right] = part.split('/') as [string, string];
      if (right === '') return `${field.name} missing step value`;
      if (!/^[+-]?\d+$/.test(right)) return `${field.name} step "${right}" is not a number`;
      step = Number(right);
      if (step < 1) return `${field.name} has invalid Step`;
      part = left;
      hasStep = true;
    }
    let [start, end] = [field.min, field.max];
    if (part !== '*') {
      if (part.includes('-')) {
        if (part.split('-').length > 2) return `${field.name} has too many dashes`;
        const [a, b] = part.split('-') as [string, string];
        const s = value(a, field, field.min);
        if (s === undefined) return `${field.name} Start is not in range [${field.min}-${field.max}]`;
        const e = value(b, field, s);
        if (e === undefined) return `${field.name} End is before Start or not in range [${field.min}-${field.max}]`;
        [start, end] = [s, e];
      } else {
        const s = value(part, field, field.min);
        if (s === undefined) return `${field.name} is not in range [${field.min}-${field.max}]`;
        start = s;
        end = hasStep ? field.max : s;
      }
    }
    for (let n = start; n <= end; n += step) values.add(field === DAY_OF_WEEK && n === 7 ? 0 : n);
  }
  return values;
}

/**
 * Why Temporal would refuse this cron string (its message, and pipewatch's
 * advice), or undefined. `zoneField` is the schedule's timezone, which
 * pipewatch always sends: a TZ= prefix would conflict with it.
 */
export function temporalCronProblem(cron: string, now = Date.now()): string | undefined {
  let c = cron.trim();
  if (c.startsWith('TZ=') || c.startsWith('CRON_TZ=')) {
    const zone = c.split(' ')[0]!.split('=')[1];
    return `write the zone in schedule.timezone: ${zone} instead of a ${c.split('=')[0]}= prefix (pipewatch always sends the timezone, and Temporal refuses both: "conflicting timezone names")`;
  }
  c = c.split('#')[0]!.trim();
  if (c.startsWith('@every')) {
    const rest = c.split(' ').slice(1).join(' ');
    if (rest === '') return '"@every" needs an interval, e.g. "@every 15m"; or write every: 15m';
    const [interval, phase] = rest.split('/') as [string, string | undefined];
    const toMs = (t: string) =>
      parseGoDuration(t.replace(/(\d+(?:\.\d*)?|\.\d+)d/g, (_m, n: string) => `${Number(n) * 24}h`));
    const ms = toMs(interval);
    if (ms === undefined) return `"${interval}" is not a duration such as 90s, 15m, 1h30m or 2d`;
    if (ms < 1_000) return `"@every ${interval}": the shortest interval is 1s`;
    if (phase !== undefined && toMs(phase) === undefined)
      return `"${phase}" is not a duration such as 90s, 15m, 1h30m or 2d`;
    return undefined;
  }
  c = DESCRIPTORS[c] ?? c;
  const tokens = c.split(/\s+/).filter((t) => t !== '');
  if (tokens.length < 5 || tokens.length > 7) {
    return `a cron expression of five fields (minute hour day-of-month month day-of-week), six (+ year) or seven (second first, + year), or @hourly/@daily/@weekly/@monthly/@yearly/@every <interval>; this has ${tokens.length}`;
  }
  const fields =
    tokens.length === 7
      ? [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR]
      : [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR].slice(0, tokens.length);
  const sets = new Map<TemporalField, Set<number>>();
  const errors: string[] = [];
  fields.forEach((f, i) => {
    const r = temporalField(tokens[i]!, f);
    if (typeof r === 'string') errors.push(r);
    else sets.set(f, r);
  });
  if (errors.length)
    return `${errors.join('; ')} (as Temporal reads "${cron}"${tokens.some((t) => t.includes('?')) ? '; Temporal has no "?": write *' : ''})`;
  // A monitor that loads can fire: some date in the selected years must exist (Temporal ANDs the two day fields).
  const years = sets.get(YEAR);
  const first = new Date(now).getUTCFullYear();
  const spec: CronSpec = {
    minute: sets.get(MINUTE)!,
    hour: sets.get(HOUR)!,
    dayOfMonth: sets.get(DAY_OF_MONTH)!,
    month: sets.get(MONTH)!,
    dayOfWeek: sets.get(DAY_OF_WEEK)!,
    dayOr: false,
  };
  if (!cronCanFire(spec) || !firesInYears(spec, years, first))
    return `"${cron}" never fires: no date in the selected ${years ? 'years, ' : ''}months has that day${spec.dayOfWeek.size < 7 ? ' and weekday (Temporal requires both day fields to match)' : ''}`;
  return undefined;
}

function firesInYears(spec: CronSpec, years: Set<number> | undefined, from: number): boolean {
  const last = years ? Math.max(...years) : from + 28;
  for (let y = from; y <= last; y++) {
    if (years && !years.has(y)) continue;
    for (const m of spec.month) {
      for (const d of spec.dayOfMonth) {
        const date = new Date(Date.UTC(y, m - 1, d));
        if (date.getUTCMonth() === m - 1 && spec.dayOfWeek.has(date.getUTCDay())) return true;
      }
    }
  }
  return false;
}
