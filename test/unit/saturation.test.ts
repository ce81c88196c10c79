// Saturation is never silent (issue 20): the judgement of pipewatch's own schedules (evaluation/saturation.ts)
// and the built-in self-monitor the loader makes (config/self-monitor.ts).
import {
  counterKey,
  judgeSaturation,
  saturationSummary,
  ticksNotOnTime,
  type ScheduleReading,
} from '../../evaluation/saturation.js';
import { parseConfig, validateConfigText } from '../../config/load.js';
import { selfMonitorId } from '../../config/self-monitor.js';

const SELF_MONITOR_ID = selfMonitorId('shop');
import { judgePollers } from '../../cli/doctor-checks.js';
import { renderMain } from '../../ui/page.js';
import { createMetrics } from '../../workers/metrics.js';
import type { StatusData } from '../../ui/status.js';

const at = new Date('2026-12-03T10:00:00Z');
const t = (secondsBefore: number) => new Date(at.getTime() - secondsBefore * 1000);
const reading = (
  id: string,
  skipped: number,
  missed: number,
  actions: Array<[number, number]> = [],
): ScheduleReading => ({
  scheduleId: id,
  skippedOverlap: skipped,
  missedCatchupWindow: missed,
  // [nominal seconds before `at`, lag in seconds]
  recentActions: actions.map(([before, lag]) => ({
    scheduledAt: t(before),
    takenAt: new Date(t(before).getTime() + lag * 1000),
  })),
});

describe('judgeSaturation', () => {
  const cases: Array<{
    name: string;
    readings: ScheduleReading[];
    earlier: Array<[string, number]>;
    expect: { skipped: number; missedCatchup: number; late: number; unsampled: number };
  }> = [
    {
      name: 'all on time',
      readings: [
        reading('a', 4, 0, [
          [10, 0.1],
          [70, 0.2],
        ]),
      ],
      earlier: [
        [counterKey('a', 'skipped'), 4],
        [counterKey('a', 'missed'), 0],
      ],
      expect: { skipped: 0, missedCatchup: 0, late: 0, unsampled: 0 },
    },
    {
      name: 'skips since the earliest sample in the window count',
      readings: [reading('a', 9, 2)],
      earlier: [
        [counterKey('a', 'skipped'), 4],
        [counterKey('a', 'missed'), 1],
      ],
      expect: { skipped: 5, missedCatchup: 1, late: 0, unsampled: 0 },
    },
    {
      name: 'no sample yet: the counters say nothing about when',
      readings: [reading('a', 9, 2)],
      earlier: [],
      expect: { skipped: 0, missedCatchup: 0, late: 0, unsampled: 1 },
    },
    {
      name: 'a schedule made again starts from zero: all of it counts',
      readings: [reading('a', 3, 0)],
      earlier: [
        [counterKey('a', 'skipped'), 40],
        [counterKey('a', 'missed'), 0],
      ],
      expect: { skipped: 3, missedCatchup: 0, late: 0, unsampled: 0 },
    },
    {
      name: 'starts later than lateAfter in the window are late; outside the window they are not counted',
      readings: [
        reading('a', 0, 0, [
          [10, 12],
          [20, 9],
          [400, 60],
        ]),
      ],
      earlier: [[counterKey('a', 'skipped'), 0]],
      expect: { skipped: 0, missedCatchup: 0, late: 1, unsampled: 0 },
    },
  ];
  it.each(cases)('$name', ({ readings, earlier, expect: e }) => {
    const f = judgeSaturation(readings, new Map(earlier.map(([k, v]) => [k, { value: v }])), at, 300_000, 10_000);
    expect({ skipped: f.skipped, missedCatchup: f.missedCatchup, late: f.late, unsampled: f.unsampled }).toEqual(e);
    expect(ticksNotOnTime(f)).toBe(e.skipped + e.missedCatchup + e.late);
  });

  it('gives the start lag over the window and names the worst schedules first', () => {
    const f = judgeSaturation(
      [
        reading('pipewatch-group/1m-00', 12, 0, [
          [30, 2],
          [90, 15],
        ]),
        reading('pipewatch-monitor/b', 1, 0, [[50, 0.5]]),
      ],
      new Map([
        [counterKey('pipewatch-group/1m-00', 'skipped'), { value: 10 }],
        [counterKey('pipewatch-monitor/b', 'skipped'), { value: 0 }],
      ]),
      at,
      300_000,
      10_000,
    );
    expect(f.lagMaxSeconds).toBe(15);
    expect(f.lagP99Seconds).toBe(15);
    expect(f.starts).toBe(3);
    expect(f.worst).toEqual(['pipewatch-group/1m-00: 2 skipped, 1 late', 'pipewatch-monitor/b: 1 skipped']);
    expect(saturationSummary(f)).toBe(
      '2 schedule(s): 3 tick(s) skipped (previous run still open), 0 missed (catch-up window), 1 started late; start lag p99 15.00 s, max 15.00 s over 3 starts',
    );
  });
});

describe('pick-up lag: runs started on time that no worker takes', () => {
  it('counts the waiting run tasks once the oldest has waited longer than lateAfter, and says the pick-up lag', () => {
    const quiet = judgeSaturation(
      [reading('a', 0, 0)],
      new Map([[counterKey('a', 'skipped'), { value: 0 }]]),
      at,
      300_000,
      10_000,
      { count: 4, ageSeconds: 3 },
    );
    expect(quiet.waitingForWorker).toBe(0);
    expect(quiet.pickupLagSeconds).toBe(3);
    const stuck = judgeSaturation(
      [reading('a', 0, 0)],
      new Map([[counterKey('a', 'skipped'), { value: 0 }]]),
      at,
      300_000,
      10_000,
      { count: 4, ageSeconds: 25 },
    );
    expect(stuck.waitingForWorker).toBe(4);
    expect(ticksNotOnTime(stuck)).toBe(4);
    expect(saturationSummary(stuck)).toMatch(/; 4 run task\(s\) waiting for a worker, pick-up lag 25\.00 s$/);
  });
});

describe('the built-in self-monitor', () => {
  const text = (extra: string, monitorId = 'orders') => `version: 1
project: shop
${extra}
connectors: { lake: { type: postgres, url: "postgres://x@127.0.0.1/test" } }
channels: { ops: { type: console } }
defaults: { notify: [ops], schedule: { every: 1m } }
monitors:
  - { id: ${monitorId}, connector: lake, check: { type: count, dataset: t, timestamp: ts, window: 1h }, rules: [{ below: 1 }] }
`;

  it("is made by default: the project's schedules, every minute, alerting at once through the routing", () => {
    const c = parseConfig(text(''), 'self.yaml', { env: false });
    expect(c.monitors.map((m) => m.id)).toEqual(['orders']);
    const [self] = c.selfMonitors!;
    expect(self!.id).toBe(SELF_MONITOR_ID);
    expect(self!.check).toEqual({ type: 'schedules', window: 300_000, lateAfter: 10_000, project: 'shop' });
    expect(self!.connector).toEqual({ id: 'pipewatch-temporal', type: 'temporal' });
    expect(self!.schedule.everyMs).toBe(60_000);
    expect(self!.flap).toEqual({ failAfter: 1, resolveAfter: 1 });
    expect(self!.rules).toEqual([expect.objectContaining({ kind: 'above', threshold: 0, severity: 'critical' })]);
    expect(self!.notification.channels.ops).toBeDefined();
  });

  it('takes its settings from selfMonitor, and is left out with enabled: false', () => {
    const c = parseConfig(
      text('selfMonitor: { every: 10s, window: 1m, lateAfter: 2s, severity: warning }'),
      'self.yaml',
      { env: false },
    );
    const [self] = c.selfMonitors!;
    expect(self!.schedule.everyMs).toBe(10_000);
    expect(self!.check).toEqual({ type: 'schedules', window: 60_000, lateAfter: 2_000, project: 'shop' });
    expect(self!.rules[0]).toEqual(expect.objectContaining({ severity: 'warning' }));
    expect(parseConfig(text('selfMonitor: { enabled: false }'), 'self.yaml', { env: false }).selfMonitors).toEqual([]);
  });

  it('refuses a declared monitor with its id, at that line', () => {
    const v = validateConfigText(text('', SELF_MONITOR_ID), 'self.yaml', { env: false });
    expect(v.problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [
        8,
        `monitors[0].id`,
        `"${SELF_MONITOR_ID}" is the built-in self-monitor's id: rename this monitor, or set selfMonitor: { enabled: false }`,
      ],
    ]);
  });

  it('can be declared by hand too, on a temporal connector', () => {
    const c = parseConfig(
      text('')
        .replace('connectors: {', 'connectors: { t: { type: temporal },')
        .replace(
          'monitors:\n',
          'monitors:\n  - { id: lagging, connector: t, check: { type: schedules, lateAfter: 30s }, rules: [{ above: 5 }] }\n',
        ),
      'self.yaml',
      { env: false },
    );
    expect(c.monitors.find((m) => m.id === 'lagging')!.check).toEqual({
      type: 'schedules',
      window: 300_000,
      lateAfter: 30_000,
    });
  });
});

describe('doctor judges workers by how recently they polled', () => {
  const cases: Array<{
    name: string;
    pollers: Array<[string, number]>;
    backlog: [number, number];
    ok: boolean;
    probe?: boolean;
    says: RegExp;
  }> = [
    { name: 'no poller listed', pollers: [], backlog: [0, 0], ok: false, says: /no worker polls task queue "q"/ },
    {
      name: 'listed but last polled over the long-poll time ago',
      pollers: [['w1', 80]],
      backlog: [0, 0],
      ok: false,
      says: /no worker polls/,
    },
    {
      name: 'polled 2 s ago',
      pollers: [['w1', 2]],
      backlog: [5, 1],
      ok: true,
      says: /1 worker\(s\) polling task queue "q": w1 \(last poll 2 s ago\)/,
    },
    {
      name: 'died 20 s ago while 3 tasks wait 15 s',
      pollers: [['w1', 20]],
      backlog: [3, 15],
      ok: false,
      says: /no worker has polled task queue "q" for 20 s while 3 task\(s\) wait \(oldest 15 s\)/,
    },
    {
      name: 'quiet 30 s with nothing waiting: asked by a query',
      pollers: [['w1', 30]],
      backlog: [0, 0],
      ok: true,
      probe: true,
      says: /^idle: w1/,
    },
    {
      name: 'one fresh worker of two is enough',
      pollers: [
        ['old', 40],
        ['new', 1],
      ],
      backlog: [2, 30],
      ok: true,
      says: /2 worker\(s\) polling .*new \(last poll 1 s ago\), old/,
    },
  ];
  it.each(cases)('$name', ({ pollers, backlog, ok, probe, says }) => {
    const j = judgePollers(
      'q',
      pollers.map(([identity, ageSeconds]) => ({ identity, ageSeconds })),
      { count: backlog[0], ageSeconds: backlog[1] },
    );
    expect(j.ok).toBe(ok);
    expect(Boolean(j.probe)).toBe(Boolean(probe));
    expect(j.message).toMatch(says);
  });
});

describe('the status page says whether pipewatch keeps up', () => {
  const data = (saturation?: StatusData['saturation']): StatusData => ({
    project: 'shop',
    generatedAt: '2026-12-03T10:00:00.000Z',
    namespace: 'default',
    taskQueue: 'pipewatch',
    temporalUi: 'http://ui:8233',
    pointsShown: 30,
    alerting: 0,
    monitors: [],
    incidents: [],
    interventions: [],
    problems: [],
    ...(saturation ? { saturation } : {}),
  });

  it("shows the self-monitor's figures as a problem when ticks were skipped or late, with its run", () => {
    const html = renderMain(
      data({
        status: 'critical',
        reason: 'ticks … skipped: 12 above 0',
        lastRunId: 'pipewatch-monitor/pipewatch-schedules-2026-12-03T10:00:00Z',
        alerting: true,
      }),
    );
    expect(html).toContain('<p id="saturation" class="saturation status-critical problem">');
    expect(html).toContain('pipewatch&#39;s own schedules are not keeping up: ticks … skipped: 12 above 0');
    expect(html).toContain(
      'href="http://ui:8233/namespaces/default/workflows/pipewatch-monitor%2Fpipewatch-schedules-2026-12-03T10%3A00%3A00Z"',
    );
  });

  it('says every tick ran on time when it did, and nothing without a self-monitor', () => {
    expect(renderMain(data({ status: 'ok', reason: '0', alerting: false }))).toContain('every tick on time');
    expect(renderMain(data())).not.toContain('id="saturation"');
  });
});

describe('the figures as Prometheus metrics', () => {
  it('sets ticks not on time by reason and the start lag by quantile, per project', async () => {
    const metrics = createMetrics();
    metrics.observeSchedules!('shop', {
      skippedOverlap: 12,
      missedCatchupWindow: 0,
      lateStarts: 3,
      lagP99Seconds: 14.5,
      lagMaxSeconds: 20,
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('pipewatch_schedule_ticks_not_on_time{project="shop",reason="skipped"} 12');
    expect(text).toContain('pipewatch_schedule_ticks_not_on_time{project="shop",reason="missed"} 0');
    expect(text).toContain('pipewatch_schedule_ticks_not_on_time{project="shop",reason="late"} 3');
    expect(text).toContain('pipewatch_schedule_start_lag_seconds{project="shop",quantile="0.99"} 14.5');
    metrics.observeSchedules!('shop', {
      skippedOverlap: 0,
      missedCatchupWindow: 0,
      lateStarts: 0,
      waitingForWorker: 6,
      lagP99Seconds: 1,
      lagMaxSeconds: 1,
      pickupLagSeconds: 31,
    });
    const withPickup = await metrics.registry.metrics();
    expect(withPickup).toContain('pipewatch_schedule_ticks_not_on_time{project="shop",reason="waiting"} 6');
    expect(withPickup).toContain('pipewatch_schedule_pickup_lag_seconds{project="shop"} 31');
    // A window without starts has no lag: the series goes rather than keep an old value.
    metrics.observeSchedules!('shop', {
      skippedOverlap: 0,
      missedCatchupWindow: 0,
      lateStarts: 0,
      lagP99Seconds: null,
      lagMaxSeconds: null,
    });
    expect(await metrics.registry.metrics()).not.toContain('pipewatch_schedule_start_lag_seconds{project="shop"');
  });
});

describe('the self-monitor in a shared namespace', () => {
  it('has an id of its own per project, so two projects can sync side by side', () => {
    expect(selfMonitorId('default')).toBe('pipewatch-schedules');
    expect(selfMonitorId('shop')).toBe('pipewatch-schedules-shop');
    expect(selfMonitorId('shop')).not.toBe(selfMonitorId('lake'));
  });
});
