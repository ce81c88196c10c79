// Kubernetes' own cases for when the CronJob controller starts a Job, ported
// from kubernetes/kubernetes v1.36.3 pkg/controller/cronjob/utils_test.go
// (TestGetJobFromTemplate2, TestNextScheduleTime, TestMostRecentScheduleTime,
// TestNextScheduleTimeDuration) as tables in pipewatch's terms
// (evaluation/cronjob-schedule.ts), then the judge (evaluation/kubernetes/cronjobs.ts
// judgeCronJob) on what the controller leaves behind: Jobs named and annotated
// for their scheduled time, status.active, a status that lags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cronJobSchedule,
  jobNameFor,
  mostRecentScheduleTime,
  nextScheduleDelay,
  nextScheduleTime,
  scheduledTimeOfJob,
  scheduledTimestampText,
  SCHEDULED_TIMESTAMP_ANNOTATION,
  type CronJobSchedule,
  type Missed,
} from '../../evaluation/cronjob-schedule.js';
import { judgeCronJob, type CronJobShape, type JobShape } from '../../evaluation/kubernetes/cronjobs.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// utils_test.go: topOfTheHour() is 2016-05-19T10:00:00Z; deltaTimeAfterTopOfTheHour(d) is that plus d.
const TOP = Date.parse('2016-05-19T10:00:00Z');
const at = (d: number) => TOP + d;
const iso = (t: number | undefined) => (t === undefined ? 'nil' : new Date(t).toISOString());

function schedule(text: string, zone?: string): CronJobSchedule {
  const s = cronJobSchedule(text, zone);
  if ('error' in s) throw new Error(s.error);
  return s;
}

// ------------------------------------------------ TestMostRecentScheduleTime

interface MostRecentCase {
  name: string;
  schedule: string;
  created: number;
  lastScheduleTime?: number;
  startingDeadlineSeconds?: number;
  includeSDS?: boolean;
  now: number;
  earliest?: number;
  recent?: number;
  missed?: Missed;
  wantErr?: boolean;
}

const MOST_RECENT: MostRecentCase[] = [
  { name: 'now before next schedule', schedule: '0 * * * *', created: TOP, now: TOP + 30 * SECOND, earliest: TOP },
  {
    name: 'now just after next schedule',
    schedule: '0 * * * *',
    created: TOP,
    now: at(61 * MINUTE),
    recent: at(60 * MINUTE),
    earliest: TOP,
  },
  {
    name: 'missed 5 schedules',
    schedule: '0 * * * *',
    created: at(10 * SECOND),
    now: at(301 * MINUTE),
    recent: at(300 * MINUTE),
    earliest: at(10 * SECOND),
    missed: 'few',
  },
  {
    name: 'complex schedule',
    schedule: '30 6-16/4 * * 1-5',
    created: TOP,
    lastScheduleTime: at(30 * MINUTE),
    now: at(DAY + 31 * MINUTE),
    recent: at(DAY + 30 * MINUTE),
    earliest: at(30 * MINUTE),
    missed: 'few',
  },
  {
    name: 'another complex schedule',
    schedule: '30 10,11,12 * * 1-5',
    created: TOP,
    lastScheduleTime: at(30 * MINUTE),
    now: at(30 * HOUR + 30 * MINUTE),
    recent: undefined,
    earliest: at(30 * MINUTE),
    missed: 'few',
  },
  {
    name: 'complex schedule with longer diff between executions',
    schedule: '30 6-16/4 * * 1-5',
    created: TOP,
    lastScheduleTime: at(30 * MINUTE),
    now: at(96 * HOUR + 31 * MINUTE),
    recent: at(96 * HOUR + 30 * MINUTE),
    earliest: at(30 * MINUTE),
    missed: 'few',
  },
  {
    name: 'complex schedule with shorter diff between executions',
    schedule: '30 6-16/4 * * 1-5',
    created: TOP,
    now: at(DAY + 31 * MINUTE),
    recent: at(DAY + 30 * MINUTE),
    earliest: TOP,
    missed: 'few',
  },
  {
    name: '@every schedule',
    schedule: '@every 1h',
    created: at(-59 * MINUTE),
    startingDeadlineSeconds: 10,
    lastScheduleTime: at(MINUTE),
    now: at(7 * DAY),
    recent: at(6 * DAY + 23 * HOUR + MINUTE),
    earliest: at(MINUTE),
    missed: 'many',
  },
  { name: 'rogue cronjob', schedule: '59 23 31 2 *', created: at(10 * SECOND), now: at(HOUR), wantErr: true },
  {
    name: 'earliestTime being CreationTimestamp and LastScheduleTime',
    schedule: '0 * * * *',
    created: TOP,
    lastScheduleTime: TOP,
    now: at(30 * SECOND),
    earliest: TOP,
  },
  {
    name: 'earliestTime being LastScheduleTime',
    schedule: '*/5 * * * *',
    created: TOP,
    lastScheduleTime: at(30 * MINUTE),
    now: at(31 * MINUTE),
    earliest: at(30 * MINUTE),
  },
  {
    name: 'earliestTime being LastScheduleTime (within StartingDeadlineSeconds)',
    schedule: '*/5 * * * *',
    created: TOP,
    lastScheduleTime: at(30 * MINUTE),
    startingDeadlineSeconds: 60,
    now: at(31 * MINUTE),
    earliest: at(30 * MINUTE),
  },
  {
    name: 'earliestTime being LastScheduleTime (outside StartingDeadlineSeconds)',
    schedule: '*/5 * * * *',
    created: TOP,
    lastScheduleTime: at(30 * MINUTE),
    startingDeadlineSeconds: 60,
    includeSDS: true,
    now: at(32 * MINUTE),
    earliest: at(31 * MINUTE),
  },
];

describe('utils_test.go TestMostRecentScheduleTime', () => {
  it.each(MOST_RECENT.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = mostRecentScheduleTime(
      { created: c.created, lastScheduleTime: c.lastScheduleTime, startingDeadlineSeconds: c.startingDeadlineSeconds },
      c.now,
      schedule(c.schedule),
      c.includeSDS ?? false,
    );
    if (c.wantErr) {
      expect(got.error).toBeDefined();
      return;
    }
    expect(got.error).toBeUndefined();
    expect({ earliest: iso(got.earliest), recent: iso(got.mostRecent), missed: got.missed }).toEqual({
      earliest: iso(c.earliest),
      recent: iso(c.recent),
      missed: c.missed ?? 'none',
    });
  });
});

// ----------------------------------------------------- TestNextScheduleTime

interface NextCase {
  name: string;
  schedule?: string;
  created: number;
  lastScheduleTime?: number;
  startingDeadlineSeconds?: number;
  now: number;
  expect: number | 'nil' | 'some';
  wantErr?: boolean;
}

const T1 = TOP;
const T2 = at(HOUR);
const NEXT: NextCase[] = [
  {
    name: 'Case 1: no known start times, and none needed yet',
    created: T1 - 10 * MINUTE,
    now: T1 - 7 * MINUTE,
    expect: 'nil',
  },
  { name: 'Case 2: no known start times, and one needed', created: T1 - 10 * MINUTE, now: T1 + 2 * SECOND, expect: T1 },
  {
    name: 'Case 3: known LastScheduleTime, no start needed',
    created: T1 - 10 * MINUTE,
    lastScheduleTime: T1,
    now: T1 + 2 * MINUTE,
    expect: 'nil',
  },
  {
    name: 'Case 4: known LastScheduleTime, a start needed',
    created: T1 - 10 * MINUTE,
    lastScheduleTime: T1,
    now: T2 + 5 * MINUTE,
    expect: T2,
  },
  {
    name: 'Case 5: known LastScheduleTime, two starts needed',
    created: T1 - 2 * HOUR,
    lastScheduleTime: T1 - HOUR,
    now: T2 + 5 * MINUTE,
    expect: T2,
  },
  {
    name: 'Case 6: now is way way ahead of last start time, and there is no deadline',
    created: T1 - 2 * HOUR,
    lastScheduleTime: T1 - HOUR,
    now: T2 + 10 * DAY,
    expect: 'some',
  },
  {
    name: 'Case 7: now is way way ahead of last start time, but there is a short deadline',
    created: T1 - 2 * HOUR,
    lastScheduleTime: T1 - HOUR,
    startingDeadlineSeconds: 2 * 60 * 60,
    now: T2 + 10 * DAY,
    expect: 'some',
  },
  {
    name: 'Case 8: ensure the error from mostRecentScheduleTime gets populated up',
    schedule: '59 23 31 2 *',
    created: T1 + 10 * SECOND,
    now: at(HOUR),
    expect: 'nil',
    wantErr: true,
  },
];

describe('utils_test.go TestNextScheduleTime (schedule "0 * * * ?")', () => {
  it.each(NEXT.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = nextScheduleTime(
      { created: c.created, lastScheduleTime: c.lastScheduleTime, startingDeadlineSeconds: c.startingDeadlineSeconds },
      c.now,
      schedule(c.schedule ?? '0 * * * ?'),
    );
    if (c.expect === 'nil') expect(got.at).toBeUndefined();
    else if (c.expect === 'some') expect(got.at).toBeDefined();
    else expect(iso(got.at)).toBe(iso(c.expect));
    expect(got.error !== undefined).toBe(c.wantErr ?? false);
  });
});

// --------------------------------------------- TestNextScheduleTimeDuration

const DURATION: Array<{ name: string; schedule: string; lastScheduleTime?: number; now: number; expected: number }> = [
  {
    name: 'complex schedule skipping weekend',
    schedule: '30 6-16/4 * * 1-5',
    lastScheduleTime: at(30 * MINUTE),
    now: at(DAY + 31 * MINUTE),
    expected: 3 * HOUR + 59 * MINUTE + 100,
  },
  {
    name: 'another complex schedule skipping weekend',
    schedule: '30 10,11,12 * * 1-5',
    lastScheduleTime: at(30 * MINUTE),
    now: at(30 * HOUR + 30 * MINUTE),
    expected: 66 * HOUR + 100,
  },
  {
    name: 'once a week cronjob, missed two runs',
    schedule: '0 12 * * 4',
    lastScheduleTime: at(2 * HOUR),
    now: at(19 * DAY + HOUR + 30 * MINUTE),
    expected: 48 * HOUR + 30 * MINUTE + 100,
  },
  { name: 'no previous run of a cronjob', schedule: '0 12 * * 5', now: at(6 * HOUR), expected: 20 * HOUR + 100 },
];

describe('utils_test.go TestNextScheduleTimeDuration', () => {
  it.each(DURATION.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const delay = nextScheduleDelay(
      { created: TOP, lastScheduleTime: c.lastScheduleTime },
      c.now,
      schedule(c.schedule),
    );
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBe(c.expected);
  });
});

// ------------------------------------------------- TestGetJobFromTemplate2

const TEMPLATE: Array<{ name: string; timeZone?: string; expected: string }> = [
  { name: 'UTC timezone and one annotation', timeZone: 'UTC', expected: '2016-05-19T10:00:00Z' },
  { name: 'nil timezone and one annotation', expected: '2016-05-19T10:00:00Z' },
  { name: 'correct timezone and multiple annotation', timeZone: 'Europe/Rome', expected: '2016-05-19T12:00:00+02:00' },
];

describe('utils_test.go TestGetJobFromTemplate2: the Job of a scheduled time', () => {
  it.each(TEMPLATE.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const name = jobNameFor('mycronjob', TOP);
    expect(name.startsWith('mycronjob-')).toBe(true);
    const annotation = scheduledTimestampText(TOP, c.timeZone ?? 'UTC');
    expect(annotation).toBe(c.expected);
    // And pipewatch reads the scheduled time back from either.
    expect(
      scheduledTimeOfJob('mycronjob', { name, annotations: { [SCHEDULED_TIMESTAMP_ANNOTATION]: annotation } }),
    ).toBe(TOP);
    expect(scheduledTimeOfJob('mycronjob', { name })).toBe(TOP);
  });
});

// The table the COMPATIBILITY page counts: every case above, and the one function not ported.
export const PORTED = {
  passed: MOST_RECENT.length + NEXT.length + DURATION.length + TEMPLATE.length,
  refused: 0,
  notPorted: 5,
};

describe('docs/COMPATIBILITY.md states the utils_test.go counts', () => {
  it('matches the tables', () => {
    const page = readFileSync(join(process.cwd(), 'docs', 'COMPATIBILITY.md'), 'utf8');
    const section = page.split('<!-- section: cron -->')[1]?.split('<!-- section:')[0] ?? '';
    const total = PORTED.passed + PORTED.refused + PORTED.notPorted;
    expect(section).toContain(
      `${PORTED.passed} of ${total} kubernetes/kubernetes \`pkg/controller/cronjob/utils_test.go\` cases pass`,
    );
  });
});

// ------------------------------------------------------------------ judge

const settings = { grace: 2 * MINUTE, successWithin: 3, failedWithin: HOUR, slowerThan: 3 };
const NOW = Date.parse('2026-11-26T10:03:00Z');

function cronJob(
  spec: Partial<NonNullable<CronJobShape['spec']>>,
  status: CronJobShape['status'] = {},
  created = '2026-11-01T00:00:00Z',
): CronJobShape {
  return {
    metadata: { name: 'nightly', namespace: 'etl', uid: 'u-1', creationTimestamp: created },
    spec: { schedule: '0 10 * * *', ...spec },
    status,
  };
}

function jobFor(scheduled: number, opts: { annotate?: boolean; done?: boolean; uid?: string } = {}): JobShape {
  return {
    metadata: {
      name: jobNameFor('nightly', scheduled),
      namespace: 'etl',
      ...(opts.annotate === false
        ? {}
        : { annotations: { [SCHEDULED_TIMESTAMP_ANNOTATION]: scheduledTimestampText(scheduled, 'UTC') } }),
      ownerReferences: [{ kind: 'CronJob', name: 'nightly', uid: opts.uid ?? 'u-1', controller: true }],
    },
    status: opts.done
      ? {
          startTime: new Date(scheduled + SECOND).toISOString(),
          completionTime: new Date(scheduled + MINUTE).toISOString(),
          succeeded: 1,
        }
      : { startTime: new Date(scheduled + SECOND).toISOString(), active: 1 },
  };
}

const TODAY_10 = Date.parse('2026-11-26T10:00:00Z');
const YESTERDAY_10 = TODAY_10 - DAY;
// Yesterday's run happened and succeeded: only today's run is in question.
const RAN_YESTERDAY = {
  lastScheduleTime: new Date(YESTERDAY_10).toISOString(),
  lastSuccessfulTime: new Date(YESTERDAY_10 + MINUTE).toISOString(),
};

describe('judging a CronJob by its own Jobs', () => {
  it('reports the run missed when neither the status nor any Job has it', () => {
    const j = judgeCronJob(
      cronJob({}, { ...RAN_YESTERDAY }),
      [jobFor(YESTERDAY_10, { done: true })],
      settings,
      NOW + 2 * MINUTE,
    );
    expect(j.state).toBe('problem');
    expect(j.problems[0]).toMatch(/^missed the run due 2026-11-26 10:00 UTC/);
  });

  it('a lagging lastScheduleTime is not a miss when the Job of that run exists (annotation or name alone)', () => {
    const status = RAN_YESTERDAY;
    expect(
      judgeCronJob(
        cronJob({}, status),
        [jobFor(YESTERDAY_10, { done: true }), jobFor(TODAY_10)],
        settings,
        NOW + 2 * MINUTE,
      ).state,
    ).toBe('ok');
    expect(
      judgeCronJob(cronJob({}, status), [jobFor(TODAY_10, { annotate: false })], settings, NOW + 2 * MINUTE).state,
    ).toBe('ok');
  });

  it('a run in status.active counts, and Forbid never names the due run itself as the blocker', () => {
    const status = { ...RAN_YESTERDAY, active: [{ name: jobNameFor('nightly', TODAY_10) }] };
    expect(judgeCronJob(cronJob({ concurrencyPolicy: 'Forbid' }, status), [], settings, NOW + 2 * MINUTE).state).toBe(
      'ok',
    );
    // Yesterday's run still running blocks today's: that one is named.
    const blocked = judgeCronJob(
      cronJob(
        { concurrencyPolicy: 'Forbid' },
        { ...RAN_YESTERDAY, active: [{ name: jobNameFor('nightly', YESTERDAY_10) }] },
      ),
      [],
      settings,
      NOW + 2 * MINUTE,
    );
    expect(blocked.problems[0]).toMatch(
      new RegExp(`skipped because ${jobNameFor('nightly', YESTERDAY_10)} is still running`),
    );
  });

  it("ignores another CronJob's Jobs of the same name (another uid)", () => {
    const j = judgeCronJob(
      cronJob({}, { ...RAN_YESTERDAY }),
      [jobFor(TODAY_10, { uid: 'u-old' })],
      settings,
      NOW + 2 * MINUTE,
    );
    expect(j.state).toBe('problem');
  });

  it('a CronJob created exactly on a scheduled second does not owe that run (as the controller: Next is after creation)', () => {
    const created = new Date(TODAY_10).toISOString();
    expect(judgeCronJob(cronJob({}, {}, created), [], settings, NOW + 2 * MINUTE).state).toBe('ok');
    // A second earlier, it does.
    expect(
      judgeCronJob(cronJob({}, {}, new Date(TODAY_10 - SECOND).toISOString()), [], settings, NOW + 2 * MINUTE)
        .problems[0],
    ).toMatch(/^missed the run due/);
  });

  it('a time zone this worker does not know: that CronJob is "could not check", not a failure of the others', () => {
    const j = judgeCronJob(cronJob({ timeZone: 'Mars/Olympus_Mons' }), [], settings, NOW);
    expect(j).toMatchObject({
      state: 'unchecked',
      problems: [expect.stringMatching(/^could not check: time zone "Mars\/Olympus_Mons" is unknown/)],
    });
  });

  it('a schedule that can never fire is its own finding, not "ok"', () => {
    const j = judgeCronJob(cronJob({ schedule: '0 0 30 2 *' }), [], settings, NOW);
    expect(j).toMatchObject({ state: 'problem', problems: [expect.stringMatching(/never fires.*InvalidSchedule/)] });
  });

  it('past startingDeadlineSeconds, says Kubernetes will not start it', () => {
    const j = judgeCronJob(cronJob({ startingDeadlineSeconds: 60 }, { ...RAN_YESTERDAY }), [], settings, NOW);
    expect(j.problems[0]).toMatch(/startingDeadlineSeconds \(60\) has passed/);
  });

  it('@every counts from the last run, as the controller does', () => {
    const last = NOW - 50 * MINUTE;
    expect(
      judgeCronJob(
        cronJob({ schedule: '@every 1h' }, { lastScheduleTime: new Date(last).toISOString() }),
        [],
        settings,
        NOW,
      ).state,
    ).toBe('ok');
    expect(
      judgeCronJob(
        cronJob({ schedule: '@every 30m' }, { lastScheduleTime: new Date(last).toISOString() }),
        [],
        settings,
        NOW,
      ).problems[0],
    ).toMatch(/^missed the run due/);
  });

  it('the schedule of a TZ= prefix is read in that zone', () => {
    // 10:00 in Seoul is 01:00Z: at 10:03Z today's run (01:00Z) is due and missing.
    const j = judgeCronJob(
      cronJob(
        { schedule: 'TZ=Asia/Seoul 0 10 * * *' },
        { lastScheduleTime: new Date(Date.parse('2026-11-25T01:00:00Z')).toISOString() },
      ),
      [],
      settings,
      NOW,
    );
    expect(j.problems[0]).toMatch(/missed the run due 2026-11-26 10:00 Asia\/Seoul/);
  });
});
