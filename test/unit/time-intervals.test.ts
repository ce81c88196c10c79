// Alertmanager's time intervals, ported from prometheus/alertmanager
// timeinterval/timeinterval_test.go (tables timeIntervalTestCases,
// timeStringTestCases, yamlUnmarshalTestCases, completeTestCases and
// TestIntervener_Mutes), written as pipewatch.yaml `timeIntervals:` and loaded
// through the real loader. A row passes when pipewatch agrees with
// Alertmanager — contains / excludes the same instants, or refuses what it
// refuses (pipewatch's message starts with Alertmanager's and adds what to
// write instead). The count is checked against docs/COMPATIBILITY.md.
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '../../config/load.js';
import {
  containsTime,
  intervalsContaining,
  nextChange,
  routeTimeMute,
  routeTimeMuteChangesAt,
  type TimeInterval,
} from '../../evaluation/time-intervals.js';

const PEER = 'timeinterval/timeinterval_test.go';

/** Loads `timeIntervals:` as written (YAML lines of the body), returning the parsed intervals or the problems. */
function load(body: string): { intervals: Record<string, TimeInterval[]> } | { problems: string[] } {
  const text = `version: 1\ntimeIntervals:\n${body.replace(/^\n/, '').replace(/^/gm, '  ')}\n`;
  try {
    const loaded = parseConfig(text, 'pipewatch.yaml', { env: {} });
    return { intervals: loaded.notification.timeIntervals ?? {} };
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems.map((p) => new ConfigError([p]).message) };
    throw err;
  }
}

function intervalsOf(body: string): TimeInterval[] {
  const r = load(`t:\n${body.replace(/^\n/, '').replace(/^/gm, '  ')}`);
  if ('problems' in r) throw new Error(r.problems.join('\n'));
  return r.intervals.t!;
}

const MONTHS: Record<string, string> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

/** Go's time.RFC822Z ("02 Jan 06 15:04 -0700") as epoch milliseconds; two-digit years are 20yy as Go reads them here. */
function rfc822z(text: string): number {
  const m = /^(\d{1,2}) (\w{3}) (\d{2}) (\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) throw new Error(`not RFC822Z: ${text}`);
  return Date.parse(`20${m[3]}-${MONTHS[m[2]!]}-${m[1]!.padStart(2, '0')}T${m[4]}:${m[5]}:00${m[6]}${m[7]}:${m[8]}`);
}

const contained = (intervals: TimeInterval[], at: number) => intervals.some((ti) => containsTime(ti, at));

interface Row {
  test: string;
  name: string;
  /** Alertmanager accepts the row's input but pipewatch refuses it at load (the row checks the refusal). */
  refused?: true;
  run: () => void;
}
const rows: Row[] = [];

// ------------------------------------------------------- TestContainsTime

const containsRows: Array<{ name: string; yaml: string; valid: string[]; invalid: string[]; refusedWith?: string }> = [
  {
    name: 'an empty interval contains every time',
    yaml: '- {}',
    valid: ['02 Jan 06 15:04 +0000', '03 Jan 07 10:04 +0000', '04 Jan 06 09:04 +0000'],
    invalid: [],
  },
  {
    name: '9am to 5pm, monday to friday',
    yaml: "- times: [{ startTime: '09:00', endTime: '17:00' }]\n  weekdays: ['monday:friday']",
    valid: ['04 May 20 15:04 +0000', '05 May 20 10:04 +0000', '09 Jun 20 09:04 +0000'],
    invalid: ['03 May 20 15:04 +0000', '04 May 20 08:59 +0000', '05 May 20 05:00 +0000'],
  },
  {
    name: 'Easter 2020',
    yaml: "- daysOfMonth: ['4:6']\n  months: ['4']\n  years: ['2020']",
    valid: ['04 Apr 20 15:04 +0000', '05 Apr 20 00:00 +0000', '06 Apr 20 23:05 +0000'],
    invalid: [
      '03 May 18 15:04 +0000',
      '03 Apr 20 23:59 +0000',
      '04 Jun 20 23:59 +0000',
      '06 Apr 19 23:59 +0000',
      '07 Apr 20 00:00 +0000',
    ],
  },
  {
    name: 'negative days of month: the last 3 days of each month',
    yaml: "- daysOfMonth: ['-3:-1']",
    valid: [
      '31 Jan 20 15:04 +0000',
      '30 Jan 20 15:04 +0000',
      '29 Jan 20 15:04 +0000',
      '30 Jun 20 00:00 +0000',
      '29 Feb 20 23:05 +0000',
    ],
    invalid: [
      '03 May 18 15:04 +0000',
      '27 Jan 20 15:04 +0000',
      '03 Apr 20 23:59 +0000',
      '04 Jun 20 23:59 +0000',
      '06 Apr 19 23:59 +0000',
      '07 Apr 20 00:00 +0000',
      '01 Mar 20 00:00 +0000',
    ],
  },
  {
    name: 'out of bound days are clamped to month boundaries',
    yaml: "- months: ['6']\n  daysOfMonth: ['-31:31']",
    valid: ['30 Jun 20 00:00 +0000', '01 Jun 20 00:00 +0000'],
    // Go cannot parse "1 Jul 20" with a two-digit day layout and tests its zero time (January of year 1); July 1st is excluded either way.
    invalid: ['31 May 20 00:00 +0000', '1 Jul 20 00:00 +0000'],
    // The Go test builds this struct by hand; Alertmanager's own YAML parser refuses "-31:31", and so does pipewatch.
    refusedWith: 'end day must be negative if start day is negative',
  },
  {
    name: 'another time zone: Sydney 9am to 5pm, monday to friday',
    yaml: "- times: [{ startTime: '09:00', endTime: '17:00' }]\n  weekdays: ['monday:friday']\n  location: Australia/Sydney",
    valid: ['06 Apr 21 13:00 +1000'],
    invalid: ['06 Apr 21 13:00 +0000'],
  },
  {
    name: 'another time zone during daylight saving time (Sydney, November)',
    yaml: "- times: [{ startTime: '09:00', endTime: '17:00' }]\n  weekdays: ['monday:friday']\n  months: ['11']\n  location: Australia/Sydney",
    valid: ['01 Nov 21 09:00 +1100', '31 Oct 21 22:00 +0000'],
    invalid: ['31 Oct 21 21:00 +0000'],
  },
  {
    name: 'the last day does not shift in a spring-forward month (New York)',
    yaml: "- daysOfMonth: ['-1']\n  location: America/New_York",
    valid: ['31 Mar 21 12:00 -0400'],
    invalid: ['30 Mar 21 12:00 -0400'],
  },
];
for (const c of containsRows) {
  rows.push({
    test: 'TestContainsTime',
    name: c.name,
    ...(c.refusedWith ? { refused: true as const } : {}),
    run: () => {
      if (c.refusedWith) {
        const r = load(`t:\n${c.yaml.replace(/^/gm, '  ')}`);
        expect('problems' in r && r.problems).toEqual([expect.stringContaining(`: ${c.refusedWith}`)]);
        // The clamping itself works as Alertmanager's on the hand-built interval.
        const clamped: TimeInterval[] = [{ months: [{ begin: 6, end: 6 }], daysOfMonth: [{ begin: -31, end: 31 }] }];
        for (const t of c.valid) expect([t, contained(clamped, rfc822z(t))]).toEqual([t, true]);
        for (const t of c.invalid) expect([t, contained(clamped, rfc822z(t))]).toEqual([t, false]);
        return;
      }
      const intervals = intervalsOf(c.yaml);
      for (const t of c.valid) expect([t, contained(intervals, rfc822z(t))]).toEqual([t, true]);
      for (const t of c.invalid) expect([t, contained(intervals, rfc822z(t))]).toEqual([t, false]);
    },
  });
}

// ---------------------------------------------------- TestParseTimeString

const timeStringRows: Array<{ start?: string; end?: string; range?: [number, number]; error?: string }> = [
  { start: '00:00', end: '24:00', range: [0, 1440] },
  { start: '01:35', end: '17:39', range: [95, 1059] },
  { start: '09:35', end: '09:39', range: [575, 579] },
  { start: '17:31', end: '17:31', error: 'start time cannot be equal or greater than end time' },
  { start: '12:30', end: '24:01', error: "couldn't parse timestamp 24:01, invalid format" },
  { start: '09:30', end: '07:41', error: 'start time cannot be equal or greater than end time' },
  { start: '24:00', end: '17:41', error: 'start time cannot be equal or greater than end time' },
  { start: '14:03', error: 'both start and end times must be provided' },
];
for (const c of timeStringRows) {
  rows.push({
    test: 'TestParseTimeString',
    name: `${c.start ?? '-'} to ${c.end ?? '-'}`,
    run: () => {
      const fields = [c.start ? `startTime: '${c.start}'` : '', c.end ? `endTime: '${c.end}'` : '']
        .filter(Boolean)
        .join(', ');
      const r = load(`t:\n  - times: [{ ${fields} }]`);
      if (c.range) {
        expect('intervals' in r && r.intervals.t).toEqual([
          { times: [{ startMinute: c.range[0], endMinute: c.range[1] }] },
        ]);
      } else {
        expect('problems' in r && r.problems).toEqual([
          expect.stringMatching(
            new RegExp(`^pipewatch\\.yaml:4:\\d+: timeIntervals\\.t\\[0\\]\\.times\\[0\\].*: ${escape(c.error!)}; `),
          ),
        ]);
      }
    },
  });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------- TestYamlUnmarshal

const unmarshalRows: Array<{
  name: string;
  yaml: string;
  intervals?: TimeInterval[];
  contains?: string[];
  excludes?: string[];
  error?: string;
}> = [
  {
    name: 'simple business hours',
    yaml: "- weekdays: ['monday:friday']\n  times:\n    - startTime: '09:00'\n      endTime: '17:00'",
    intervals: [{ weekdays: [{ begin: 1, end: 5 }], times: [{ startMinute: 540, endMinute: 1020 }] }],
    contains: ['08 Jul 20 09:00 +0000', '08 Jul 20 16:59 +0000'],
    excludes: ['08 Jul 20 05:00 +0000', '08 Jul 20 08:59 +0000'],
  },
  {
    name: 'negative indices and ranges: the last week of the first quarter, not Saturday, 2020-2025 and 2030-2035',
    yaml: "- weekdays: ['monday:friday', 'sunday']\n  months: ['january:march']\n  daysOfMonth: ['-7:-1']\n  years: ['2020:2025', '2030:2035']\n  times:\n    - startTime: '09:00'\n      endTime: '17:00'",
    intervals: [
      {
        weekdays: [
          { begin: 1, end: 5 },
          { begin: 0, end: 0 },
        ],
        times: [{ startMinute: 540, endMinute: 1020 }],
        months: [{ begin: 1, end: 3 }],
        daysOfMonth: [{ begin: -7, end: -1 }],
        years: [
          { begin: 2020, end: 2025 },
          { begin: 2030, end: 2035 },
        ],
      },
    ],
    contains: [
      '27 Jan 21 09:00 +0000',
      '28 Jan 21 16:59 +0000',
      '29 Jan 21 13:00 +0000',
      '31 Mar 25 13:00 +0000',
      '31 Mar 25 13:00 +0000',
      '31 Jan 35 13:00 +0000',
    ],
    excludes: ['30 Jan 21 13:00 +0000', '01 Apr 21 13:00 +0000', '30 Jan 26 13:00 +0000', '31 Jan 35 17:01 +0000'],
  },
  {
    name: 'business hours, contains a Thursday afternoon',
    yaml: "- weekdays: ['monday:friday']\n  times:\n    - startTime: '09:00'\n      endTime: '17:00'",
    intervals: [{ weekdays: [{ begin: 1, end: 5 }], times: [{ startMinute: 540, endMinute: 1020 }] }],
    contains: ['01 Apr 21 13:00 +0000'],
  },
  {
    name: 'invalid start time',
    yaml: "- times:\n    - startTime: '01:99'\n      endTime: '23:59'",
    error: "couldn't parse timestamp 01:99, invalid format",
  },
  {
    name: 'invalid end time',
    yaml: "- times:\n    - startTime: '00:00'\n      endTime: '99:99'",
    error: "couldn't parse timestamp 99:99, invalid format",
  },
  {
    name: 'start day before end day',
    yaml: "- weekdays: ['friday:monday']",
    error: 'start day cannot be before end day',
  },
  { name: 'invalid weekdays', yaml: "- weekdays: ['blurgsday:flurgsday']", error: 'blurgsday is not a valid weekday' },
  { name: 'numeric weekdays are not allowed', yaml: "- weekdays: ['1:3']", error: '1 is not a valid weekday' },
  {
    name: 'negative numeric weekdays are not allowed',
    yaml: "- weekdays: ['-2:-1']",
    error: '-2 is not a valid weekday',
  },
  {
    name: 'day 0 of the month',
    yaml: "- daysOfMonth: ['0']",
    error: '0 is not a valid day of the month: out of range',
  },
  {
    name: 'start day of month below -31',
    yaml: "- daysOfMonth: ['-50:-20']",
    error: '-50 is not a valid day of the month: out of range',
  },
  {
    name: 'end day of month above 31',
    yaml: "- daysOfMonth: ['1:50']",
    error: '50 is not a valid day of the month: out of range',
  },
  {
    name: 'negative indices work',
    yaml: "- daysOfMonth: ['1:-1']",
    intervals: [{ daysOfMonth: [{ begin: 1, end: -1 }] }],
  },
  {
    name: 'end day must be negative if start day is negative',
    yaml: "- daysOfMonth: ['-15:5']",
    error: 'end day must be negative if start day is negative',
  },
  {
    name: 'negative end before positive start',
    yaml: "- daysOfMonth: ['10:-25']",
    error: 'end day -25 is always before start day 10',
  },
  {
    name: 'months regardless of case',
    yaml: "- months: ['January:december']",
    intervals: [{ months: [{ begin: 1, end: 12 }] }],
  },
  {
    name: 'a time zone by location',
    yaml: "- years: ['2020:2022']\n  location: 'Australia/Sydney'",
    intervals: [{ years: [{ begin: 2020, end: 2022 }], location: 'Australia/Sydney' }],
  },
  { name: 'invalid start month', yaml: "- months: ['martius:june']", error: 'martius is not a valid month' },
  { name: 'invalid end month', yaml: "- months: ['march:junius']", error: 'junius is not a valid month' },
  {
    name: 'start month after end month',
    yaml: "- months: ['december:january']",
    error: 'end month january is before start month december',
  },
  {
    name: 'start year after end year',
    yaml: "- years: ['2022:2020']",
    error: 'end year 2020 is before start year 2022',
  },
];
for (const c of unmarshalRows) {
  rows.push({
    test: 'TestYamlUnmarshal',
    name: c.name,
    run: () => {
      const r = load(`t:\n${c.yaml.replace(/^/gm, '  ')}`);
      if (c.error) {
        expect('problems' in r && r.problems).toEqual([
          expect.stringMatching(
            new RegExp(
              `^pipewatch\\.yaml:\\d+:\\d+: timeIntervals\\.t\\[0\\]\\.\\w+(\\[\\d+\\])?(\\.\\w+)?: ${escape(c.error)}`,
            ),
          ),
        ]);
        return;
      }
      if ('problems' in r) throw new Error(r.problems.join('\n'));
      expect(r.intervals.t).toEqual(c.intervals);
      for (const t of c.contains ?? []) expect([t, contained(r.intervals.t!, rfc822z(t))]).toEqual([t, true]);
      for (const t of c.excludes ?? []) expect([t, contained(r.intervals.t!, rfc822z(t))]).toEqual([t, false]);
    },
  });
}

// ---------------------------------------------------- TestJsonMarshal
// A parsed interval travels as JSON (the monitor definition a schedule carries): it must survive the trip.
for (const c of unmarshalRows.filter((r) => !r.error)) {
  rows.push({
    test: 'TestJsonMarshal',
    name: c.name,
    run: () => {
      const intervals = intervalsOf(c.yaml);
      const back = JSON.parse(JSON.stringify(intervals)) as TimeInterval[];
      expect(back).toEqual(intervals);
      for (const t of [...(c.contains ?? []), ...(c.excludes ?? [])])
        expect(contained(back, rfc822z(t))).toBe(contained(intervals, rfc822z(t)));
    },
  });
}

// ---------------------------------------------------- TestTimeIntervalComplete

const completeRows: Array<{ name: string; yaml: string; contains: string[]; excludes: string[] }> = [
  {
    name: 'every field at once',
    yaml: "- weekdays: ['monday:wednesday', 'saturday', 'sunday']\n  times:\n    - startTime: '13:00'\n      endTime: '15:00'\n  daysOfMonth: ['1', '10', '20:-1']\n  years: ['2020:2023']\n  months: ['january:march']",
    contains: ['10 Jan 21 13:00 +0000', '30 Jan 21 14:24 +0000'],
    excludes: ['09 Jan 21 13:00 +0000', '20 Jan 21 12:59 +0000', '02 Feb 21 13:00 +0000'],
  },
  {
    name: 'a begin day after the end of the month is not clamped into it',
    yaml: "- daysOfMonth: ['30:31']\n  years: ['2020:2023']\n  months: ['february']",
    contains: [],
    excludes: ['28 Feb 21 13:00 +0000'],
  },
];
for (const c of completeRows) {
  rows.push({
    test: 'TestTimeIntervalComplete',
    name: c.name,
    run: () => {
      const intervals = intervalsOf(c.yaml);
      for (const t of c.contains) expect([t, contained(intervals, rfc822z(t))]).toEqual([t, true]);
      for (const t of c.excludes) expect([t, contained(intervals, rfc822z(t))]).toEqual([t, false]);
    },
  });
}

// ---------------------------------------------------- TestIntervener_Mutes

const eveningsAndWeekends = `
evenings:
  - times: [{ startTime: '00:00', endTime: '09:00' }, { startTime: '17:00', endTime: '24:00' }]
    location: Australia/Sydney
weekends:
  - weekdays: [saturday, sunday]
    location: Australia/Sydney`;
const mutesRows: Array<{ name: string; now: string; mutedBy: string[] }> = [
  { name: 'muted outside working hours', now: '2024-01-01T00:00:00+11:00', mutedBy: ['evenings'] },
  { name: 'not muted during working hours', now: '2024-01-01T09:00:00+11:00', mutedBy: [] },
  { name: 'muted during weekends', now: '2024-01-06T10:00:00+11:00', mutedBy: ['weekends'] },
  { name: 'muted during weekend evenings', now: '2024-01-06T17:00:00+11:00', mutedBy: ['evenings', 'weekends'] },
  { name: 'muted at 10:00 UTC on a weekday', now: '2024-01-01T10:00:00Z', mutedBy: ['evenings'] },
  { name: 'muted at 10:00 UTC on a weekend', now: '2024-01-06T10:00:00Z', mutedBy: ['evenings', 'weekends'] },
];
for (const c of mutesRows) {
  rows.push({
    test: 'TestIntervener_Mutes',
    name: c.name,
    run: () => {
      const r = load(eveningsAndWeekends);
      if ('problems' in r) throw new Error(r.problems.join('\n'));
      expect(intervalsContaining(['evenings', 'weekends'], r.intervals, Date.parse(c.now))).toEqual(c.mutedBy);
      // On a route, the same names as muteTimeIntervals mute it exactly then.
      expect(routeTimeMute({ muteTimeIntervals: ['evenings', 'weekends'] }, r.intervals, Date.parse(c.now)).muted).toBe(
        c.mutedBy.length > 0,
      );
    },
  });
}

describe(`Alertmanager time intervals (${PEER})`, () => {
  it.each(rows.map((r) => [`${r.test}: ${r.name}`, r] as const))('%s', (_name, row) => row.run());

  it(`docs/COMPATIBILITY.md states how many ${PEER} cases pass`, () => {
    const doc = readFileSync('docs/COMPATIBILITY.md', 'utf8');
    const start = doc.indexOf('<!-- section: alertmanager-routing -->');
    const section = doc.slice(start, doc.indexOf('\n## ', start));
    const refused = rows.filter((r) => r.refused).length;
    expect(section).toContain(
      `${rows.length - refused} of ${rows.length} \`${PEER}\` cases pass, ${refused} refused at load`,
    );
  });
});

// ------------------------------------------------- pipewatch's own: DST and when a mute ends

describe('time intervals across daylight saving changes', () => {
  const MIN = 60_000;

  it('reads Berlin business hours on the wall clock across the spring-forward night (2026-03-29)', () => {
    const [hours] = intervalsOf("- times: [{ startTime: '09:00', endTime: '17:00' }]\n  location: Europe/Berlin");
    // Friday 27 March: CET (+01:00); Monday 30 March: CEST (+02:00).
    expect(containsTime(hours!, Date.parse('2026-03-27T08:00:00Z'))).toBe(true); // 09:00 CET
    expect(containsTime(hours!, Date.parse('2026-03-27T07:59:00Z'))).toBe(false);
    expect(containsTime(hours!, Date.parse('2026-03-30T07:00:00Z'))).toBe(true); // 09:00 CEST
    expect(containsTime(hours!, Date.parse('2026-03-30T06:59:00Z'))).toBe(false);
    expect(containsTime(hours!, Date.parse('2026-03-30T15:00:00Z'))).toBe(false); // 17:00 CEST
  });

  it('finds the end of a mute that spans the hour Berlin skips', () => {
    const defined = {
      night: intervalsOf("- times: [{ startTime: '01:00', endTime: '03:30' }]\n  location: Europe/Berlin"),
    };
    // 01:00 CET = 00:00Z; the clock jumps 02:00 → 03:00; 03:30 CEST = 01:30Z.
    const at = Date.parse('2026-03-29T00:00:00Z');
    expect(routeTimeMute({ muteTimeIntervals: ['night'] }, defined, at).muted).toBe(true);
    expect(new Date(routeTimeMuteChangesAt({ muteTimeIntervals: ['night'] }, defined, at)).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });

  it('ends a New York weekend mute at Monday 09:00 EST after the fall-back Sunday (2026-11-01)', () => {
    const defined = {
      hours: intervalsOf(
        "- weekdays: ['monday:friday']\n  times: [{ startTime: '09:00', endTime: '17:00' }]\n  location: America/New_York",
      ),
    };
    const route = { activeTimeIntervals: ['hours'] };
    const sunday = Date.parse('2026-11-01T12:00:00Z'); // 07:00 EST, after the 02:00 EDT → 01:00 EST change
    expect(routeTimeMute(route, defined, sunday)).toEqual({ muted: true, because: 'inactive', intervals: ['hours'] });
    expect(new Date(routeTimeMuteChangesAt(route, defined, sunday)).toISOString()).toBe('2026-11-02T14:00:00.000Z');
    // The Friday before, still EDT (-04:00): active until 17:00 EDT = 21:00Z.
    expect(new Date(routeTimeMuteChangesAt(route, defined, Date.parse('2026-10-30T15:00:00Z'))).toISOString()).toBe(
      '2026-10-30T21:00:00.000Z',
    );
  });

  it('finds the same change a minute-by-minute walk finds, around DST changes in four zones', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe'];
    const starts = [
      '2026-03-28T18:00:00Z',
      '2026-03-07T20:00:00Z',
      '2026-10-31T20:00:00Z',
      '2026-04-04T10:00:00Z',
      '2026-10-03T10:00:00Z',
    ];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    let checked = 0;
    for (const zone of zones) {
      for (const start of starts) {
        const a = rand(1_380);
        const b = a + 1 + rand(1_440 - a - 1);
        const hh = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        const defined = {
          x: intervalsOf(`- times: [{ startTime: '${hh(a)}', endTime: '${hh(b)}' }]\n  location: ${zone}`),
        };
        const route = { muteTimeIntervals: ['x'] };
        const at = Date.parse(start) + rand(600) * MIN;
        const horizon = 2 * 86_400_000;
        const fast = routeTimeMuteChangesAt(route, defined, at, horizon);
        const state = routeTimeMute(route, defined, at).muted;
        let slow = Math.floor(at / MIN) * MIN + MIN;
        while (slow < at + horizon && routeTimeMute(route, defined, slow).muted === state) slow += MIN;
        expect([zone, start, hh(a), hh(b), new Date(fast).toISOString()]).toEqual([
          zone,
          start,
          hh(a),
          hh(b),
          new Date(Math.min(slow, at + horizon)).toISOString(),
        ]);
        checked++;
      }
    }
    expect(checked).toBe(20);
  });

  it('refuses a time zone that would depend on the worker, and unknown zones', () => {
    const local = load('t:\n  - location: Local');
    expect('problems' in local && local.problems[0]).toMatch(
      /timeIntervals\.t\[0\]\.location: "Local" would depend on each worker's clock; write an IANA time zone/,
    );
    const bogus = load('t:\n  - location: Mars/Olympus');
    expect('problems' in bogus && bogus.problems[0]).toMatch(/unknown time zone "Mars\/Olympus"/);
  });

  it('nextChange stops at the horizon when nothing changes', () => {
    expect(nextChange(() => true, 0, [{ zone: 'UTC', boundaries: [] }], 3 * 86_400_000)).toBe(3 * 86_400_000);
  });
});
