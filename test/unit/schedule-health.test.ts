// The self-monitor describes only the schedules the list cannot vouch for (schedules/health.ts readingFromList):
// Temporal's skipped and missed counters move only when a nominal time passes without an action, so a schedule
// whose every promised tick that has come shows as taken keeps its counters; anything else is described.
import { readingFromList, type KnownSchedule, type ListedSchedule } from '../../schedules/health.js';

const now = new Date('2026-12-03T10:00:30Z');
/** A time `s` seconds after (negative: before) `now`. */
const t = (s: number) => new Date(now.getTime() + s * 1000);
const action = (s: number, lag = 0.05) => ({ scheduledAt: t(s), takenAt: new Date(t(s).getTime() + lag * 1000) });
/** One-minute ticks at second :10 of each minute: -80, -20, 40, 100, … seconds from now. */
const ticks = (from: number, n: number) => Array.from({ length: n }, (_, i) => t(from + 60 * i));

const listedThen: ListedSchedule = {
  paused: false,
  spec: '{"intervals":[{"every":60000,"offset":10000}]}',
  version: 'v1',
  recentActions: [action(-200), action(-140), action(-80)],
  nextActionTimes: ticks(-20, 5),
};
const known: KnownSchedule = {
  reading: {
    scheduleId: 'pipewatch-group/1m-00',
    skippedOverlap: 3,
    missedCatchupWindow: 1,
    recentActions: [action(-260), action(-200), action(-140), action(-80)],
    paused: false,
  },
  listed: listedThen,
};
const listedNow = (change: Partial<ListedSchedule> = {}): ListedSchedule => ({
  ...listedThen,
  recentActions: [action(-140), action(-80), action(-20, 0.2)],
  nextActionTimes: ticks(40, 5),
  ...change,
});

describe('readingFromList', () => {
  it('keeps the counters and adds the newer actions when every promised tick that has come was taken', () => {
    const r = readingFromList(known, listedNow(), now);
    expect(r).toEqual({
      ...known.reading,
      recentActions: [action(-260), action(-200), action(-140), action(-80), action(-20, 0.2)],
    });
  });

  it('keeps at most ten actions, the most recent', () => {
    const many = {
      ...known,
      reading: { ...known.reading, recentActions: ticks(-620, 10).map((d) => ({ scheduledAt: d, takenAt: d })) },
    };
    const r = readingFromList(many, listedNow(), now)!;
    expect(r.recentActions).toHaveLength(10);
    expect(r.recentActions.at(-1)).toEqual(action(-20, 0.2));
    expect(r.recentActions[0]!.scheduledAt).toEqual(t(-560));
  });

  const describeAgain: Array<{ name: string; known?: KnownSchedule; listed: ListedSchedule }> = [
    { name: 'nothing known (first read, another worker, a restart)', known: undefined, listed: listedNow() },
    {
      name: 'a promised tick has come and shows no action (skipped, missed, or not yet taken)',
      known,
      listed: listedNow({ recentActions: [action(-200), action(-140), action(-80)] }),
    },
    {
      name: 'the promise ended before now (ticks after it were never promised)',
      known: { ...known, listed: { ...listedThen, nextActionTimes: ticks(-20, 1) } },
      listed: listedNow(),
    },
    {
      name: 'nothing was promised',
      known: { ...known, listed: { ...listedThen, nextActionTimes: [] } },
      listed: listedNow(),
    },
    { name: 'paused now', known, listed: listedNow({ paused: true }) },
    { name: 'paused then', known: { ...known, listed: { ...listedThen, paused: true } }, listed: listedNow() },
    {
      name: 'a sync changed the spec (ticks of the new spec were not promised)',
      known,
      listed: listedNow({ spec: '{"intervals":[{"every":30000,"offset":10000}]}' }),
    },
    { name: 'a sync changed the version', known, listed: listedNow({ version: 'v2' }) },
  ];
  it.each(describeAgain)('describes again when $name', ({ known: k, listed }) => {
    expect(readingFromList(k, listed, now)).toBeUndefined();
  });

  it('does not wait for ticks still ahead', () => {
    // Read just before the tick at -20 s came: nothing promised is due yet.
    const early = new Date(t(-21).getTime());
    expect(
      readingFromList(known, listedNow({ recentActions: [action(-200), action(-140), action(-80)] }), early),
    ).toMatchObject({ skippedOverlap: 3, missedCatchupWindow: 1 });
  });
});
