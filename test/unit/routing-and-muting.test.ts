import type { EscalationPolicy, MaintenanceWindow, RouteNode } from '../../config/model.js';
import { openWindow, parseCron } from '../../evaluation/cron.js';
import { escalationCycle, escalationPlan } from '../../evaluation/escalation.js';
import { matches, parseMatcher, type Matcher } from '../../evaluation/matchers.js';
import { muteReason, type Silence } from '../../evaluation/muting.js';
import { incidentFor, routeAlert } from '../../evaluation/routing.js';

const m = (text: string): Matcher => {
  const parsed = parseMatcher(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

describe('matchers', () => {
  it('parses the four operators, quoted or not', () => {
    expect(parseMatcher('pipeline = intel')).toEqual({ label: 'pipeline', op: '=', value: 'intel' });
    expect(parseMatcher('severity=~"warning|critical"')).toEqual({
      label: 'severity',
      op: '=~',
      value: 'warning|critical',
    });
    expect(parseMatcher('team != lake')).toEqual({ label: 'team', op: '!=', value: 'lake' });
    expect(parseMatcher('env !~ "dev.*"')).toEqual({ label: 'env', op: '!~', value: 'dev.*' });
  });

  it('refuses what is not a matcher, and regexes that do not compile', () => {
    expect(parseMatcher('pipeline intel')).toMatch(/is not a matcher/);
    expect(parseMatcher('x =~ "("')).toMatch(/does not compile/);
  });

  it('anchors regexes and reads a missing label as empty', () => {
    expect(matches(m('severity =~ "warn"'), { severity: 'warning' })).toBe(false);
    expect(matches(m('severity =~ "warn.*"'), { severity: 'warning' })).toBe(true);
    expect(matches(m('team != lake'), {})).toBe(true);
    expect(matches(m('team = ""'), {})).toBe(true);
  });
});

describe('routing', () => {
  const node = (over: Partial<RouteNode>): RouteNode => ({
    matchers: [],
    receiver: 'default',
    groupBy: ['monitor'],
    groupWaitMs: 30_000,
    groupIntervalMs: 300_000,
    repeatIntervalMs: 14_400_000,
    continue: false,
    routes: [],
    ...over,
  });
  const tree = node({
    routes: [
      node({
        matchers: [m('pipeline = intel')],
        receiver: 'intel',
        groupBy: ['pipeline'],
        routes: [node({ matchers: [m('severity = critical')], receiver: 'intel-pager', groupBy: ['pipeline'] })],
      }),
      node({ matchers: [m('team = lake')], receiver: 'lake', continue: true }),
      node({ matchers: [m('team = lake')], receiver: 'lake-audit' }),
      node({ matchers: [m('team = lake')], receiver: 'never' }),
    ],
  });

  it('sends an alert no route claims to the root receiver', () => {
    expect(routeAlert(tree, { monitor: 'x' }).map((r) => r.receiver)).toEqual(['default']);
  });

  it('descends to the deepest matching route, first match wins', () => {
    expect(routeAlert(tree, { pipeline: 'intel', severity: 'warning' }).map((r) => r.receiver)).toEqual(['intel']);
    expect(routeAlert(tree, { pipeline: 'intel', severity: 'critical', team: 'lake' }).map((r) => r.receiver)).toEqual([
      'intel-pager',
    ]);
  });

  it('keeps trying siblings after a route that says continue', () => {
    expect(routeAlert(tree, { team: 'lake' }).map((r) => r.receiver)).toEqual(['lake', 'lake-audit']);
  });

  it("groups by the route's labels into one incident id", () => {
    const [match] = routeAlert(tree, { pipeline: 'intel', severity: 'warning', monitor: 'a' });
    expect(incidentFor(match!, { pipeline: 'intel', monitor: 'a' })).toEqual({
      incidentId: 'pipewatch-incident/intel/pipeline=intel',
      groupLabels: { pipeline: 'intel' },
    });
    expect(incidentFor(match!, { pipeline: 'intel', monitor: 'b' }).incidentId).toBe(
      'pipewatch-incident/intel/pipeline=intel',
    );
  });
});

describe('cron windows', () => {
  it('parses fields, ranges, steps, names and macros', () => {
    const spec = parseCron('*/15 9-17 * * mon-fri');
    expect(typeof spec).toBe('object');
    if (typeof spec === 'string') return;
    expect([...spec.minute]).toEqual([0, 15, 30, 45]);
    expect([...spec.dayOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect(typeof parseCron('@daily')).toBe('object');
  });

  it.each([
    ['* * * *', /has 4 field/],
    ['61 * * * *', /minute "61" is out of range \(0-59\)/],
    ['* * * * funday', /not a valid day of week/],
    ['5-1 * * * *', /minute "5-1" starts after it ends/],
  ])('refuses %j', (text, message) => expect(parseCron(text)).toMatch(message));

  it('knows when a window is open, in its time zone', () => {
    const spec = parseCron('0 2 * * sun');
    if (typeof spec === 'string') throw new Error(spec);
    // Sunday 2026-11-29 02:30 in Berlin is 01:30 UTC.
    const inside = Date.parse('2026-11-29T01:30:00Z');
    expect(openWindow(spec, 3_600_000, 'Europe/Berlin', inside)).toEqual({
      start: Date.parse('2026-11-29T01:00:00Z'),
      end: Date.parse('2026-11-29T02:00:00Z'),
    });
    expect(openWindow(spec, 3_600_000, 'Europe/Berlin', Date.parse('2026-11-29T02:00:00Z'))).toBeUndefined();
    expect(openWindow(spec, 3_600_000, 'UTC', inside)).toBeUndefined();
  });
});

describe('escalation policies', () => {
  const policies: Record<string, EscalationPolicy> = {
    standard: {
      id: 'standard',
      steps: [
        { afterMs: 0, notify: ['oncall'] },
        { afterMs: 600_000, notify: ['lead'] },
      ],
      repeat: 1,
      then: 'managers',
    },
    managers: { id: 'managers', steps: [{ afterMs: 1_800_000, notify: ['head'] }], repeat: 0 },
  };

  it('unrolls steps, repeats and the next policy into offsets', () => {
    expect(
      escalationPlan(policies, 'standard').map((s) => [s.offsetMs, s.notify.join(), s.policy, s.step, s.round]),
    ).toEqual([
      [0, 'oncall', 'standard', 1, 1],
      [600_000, 'lead', 'standard', 2, 1],
      [600_000, 'oncall', 'standard', 1, 2],
      [1_200_000, 'lead', 'standard', 2, 2],
      [3_000_000, 'head', 'managers', 1, 1],
    ]);
  });

  it('finds a cycle of then-chains', () => {
    expect(escalationCycle({ a: { then: 'b' }, b: { then: 'c' }, c: { then: 'a' } })).toEqual(['a', 'b', 'c', 'a']);
    expect(escalationCycle({ a: { then: 'b' }, b: {} })).toBeUndefined();
  });
});

describe('muting', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  const silence = (over: Partial<Silence>): Silence => ({
    id: 's1',
    matchers: [m('pipeline = intel')],
    startsAt: '2026-11-26T11:00:00Z',
    endsAt: '2026-11-26T13:00:00Z',
    createdBy: 'alice',
    reason: 'migration',
    ...over,
  });
  const none = { silences: [], maintenance: [], inhibit: [], active: [] };
  const alert = { monitorId: 'a', labels: { monitor: 'a', pipeline: 'intel', severity: 'warning' } };

  it('mutes what an active silence matches, and nothing else', () => {
    expect(muteReason(alert, { ...none, now, silences: [silence({})] })).toEqual({
      kind: 'silence',
      id: 's1',
      until: '2026-11-26T13:00:00Z',
      by: 'alice',
      reason: 'migration',
    });
    expect(
      muteReason({ ...alert, labels: { pipeline: 'lake' } }, { ...none, now, silences: [silence({})] }),
    ).toBeUndefined();
  });

  it('does not mute after a silence ends or was expired, nor before it starts', () => {
    expect(
      muteReason(alert, { ...none, now, silences: [silence({ endsAt: '2026-11-26T12:00:00Z' })] }),
    ).toBeUndefined();
    expect(
      muteReason(alert, { ...none, now, silences: [silence({ expiredAt: '2026-11-26T11:30:00Z' })] }),
    ).toBeUndefined();
    expect(
      muteReason(alert, { ...none, now, silences: [silence({ startsAt: '2026-11-26T12:30:00Z' })] }),
    ).toBeUndefined();
  });

  it('mutes during a maintenance window that matches', () => {
    const window: MaintenanceWindow = {
      id: 'nightly',
      matchers: [m('pipeline = intel')],
      cron: '30 11 * * *',
      durationMs: 3_600_000,
      timezone: 'UTC',
      reason: 'reindex',
      owner: 'lake',
    };
    expect(muteReason(alert, { ...none, now, maintenance: [window] })).toEqual({
      kind: 'maintenance',
      id: 'nightly',
      until: '2026-11-26T12:30:00.000Z',
      owner: 'lake',
      reason: 'reindex',
    });
    expect(
      muteReason(alert, { ...none, now: Date.parse('2026-11-26T12:31:00Z'), maintenance: [window] }),
    ).toBeUndefined();
  });

  it('inhibits a warning while a critical alert of the same pipeline fires', () => {
    const inhibit = [{ source: [m('severity = critical')], target: [m('severity = warning')], equal: ['pipeline'] }];
    const critical = { monitorId: 'b', labels: { pipeline: 'intel', severity: 'critical' }, status: 'critical' };
    expect(muteReason(alert, { ...none, now, inhibit, active: [critical] })).toEqual({ kind: 'inhibited', by: 'b' });
    expect(
      muteReason(alert, {
        ...none,
        now,
        inhibit,
        active: [{ ...critical, labels: { pipeline: 'lake', severity: 'critical' } }],
      }),
    ).toBeUndefined();
    // An alert never inhibits itself.
    expect(
      muteReason(
        { monitorId: 'b', labels: { pipeline: 'intel', severity: 'warning' } },
        { ...none, now, inhibit, active: [critical] },
      ),
    ).toBeUndefined();
  });
});
