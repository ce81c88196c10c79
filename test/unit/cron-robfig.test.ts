// robfig/cron v3.0.1 — the library Kubernetes' CronJob controller parses
// schedules with (ParseStandard: five fields, descriptors, TZ=/CRON_TZ=) —
// its own test cases from spec_test.go and parser_test.go, as tables run
// against evaluation/cron.ts. A case passes, or is refused as Kubernetes
// refuses it: TestNext is written for robfig's seconds parser (six fields);
// rows whose seconds field is "0" run here as the same five-field schedule,
// the others (seconds other than 0) are refused, as ParseStandard refuses six
// fields. Times without a zone are read in UTC (the tests use time.Local).
// Not ported: TestBits, TestOptionalSecondSchedule, TestNormalizeFields(_Errors),
// TestNoDescriptorParser — parser options Kubernetes does not use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CRON_FIELDS,
  nextScheduledRun,
  parseCron,
  parseCronField,
  type CronSpec,
  type FieldBounds,
} from '../../evaluation/cron.js';

/** spec_test.go getTime: "Mon Jul 9 15:00 2012", with seconds, or "2012-03-11T00:00:00-0500", optionally "TZ=zone " first. */
function getTime(value: string): number | undefined {
  if (value === '') return undefined;
  const v = value.replace(/^TZ=\S+ /, '');
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-]\d\d)(\d\d)$/.exec(v);
  if (m) return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7]}:${m[8]}`);
  const [, mon, day, hms, year] = /^\w{3} (\w{3}) (\d+) ([\d:]+) (\d{4})$/.exec(v)!;
  const [h, min, s = '0'] = hms!.split(':');
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(mon!);
  return Date.UTC(+year!, month, +day!, +h!, +min!, +s);
}

// A schedule without a zone runs in the zone of the time it is asked about (robfig: time.Local → t.Location()).
function zoneAndSpec(text: string, time: string): { zone: string; spec: CronSpec | string } {
  const spec = parseCron(text);
  return { zone: typeof spec === 'object' && spec.zone ? spec.zone : (/^TZ=(\S+) /.exec(time)?.[1] ?? 'UTC'), spec };
}

/** A seconds-parser spec (six fields, or a descriptor) as ParseStandard's five fields, or undefined when it cannot be. */
function asStandard(spec: string): string | undefined {
  const m = /^((?:C?R?O?N?_?TZ=\S+\s+)?)(.*)$/.exec(spec)!;
  const fields = m[2]!.trim().split(/\s+/);
  if (fields[0]!.startsWith('@') || fields.length === 5) return spec;
  if (fields.length !== 6 || fields[0] !== '0') return undefined;
  return `${m[1]}${fields.slice(1).join(' ')}`;
}

const results = { passed: 0, refused: 0 };

// ------------------------------------------------------------ spec_test.go

const ACTIVATION: Array<[string, string, boolean]> = [
  ['Mon Jul 9 15:00 2012', '0/15 * * * *', true],
  ['Mon Jul 9 15:45 2012', '0/15 * * * *', true],
  ['Mon Jul 9 15:40 2012', '0/15 * * * *', false],
  ['Mon Jul 9 15:05 2012', '5/15 * * * *', true],
  ['Mon Jul 9 15:20 2012', '5/15 * * * *', true],
  ['Mon Jul 9 15:50 2012', '5/15 * * * *', true],
  ['Sun Jul 15 15:00 2012', '0/15 * * Jul *', true],
  ['Sun Jul 15 15:00 2012', '0/15 * * Jun *', false],
  ['Sun Jul 15 08:30 2012', '30 08 ? Jul Sun', true],
  ['Sun Jul 15 08:30 2012', '30 08 15 Jul ?', true],
  ['Mon Jul 16 08:30 2012', '30 08 ? Jul Sun', false],
  ['Mon Jul 16 08:30 2012', '30 08 15 Jul ?', false],
  ['Mon Jul 9 15:00 2012', '@hourly', true],
  ['Mon Jul 9 15:04 2012', '@hourly', false],
  ['Mon Jul 9 15:00 2012', '@daily', false],
  ['Mon Jul 9 00:00 2012', '@daily', true],
  ['Mon Jul 9 00:00 2012', '@weekly', false],
  ['Sun Jul 8 00:00 2012', '@weekly', true],
  ['Sun Jul 8 01:00 2012', '@weekly', false],
  ['Sun Jul 8 00:00 2012', '@monthly', false],
  ['Sun Jul 1 00:00 2012', '@monthly', true],
  ['Sun Jul 15 00:00 2012', '* * 1,15 * Sun', true],
  ['Fri Jun 15 00:00 2012', '* * 1,15 * Sun', true],
  ['Wed Aug 1 00:00 2012', '* * 1,15 * Sun', true],
  ['Sun Jul 15 00:00 2012', '* * */10 * Sun', true],
  ['Sun Jul 15 00:00 2012', '* * * * Mon', false],
  ['Mon Jul 9 00:00 2012', '* * 1,15 * *', false],
  ['Sun Jul 15 00:00 2012', '* * 1,15 * *', true],
  ['Sun Jul 15 00:00 2012', '* * */2 * Sun', true],
];

describe('spec_test.go TestActivation', () => {
  it.each(ACTIVATION)('%s %s → %s', (time, text, expected) => {
    const spec = parseCron(text) as CronSpec;
    const t = getTime(time)!;
    expect(nextScheduledRun(spec, 'UTC', t - 1000) === t).toBe(expected);
    results.passed++;
  });
});

const NEXT: Array<[string, string, string]> = [
  ['Mon Jul 9 14:45 2012', '0 0/15 * * * *', 'Mon Jul 9 15:00 2012'],
  ['Mon Jul 9 14:59 2012', '0 0/15 * * * *', 'Mon Jul 9 15:00 2012'],
  ['Mon Jul 9 14:59:59 2012', '0 0/15 * * * *', 'Mon Jul 9 15:00 2012'],
  ['Mon Jul 9 15:45 2012', '0 20-35/15 * * * *', 'Mon Jul 9 16:20 2012'],
  ['Mon Jul 9 23:46 2012', '0 */15 * * * *', 'Tue Jul 10 00:00 2012'],
  ['Mon Jul 9 23:45 2012', '0 20-35/15 * * * *', 'Tue Jul 10 00:20 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 * * * *', 'Tue Jul 10 00:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 1/2 * * *', 'Tue Jul 10 01:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 10-12 * * *', 'Tue Jul 10 10:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 1/2 */2 * *', 'Thu Jul 11 01:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 * 9-20 * *', 'Wed Jul 10 00:20:15 2012'],
  ['Mon Jul 9 23:35:51 2012', '15/35 20-35/15 * 9-20 Jul *', 'Wed Jul 10 00:20:15 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 9 Apr-Oct ?', 'Thu Aug 9 00:00 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 */5 Apr,Aug,Oct Mon', 'Tue Aug 1 00:00 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 */5 Oct Mon', 'Mon Oct 1 00:00 2012'],
  ['Mon Jul 9 23:35 2012', '0 0 0 * Feb Mon', 'Mon Feb 4 00:00 2013'],
  ['Mon Jul 9 23:35 2012', '0 0 0 * Feb Mon/2', 'Fri Feb 1 00:00 2013'],
  ['Mon Dec 31 23:59:45 2012', '0 * * * * *', 'Tue Jan 1 00:00:00 2013'],
  ['Mon Jul 9 23:35 2012', '0 0 0 29 Feb ?', 'Mon Feb 29 00:00 2016'],
  ['2012-03-11T00:00:00-0500', 'TZ=America/New_York 0 30 2 11 Mar ?', '2013-03-11T02:30:00-0400'],
  ['2012-03-11T00:00:00-0500', 'TZ=America/New_York 0 0 * * * ?', '2012-03-11T01:00:00-0500'],
  ['2012-03-11T01:00:00-0500', 'TZ=America/New_York 0 0 * * * ?', '2012-03-11T03:00:00-0400'],
  ['2012-03-11T03:00:00-0400', 'TZ=America/New_York 0 0 * * * ?', '2012-03-11T04:00:00-0400'],
  ['2012-03-11T04:00:00-0400', 'TZ=America/New_York 0 0 * * * ?', '2012-03-11T05:00:00-0400'],
  ['2012-03-11T00:00:00-0500', 'CRON_TZ=America/New_York 0 0 * * * ?', '2012-03-11T01:00:00-0500'],
  ['2012-03-11T01:00:00-0500', 'CRON_TZ=America/New_York 0 0 * * * ?', '2012-03-11T03:00:00-0400'],
  ['2012-03-11T03:00:00-0400', 'CRON_TZ=America/New_York 0 0 * * * ?', '2012-03-11T04:00:00-0400'],
  ['2012-03-11T04:00:00-0400', 'CRON_TZ=America/New_York 0 0 * * * ?', '2012-03-11T05:00:00-0400'],
  ['2012-03-11T00:00:00-0500', 'TZ=America/New_York 0 0 1 * * ?', '2012-03-11T01:00:00-0500'],
  ['2012-03-11T01:00:00-0500', 'TZ=America/New_York 0 0 1 * * ?', '2012-03-12T01:00:00-0400'],
  ['2012-03-11T00:00:00-0500', 'TZ=America/New_York 0 0 2 * * ?', '2012-03-12T02:00:00-0400'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 30 2 04 Nov ?', '2012-11-04T02:30:00-0500'],
  ['2012-11-04T01:45:00-0400', 'TZ=America/New_York 0 30 1 04 Nov ?', '2012-11-04T01:30:00-0500'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 0 * * * ?', '2012-11-04T01:00:00-0400'],
  ['2012-11-04T01:00:00-0400', 'TZ=America/New_York 0 0 * * * ?', '2012-11-04T01:00:00-0500'],
  ['2012-11-04T01:00:00-0500', 'TZ=America/New_York 0 0 * * * ?', '2012-11-04T02:00:00-0500'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 0 1 * * ?', '2012-11-04T01:00:00-0400'],
  ['2012-11-04T01:00:00-0400', 'TZ=America/New_York 0 0 1 * * ?', '2012-11-04T01:00:00-0500'],
  ['2012-11-04T01:00:00-0500', 'TZ=America/New_York 0 0 1 * * ?', '2012-11-05T01:00:00-0500'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 0 2 * * ?', '2012-11-04T02:00:00-0500'],
  ['2012-11-04T02:00:00-0500', 'TZ=America/New_York 0 0 2 * * ?', '2012-11-05T02:00:00-0500'],
  ['2012-11-04T00:00:00-0400', 'TZ=America/New_York 0 0 3 * * ?', '2012-11-04T03:00:00-0500'],
  ['2012-11-04T03:00:00-0500', 'TZ=America/New_York 0 0 3 * * ?', '2012-11-05T03:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 * * * ?', '2012-11-04T01:00:00-0400'],
  ['TZ=America/New_York 2012-11-04T01:00:00-0400', '0 0 * * * ?', '2012-11-04T01:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T01:00:00-0500', '0 0 * * * ?', '2012-11-04T02:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 1 * * ?', '2012-11-04T01:00:00-0400'],
  ['TZ=America/New_York 2012-11-04T01:00:00-0400', '0 0 1 * * ?', '2012-11-04T01:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T01:00:00-0500', '0 0 1 * * ?', '2012-11-05T01:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 2 * * ?', '2012-11-04T02:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T02:00:00-0500', '0 0 2 * * ?', '2012-11-05T02:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 3 * * ?', '2012-11-04T03:00:00-0500'],
  ['TZ=America/New_York 2012-11-04T03:00:00-0500', '0 0 3 * * ?', '2012-11-05T03:00:00-0500'],
  ['Mon Jul 9 23:35 2012', '0 0 0 30 Feb ?', ''],
  ['Mon Jul 9 23:35 2012', '0 0 0 31 Apr ?', ''],
  ['TZ=America/New_York 2012-11-04T00:00:00-0400', '0 0 3 3 * ?', '2012-12-03T03:00:00-0500'],
  ['2018-10-17T05:00:00-0400', 'TZ=America/Sao_Paulo 0 0 9 10 * ?', '2018-11-10T06:00:00-0500'],
  ['2018-02-14T05:00:00-0500', 'TZ=America/Sao_Paulo 0 0 9 22 * ?', '2018-02-22T07:00:00-0500'],
];

describe('spec_test.go TestNext (seconds parser; five-field equivalents)', () => {
  it.each(NEXT)('%s %s → %s', (time, text, expected) => {
    const standard = asStandard(text);
    if (standard === undefined) {
      // Seconds other than 0: six fields, which Kubernetes' parser refuses — and so does pipewatch.
      expect(parseCron(text)).toMatch(/has 6 field\(s\)/);
      results.refused++;
      return;
    }
    const { zone, spec } = zoneAndSpec(standard, time);
    expect(typeof spec).toBe('object');
    expect(nextScheduledRun(spec as CronSpec, zone, getTime(time)!)).toBe(getTime(expected));
    results.passed++;
  });
});

describe('spec_test.go TestErrors', () => {
  it.each(['xyz', '60 0 * * *', '0 60 * * *', '0 0 * * XYZ'])('%s is refused', (text) => {
    expect(typeof parseCron(text)).toBe('string');
    results.passed++;
  });
});

// Times at +05:30 and a schedule without a zone: robfig evaluates it in the time's own zone (Asia/Kolkata here).
describe('spec_test.go TestNextWithTz', () => {
  it.each([
    ['2016-01-03T13:09:03+0530', '14 14 * * *', '2016-01-03T14:14:00+0530'],
    ['2016-01-03T04:09:03+0530', '14 14 * * ?', '2016-01-03T14:14:00+0530'],
    ['2016-01-03T14:09:03+0530', '14 14 * * *', '2016-01-03T14:14:00+0530'],
    ['2016-01-03T14:00:00+0530', '14 14 * * ?', '2016-01-03T14:14:00+0530'],
  ])('%s %s → %s', (time, text, expected) => {
    expect(nextScheduledRun(parseCron(text) as CronSpec, 'Asia/Kolkata', getTime(time)!)).toBe(getTime(expected));
    results.passed++;
  });
});

describe('spec_test.go TestSlash0NoHang', () => {
  it('TZ=America/New_York 15/0 * * * * is refused', () => {
    expect(parseCron('TZ=America/New_York 15/0 * * * *')).toMatch(/step 0/);
    results.passed++;
  });
});

// ---------------------------------------------------------- parser_test.go

const bounds = (min: number, max: number): FieldBounds => ({ name: 'field', min, max });
const bits = (...n: number[]) => new Set(n);
const range = (a: number, b: number) => new Set(Array.from({ length: b - a + 1 }, (_, i) => a + i));

describe('parser_test.go TestRange', () => {
  it.each([
    ['5', 0, 7, bits(5), false, ''],
    ['0', 0, 7, bits(0), false, ''],
    ['7', 0, 7, bits(7), false, ''],
    ['5-5', 0, 7, bits(5), false, ''],
    ['5-6', 0, 7, bits(5, 6), false, ''],
    ['5-7', 0, 7, bits(5, 6, 7), false, ''],
    ['5-6/2', 0, 7, bits(5), false, ''],
    ['5-7/2', 0, 7, bits(5, 7), false, ''],
    ['5-7/1', 0, 7, bits(5, 6, 7), false, ''],
    ['*', 1, 3, bits(1, 2, 3), true, ''],
    ['*/2', 1, 3, bits(1, 3), false, ''],
    ['5--5', 0, 0, undefined, false, 'too many hyphens'],
    ['jan-x', 0, 0, undefined, false, 'not a valid'],
    ['2-x', 1, 5, undefined, false, 'not a valid'],
    ['*/-12', 0, 0, undefined, false, 'negative'],
    ['*//2', 0, 0, undefined, false, 'too many slashes'],
    ['1', 3, 5, undefined, false, 'out of range'],
    ['6', 3, 5, undefined, false, 'out of range'],
    ['5-3', 3, 5, undefined, false, 'starts after it ends'],
    ['*/0', 0, 0, undefined, false, 'step 0'],
  ] as Array<[string, number, number, Set<number> | undefined, boolean, string]>)(
    '%s in %i-%i',
    (expr, min, max, expected, star, error) => {
      const got = parseCronField(expr, bounds(min, max));
      if (error) expect(got).toMatch(error);
      else expect(got).toEqual({ values: expected, star });
      results.passed++;
    },
  );
});

describe('parser_test.go TestField', () => {
  it.each([
    ['5', bits(5)],
    ['5,6', bits(5, 6)],
    ['5,6,7', bits(5, 6, 7)],
    ['1,5-7/2,3', bits(1, 5, 7, 3)],
  ] as Array<[string, Set<number>]>)('%s', (expr, expected) => {
    expect((parseCronField(expr, bounds(1, 7)) as { values: Set<number> }).values).toEqual(expected);
    results.passed++;
  });
});

describe('parser_test.go TestAll', () => {
  it.each(CRON_FIELDS.map((f) => [f.name, f] as const))('* in %s', (_name, f) => {
    expect(parseCronField('*', f)).toEqual({ values: range(f.min, f.max), star: true });
    results.passed++;
  });
});

function fields(spec: CronSpec) {
  return {
    minute: [...spec.minute],
    hour: [...spec.hour],
    dom: [...spec.dayOfMonth],
    month: [...spec.month],
    dow: [...spec.dayOfWeek],
    dayOr: spec.dayOr,
    zone: spec.zone,
    everyMs: spec.everyMs,
  };
}
const every5min = (zone?: string) =>
  fields({
    minute: bits(5),
    hour: range(0, 23),
    dayOfMonth: range(1, 31),
    month: range(1, 12),
    dayOfWeek: range(0, 6),
    dayOr: false,
    ...(zone ? { zone } : {}),
  });
const midnight = (zone?: string) =>
  fields({
    minute: bits(0),
    hour: bits(0),
    dayOfMonth: range(1, 31),
    month: range(1, 12),
    dayOfWeek: range(0, 6),
    dayOr: false,
    ...(zone ? { zone } : {}),
  });
const annual = () =>
  fields({ minute: bits(0), hour: bits(0), dayOfMonth: bits(1), month: bits(1), dayOfWeek: range(0, 6), dayOr: false });
const everyFiveMinutes = () =>
  fields({
    minute: new Set(),
    hour: new Set(),
    dayOfMonth: new Set(),
    month: new Set(),
    dayOfWeek: new Set(),
    dayOr: false,
    everyMs: 5 * 60_000,
  });

describe('parser_test.go TestParseSchedule and TestStandardSpecSchedule', () => {
  it.each([
    ['0 5 * * * *', every5min()],
    ['5 * * * *', every5min()],
    ['CRON_TZ=UTC  0 5 * * * *', every5min('UTC')],
    ['CRON_TZ=UTC  5 * * * *', every5min('UTC')],
    ['CRON_TZ=Asia/Tokyo 0 5 * * * *', every5min('Asia/Tokyo')],
    ['@every 5m', everyFiveMinutes()],
    ['@midnight', midnight()],
    ['TZ=UTC  @midnight', midnight('UTC')],
    ['TZ=Asia/Tokyo @midnight', midnight('Asia/Tokyo')],
    ['@yearly', annual()],
    ['@annually', annual()],
    ['* 5 * * * *', undefined],
    // TestStandardSpecSchedule
    ['5 * * * *', every5min()],
    ['@every 5m', everyFiveMinutes()],
  ] as Array<[string, ReturnType<typeof fields> | undefined]>)('%s', (text, expected) => {
    const standard = asStandard(text);
    if (standard === undefined || expected === undefined) {
      expect(parseCron(text)).toMatch(/has 6 field\(s\)/); // a seconds field other than 0
      results.refused++;
      return;
    }
    expect(fields(parseCron(standard) as CronSpec)).toEqual(expected);
    results.passed++;
  });
});

describe('parser_test.go TestParseScheduleErrors and TestStandardSpecSchedule errors', () => {
  it.each([
    ['* 5 j * * *', /has 6 field|not a valid/],
    ['@every Xm', /not a duration/],
    ['@unrecognized', /unknown descriptor/],
    ['* * * *', /has 4 field/],
    ['', /empty/],
    ['5 j * * *', /"j" is not a valid hour/],
    ['* * * *', /has 4 field/],
  ])('%s is refused', (text, message) => {
    expect(parseCron(text)).toMatch(message);
    results.passed++;
  });
});

// ------------------------------------------------------------------- counts

export const NOT_PORTED = 4 + 3 + 7 + 4 + 1; // TestBits, TestOptionalSecondSchedule, TestNormalizeFields, _Errors, TestNoDescriptorParser

describe('docs/COMPATIBILITY.md states the robfig/cron counts', () => {
  it('matches the tables', () => {
    const page = readFileSync(join(process.cwd(), 'docs', 'COMPATIBILITY.md'), 'utf8');
    const section = page.split('<!-- section: cron -->')[1]?.split('<!-- section:')[0] ?? '';
    const total = results.passed + results.refused + NOT_PORTED;
    expect(section).toContain(
      `${results.passed} of ${total} robfig/cron v3.0.1 \`spec_test.go\` + \`parser_test.go\` cases pass, ${results.refused} are refused at load`,
    );
  });
});
