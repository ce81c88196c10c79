// The incident state machine (evaluation/incident-machine.ts) without Temporal: sequences of alert
// events, messages, acknowledgements and resolves at chosen times, and what the machine then says is
// due, what it tells whom, and what state it is in. The workflow that runs it is tested with a server
// in test/integration/incidents.test.ts and replayed from captured histories in replay.test.ts.
import type { NamedChannel, NotificationPolicy, RouteNode } from '../../config/model.js';
import type { IncidentNotification, IncidentNotificationKind } from '../../channels/types.js';
import type { AlertNode } from '../../evaluation/correlation.js';
import { IncidentMachine } from '../../evaluation/incident-machine.js';
import type { AlertEvent, IncidentMemory, IncidentSettings } from '../../evaluation/incident-types.js';
import type { MuteReason } from '../../evaluation/muting.js';
import type { Status } from '../../evaluation/types.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const iso = (t: number) => new Date(T0 + t).toISOString();

const channel = (id: string, type: 'console' | 'alertmanager' = 'console') =>
  (type === 'alertmanager'
    ? { id, type, url: 'http://am.invalid', headers: {}, resendEvery: 1 * M, timeout: 10 * S }
    : { id, type }) as NamedChannel;

function policy(extra: Partial<NotificationPolicy> = {}): NotificationPolicy {
  return {
    routing: {} as RouteNode,
    receivers: {
      oncall: { id: 'oncall', notify: ['chat'], escalation: 'page' },
      team: { id: 'team', notify: ['chat', 'chat', 'gone'] },
      watched: { id: 'watched', notify: ['chat', 'am'] },
    },
    escalations: {
      page: {
        id: 'page',
        steps: [
          { afterMs: 10 * M, notify: ['pager'] },
          { afterMs: 20 * M, notify: ['phone'] },
        ],
        repeat: 0,
      },
    },
    channels: {
      chat: channel('chat'),
      pager: channel('pager'),
      phone: channel('phone'),
      am: channel('am', 'alertmanager'),
    },
    inhibit: [],
    maintenance: [],
    delivery: { initialIntervalMs: S, maximumIntervalMs: M, timeoutMs: M, fallbackAfterMs: 10 * M },
    reopenWindowMs: 1 * H,
    ...extra,
  };
}

interface Options {
  receiver?: string;
  correlation?: boolean;
  ackExpiryMs?: number;
  carried?: IncidentMemory;
}

function settings(o: Options = {}): IncidentSettings {
  return {
    input: {
      incidentId: 'inc-1',
      receiver: o.receiver ?? 'team',
      groupLabels: { pipeline: 'orders' },
      timing: { groupWaitMs: 30 * S, groupIntervalMs: 5 * M, repeatIntervalMs: 4 * H },
      policy: policy(o.ackExpiryMs ? { ackExpiryMs: o.ackExpiryMs } : {}),
    },
    timing: { groupWaitMs: 30 * S, groupIntervalMs: 5 * M, repeatIntervalMs: 4 * H },
    ...(o.correlation ? { correlation: { windowMs: 3 * M } } : {}),
    firstRunId: 'run-0',
  };
}

let runs = 0;
function event(
  monitor: string,
  transition: AlertEvent['transition'],
  t: number,
  o: { status?: Status; run?: string; node?: AlertNode } = {},
): AlertEvent {
  const status = o.status ?? (transition === 'resolve' ? 'ok' : 'critical');
  return {
    transition,
    runId: o.run ?? `run-${++runs}`,
    monitor: { id: monitor, perspective: 'data', pipeline: 'orders', labels: {}, ...(o.node ? { node: o.node } : {}) },
    labels: { monitor },
    status,
    verdict: { status, unit: 'records', reason: `${monitor} is ${status}`, observedAt: iso(t) },
    at: iso(t),
  };
}

/** Drives a machine the way workflows/incident.ts does, one call at a time, and logs what it sends. */
class Script {
  readonly machine: IncidentMachine;
  readonly log: string[] = [];
  readonly messages: IncidentNotification[] = [];
  published = 0;

  constructor(o: Options = {}) {
    this.machine = new IncidentMachine(settings(o), o.carried);
  }

  /** Alert events heard at t, then applied at t (the main loop's turn). */
  alert(t: number, ...events: AlertEvent[]): this {
    for (const e of events) this.machine.receive(e);
    this.turn(t);
    return this;
  }

  turn(t: number): this {
    for (let e = this.machine.nextEvent(); e; e = this.machine.nextEvent())
      if (this.machine.apply(e, T0 + t)) this.published++;
    this.machine.reevaluate(T0 + t);
    return this;
  }

  /** One message: muted alerts as given (as muteState would answer); false when everything was muted. */
  tell(
    t: number,
    kind: IncidentNotificationKind,
    channels: string[],
    extra: Partial<IncidentNotification> = {},
    muted: Record<string, MuteReason> = {},
  ): boolean {
    const now = T0 + t;
    if (kind !== 'resolved' && !this.machine.applyMutes(muted, now)) return false;
    const { notification, targets } = this.machine.compose(kind, channels, extra, now);
    const keys = targets.map((c) => this.machine.deliveryKey(c));
    this.machine.told(kind, targets, now, now);
    this.messages.push(notification);
    this.log.push(`${t / S}s ${kind} ${notification.alerts.map((a) => a.monitor.id).join('+')} → ${keys.join(' ')}`);
    return true;
  }

  /** The receiver's message due at t, sent (unless every alert is muted). */
  send(t: number, muted: Record<string, MuteReason> = {}): string | undefined {
    const due = this.machine.dueMessage(T0 + t);
    if (due && this.tell(t, due, this.machine.receiver.notify, {}, muted)) this.machine.messageSent(due, T0 + t);
    return due;
  }

  escalate(t: number): void {
    for (let step = this.machine.dueEscalationStep(T0 + t); step; step = this.machine.dueEscalationStep(T0 + t)) {
      if (
        !this.tell(t, 'escalation', step.notify, {
          escalation: { policy: step.policy, step: step.step, round: step.round },
        })
      )
        break;
      this.machine.escalated();
    }
  }

  resolve(t: number, by?: { by: string; note?: string }): void {
    const message = this.machine.resolve(T0 + t, by);
    if (message) this.tell(t, 'resolved', message.channels, message.extra);
  }

  wake(): number | undefined {
    const w = this.machine.nextWake();
    return w === undefined ? undefined : w - T0;
  }

  get snapshot() {
    return this.machine.snapshot(T0);
  }
}

describe('what is due when: group wait, group interval, repeat interval', () => {
  const cases: Array<[string, (s: Script) => void, string[]]> = [
    [
      'the first message waits group_wait',
      (s) => [s.alert(0, event('a', 'open', 0)).send(29 * S), s.send(30 * S)],
      ['30s firing a → inc-1/run-0/1/chat'],
    ],
    [
      'alerts within the group wait go out together',
      (s) => [s.alert(0, event('a', 'open', 0)), s.alert(20 * S, event('b', 'open', 20 * S)), s.send(30 * S)],
      ['30s firing a+b → inc-1/run-0/1/chat'],
    ],
    [
      'a change waits for group_interval after the last message',
      (s) => [
        s.alert(0, event('a', 'open', 0)).send(30 * S),
        s.alert(60 * S, event('b', 'open', 60 * S)).send(60 * S),
        s.send(5 * M + 29 * S),
        s.send(5 * M + 30 * S),
      ],
      ['30s firing a → inc-1/run-0/1/chat', '330s changed a+b → inc-1/run-0/2/chat'],
    ],
    [
      'a reminder every repeat_interval while nothing changes',
      (s) => [
        s.alert(0, event('a', 'open', 0)).send(30 * S),
        s.send(4 * H),
        s.send(4 * H + 30 * S),
        s.send(8 * H + 30 * S),
      ],
      [
        '30s firing a → inc-1/run-0/1/chat',
        '14430s reminder a → inc-1/run-0/2/chat',
        '28830s reminder a → inc-1/run-0/3/chat',
      ],
    ],
    [
      'no reminder while acknowledged',
      (s) => [
        s.alert(0, event('a', 'open', 0)).send(30 * S),
        s.machine.acknowledge({ by: 'ana' }, T0 + M),
        s.send(4 * H + 30 * S),
      ],
      ['30s firing a → inc-1/run-0/1/chat'],
    ],
    [
      'a worse status of a firing alert is a change',
      (s) => [
        s.alert(0, event('a', 'open', 0, { status: 'warning' })).send(30 * S),
        s.alert(M, event('a', 'change', M, { status: 'critical' })),
        s.send(5 * M + 30 * S),
      ],
      ['30s firing a → inc-1/run-0/1/chat', '330s changed a → inc-1/run-0/2/chat'],
    ],
  ];
  it.each(cases)('%s', (_, steps, log) => {
    const s = new Script();
    steps(s);
    expect(s.log).toEqual(log);
  });

  it('sleeps until the group wait ends, then until the next of reminder, escalation or change', () => {
    const s = new Script({ receiver: 'oncall' });
    expect(s.wake()).toBeUndefined();
    s.alert(0, event('a', 'open', 0));
    expect([s.machine.state, s.wake()]).toEqual(['firing', 30 * S]);
    s.send(30 * S);
    // Escalation starts when the group wait ends: its first step 10 minutes after.
    expect(s.wake()).toBe(10 * M + 30 * S);
    s.escalate(10 * M + 30 * S);
    expect(s.wake()).toBe(30 * M + 30 * S);
    s.escalate(30 * M + 30 * S);
    expect(s.wake()).toBe(4 * H + 30 * S);
  });

  it('sends to each configured channel once, leaving out channels that are not configured', () => {
    const s = new Script({ receiver: 'team' });
    s.alert(0, event('a', 'open', 0)).send(30 * S);
    expect(s.log).toEqual(['30s firing a → inc-1/run-0/1/chat']);
    expect(s.snapshot.notificationsSent).toBe(1);
    expect(s.snapshot.lastNotifiedAt).toBe(iso(30 * S));
  });
});

describe('alerts joining and leaving', () => {
  it('hears a monitor run once, however often its signal arrives', () => {
    const s = new Script();
    const e = event('a', 'open', 0, { run: 'monitor-run-7' });
    s.machine.receive(e);
    s.machine.receive({ ...e });
    expect(s.machine.queued).toBe(1);
    s.turn(0);
    s.machine.receive({ ...e, transition: 'resolve' });
    expect(s.machine.queued).toBe(0);
    expect(s.published).toBe(1);
  });

  it('ignores the recovery of a monitor that is not firing here: nothing changes, nothing is published', () => {
    const s = new Script();
    s.alert(0, event('a', 'resolve', 0));
    expect([s.machine.state, s.published, s.snapshot.alerts]).toEqual(['pending', 0, []]);
  });

  it('keeps when an alert started firing across changes, and the node it fired with after it recovers', () => {
    const s = new Script();
    const node = { stage: 'parsed', position: 1 };
    s.alert(0, event('a', 'open', 0, { node, status: 'warning' }));
    s.alert(M, event('a', 'change', M, { node, status: 'critical' }));
    s.alert(2 * M, event('a', 'resolve', 2 * M));
    const [a] = s.snapshot.alerts;
    expect(a).toMatchObject({ firing: false, since: iso(2 * M), openedAt: iso(0), status: 'ok' });
    expect(a!.monitor.node).toEqual(node);
  });

  it('reports the worst firing status', () => {
    const s = new Script();
    s.alert(
      0,
      event('a', 'open', 0, { status: 'warning' }),
      event('b', 'open', 0, { status: 'critical' }),
      event('c', 'open', 0, { status: 'info' }),
    );
    expect(s.snapshot.status).toBe('critical');
    s.alert(M, event('b', 'resolve', M));
    expect(s.snapshot.status).toBe('warning');
    expect(s.machine.listing(T0)).toMatchObject({ state: 'firing', status: 'warning', monitor: { id: 'a' } });
  });
});

describe('muting', () => {
  const silence = (until: number): MuteReason => ({
    kind: 'silence',
    id: 's1',
    until: iso(until),
    by: 'ana',
    reason: 'deploy',
  });

  it('sends nothing while every firing alert is muted, and looks again when the silence ends (or after group_interval)', () => {
    const s = new Script();
    s.alert(0, event('a', 'open', 0));
    expect(s.send(30 * S, { a: silence(2 * M) })).toBe('firing');
    expect(s.log).toEqual([]);
    expect(s.wake()).toBe(2 * M + 1 * S);
    expect(s.machine.dueMessage(T0 + 2 * M)).toBeUndefined();
    s.send(2 * M + S);
    expect(s.log).toEqual(['121s firing a → inc-1/run-0/1/chat']);
    expect(s.snapshot.muted).toEqual({});
  });

  it('an inhibited alert is looked at again after group_interval', () => {
    const s = new Script();
    s.alert(0, event('a', 'open', 0));
    s.send(30 * S, { a: { kind: 'inhibited', by: 'upstream' } });
    expect(s.wake()).toBe(5 * M + 30 * S);
  });

  it('leaves muted alerts out of a message that has loud ones, and says why', () => {
    const s = new Script();
    s.alert(0, event('a', 'open', 0), event('b', 'open', 0));
    s.send(30 * S, { b: silence(H) });
    expect(s.log).toEqual(['30s firing a → inc-1/run-0/1/chat']);
    expect(Object.keys(s.snapshot.muted)).toEqual(['b']);
  });

  it('holds escalation while everything is muted', () => {
    const s = new Script({ receiver: 'oncall' });
    s.alert(0, event('a', 'open', 0));
    s.send(30 * S);
    expect(s.tell(10 * M + 30 * S, 'reminder', ['chat'], {}, { a: silence(20 * M) })).toBe(false);
    s.escalate(10 * M + 30 * S);
    expect(s.log).toEqual(['30s firing a → inc-1/run-0/1/chat']);
    s.escalate(20 * M + S);
    expect(s.log.slice(1)).toEqual(['1201s escalation a → inc-1/run-0/2/pager']);
  });
});

describe('escalation and acknowledgement', () => {
  it('runs the steps in order until someone acknowledges', () => {
    const s = new Script({ receiver: 'oncall' });
    s.alert(0, event('a', 'open', 0)).send(30 * S);
    s.escalate(10 * M + 29 * S);
    s.escalate(10 * M + 30 * S);
    expect(s.snapshot.escalation).toEqual({
      policy: 'page',
      nextStep: { offsetMs: 30 * M, notify: ['phone'], policy: 'page', step: 2, round: 1, at: iso(30 * M + 30 * S) },
      stepsDone: 1,
      stepsTotal: 2,
    });
    s.machine.acknowledge({ by: 'ana', note: 'looking' }, T0 + 11 * M);
    s.escalate(30 * M + 30 * S);
    expect(s.log).toEqual(['30s firing a → inc-1/run-0/1/chat', '630s escalation a → inc-1/run-0/2/pager']);
    expect(s.messages[1]!.escalation).toEqual({ policy: 'page', step: 1, round: 1 });
    expect(s.snapshot).toMatchObject({
      state: 'acknowledged',
      acknowledged: { by: 'ana', note: 'looking', at: iso(11 * M), until: undefined },
    });
  });

  it('an escalation step counts as the opening message when it comes first', () => {
    const s = new Script({ receiver: 'oncall' });
    s.alert(0, event('a', 'open', 0));
    s.escalate(10 * M + 30 * S);
    s.alert(11 * M, event('b', 'open', 11 * M));
    expect(s.machine.dueMessage(T0 + 11 * M)).toBe('changed');
  });

  it('an acknowledgement that runs out starts reminders and escalation again', () => {
    const s = new Script({ receiver: 'oncall', ackExpiryMs: H });
    s.alert(0, event('a', 'open', 0)).send(30 * S);
    s.machine.acknowledge({ by: 'ana' }, T0 + M);
    expect(s.snapshot.acknowledged?.until).toBe(iso(H + M));
    expect(s.wake()).toBe(H + M);
    expect(s.machine.expireAcknowledgement(T0 + H)).toBe(false);
    expect(s.machine.expireAcknowledgement(T0 + H + M)).toBe(true);
    expect([s.machine.state, s.snapshot.acknowledged, s.machine.dueMessage(T0 + H + M)]).toEqual([
      'firing',
      undefined,
      'reminder',
    ]);
    expect(s.snapshot.escalation?.nextStep?.at).toBe(iso(H + 11 * M));
    expect(s.snapshot.acknowledgements.map((a) => a.by)).toEqual(['ana']);
  });

  it("the request's forMs wins over the policy's expiry", () => {
    const s = new Script({ ackExpiryMs: H });
    s.alert(0, event('a', 'open', 0));
    s.machine.acknowledge({ by: 'ana', forMs: 10 * M }, T0);
    expect(s.snapshot.acknowledged?.until).toBe(iso(10 * M));
  });

  const refused: Array<[string, 'acknowledge' | 'resolve', unknown, boolean, RegExp | undefined]> = [
    ['acknowledge with a name', 'acknowledge', { by: 'ana' }, false, undefined],
    ['acknowledge without a name', 'acknowledge', { by: '  ' }, false, /say who acknowledges/],
    ['acknowledge with nothing', 'acknowledge', undefined, false, /say who acknowledges/],
    ['acknowledge for no time', 'acknowledge', { by: 'ana', forMs: 0 }, false, /forMs must be a positive/],
    [
      'acknowledge a resolved incident',
      'acknowledge',
      { by: 'ana' },
      true,
      /already resolved \(at 2026-03-02T10:01:00.000Z\); nothing to acknowledge/,
    ],
    ['resolve with a name', 'resolve', { by: 'ana' }, false, undefined],
    ['resolve without a name', 'resolve', { by: 42 }, false, /say who resolves/],
    ['resolve a resolved incident', 'resolve', { by: 'ana' }, true, /inc-1 is already resolved/],
  ];
  it.each(refused)('validates: %s', (_, what, request, resolved, error) => {
    const s = new Script();
    s.alert(0, event('a', 'open', 0));
    if (resolved) s.resolve(M);
    const check = () =>
      what === 'acknowledge' ? s.machine.checkAcknowledge(request as never) : s.machine.checkResolve(request as never);
    if (error) expect(check).toThrow(error);
    else expect(check).not.toThrow();
  });
});

describe('resolving and the reopen window', () => {
  it('resolves when every alert has recovered, tells everyone who heard, and closes after the reopen window', () => {
    const s = new Script({ receiver: 'watched' });
    s.alert(0, event('a', 'open', 0)).send(30 * S);
    s.alert(M, event('a', 'resolve', M));
    expect(s.machine.nothingFiring()).toBe(true);
    s.resolve(M);
    expect(s.log.slice(1)).toEqual(['60s resolved a → inc-1/run-0/3/chat inc-1/run-0/4/am']);
    expect(s.snapshot).toMatchObject({ state: 'resolved', resolvedAt: iso(M), escalation: undefined });
    expect(s.wake()).toBe(H + M);
    expect(s.machine.reopenWindowOver(T0 + H)).toBe(false);
    expect(s.machine.reopenWindowOver(T0 + H + M)).toBe(true);
    s.machine.receive(event('a', 'open', H + M));
    expect(s.machine.reopenWindowOver(T0 + H + M)).toBe(false);
  });

  it('tells nobody when the incident resolves within the group wait', () => {
    const s = new Script();
    s.alert(0, event('a', 'open', 0));
    s.alert(10 * S, event('a', 'resolve', 10 * S));
    expect(s.machine.resolve(T0 + 10 * S)).toBeUndefined();
  });

  it('a person resolving names themselves and their note; every alert stops firing', () => {
    const s = new Script();
    s.alert(0, event('a', 'open', 0), event('b', 'open', 0)).send(30 * S);
    s.machine.requestResolve({ by: 'ana', note: 'fixed upstream' });
    expect(s.machine.hasWork()).toBe(true);
    const request = s.machine.takeResolveRequest();
    expect([s.machine.takeResolveRequest(), s.machine.firingMonitorIds()]).toEqual([undefined, ['a', 'b']]);
    s.resolve(2 * M, request);
    expect(s.messages[1]).toMatchObject({
      kind: 'resolved',
      resolvedBy: 'ana (fixed upstream)',
      resolvedAt: iso(2 * M),
    });
    expect(s.snapshot.alerts.map((a) => [a.firing, a.since])).toEqual([
      [false, iso(2 * M)],
      [false, iso(2 * M)],
    ]);
    expect(s.snapshot.resolvedBy).toBe('ana');
  });

  it('firing again within the reopen window reopens the same incident with only the new alerts, after a new group wait', () => {
    const s = new Script();
    s.alert(0, event('a', 'open', 0), event('b', 'open', 0)).send(30 * S);
    s.alert(M, event('a', 'resolve', M), event('b', 'resolve', M));
    s.resolve(M);
    s.alert(10 * M, event('b', 'open', 10 * M));
    expect(s.snapshot).toMatchObject({ state: 'firing', reopened: 1, openedAt: iso(10 * M), resolvedAt: undefined });
    expect(s.snapshot.alerts.map((a) => a.monitor.id)).toEqual(['b']);
    expect(s.send(10 * M + 29 * S)).toBeUndefined();
    s.send(10 * M + 30 * S);
    expect(s.log.slice(2)).toEqual(['630s firing b → inc-1/run-0/3/chat']);
  });
});

describe('channels that are told while an alert lasts (Alertmanager)', () => {
  it('refreshes them every resendEvery from the last message, and stops once resolved', () => {
    const s = new Script({ receiver: 'watched' });
    s.alert(0, event('a', 'open', 0)).send(30 * S);
    expect(s.wake()).toBe(90 * S);
    expect(s.machine.refreshDue(T0 + 89 * S)).toBeUndefined();
    expect(s.machine.refreshDue(T0 + 90 * S)).toEqual(['am']);
    expect(s.wake()).toBe(150 * S);
    s.alert(2 * M, event('a', 'resolve', 2 * M));
    s.resolve(2 * M);
    expect(s.machine.refreshDue(T0 + 150 * S)).toBeUndefined();
  });
});

describe('correlated incidents: told again only when the causes change', () => {
  const node = (position: number) => ({ stage: `s${position}`, position });

  it('a symptom joining is not a change; a new cause is', () => {
    const s = new Script({ correlation: true });
    s.alert(0, event('cause', 'open', 0, { node: node(0) })).send(30 * S);
    s.alert(M, event('symptom', 'open', M, { node: node(1) }));
    expect(s.machine.dueMessage(T0 + 10 * M)).toBeUndefined();
    s.alert(11 * M, event('other', 'open', 11 * M));
    expect(s.send(11 * M)).toBe('changed');
    expect(s.messages[1]!.correlation?.causes.map((c) => [c.cause, c.downstream])).toEqual([
      ['cause', ['symptom']],
      ['other', []],
    ]);
  });

  it('re-evaluates when a resolved cause stops explaining its symptoms', () => {
    const s = new Script({ correlation: true });
    s.alert(0, event('cause', 'open', 0, { node: node(0) }), event('symptom', 'open', 0, { node: node(1) })).send(
      30 * S,
    );
    s.alert(M, event('cause', 'resolve', M, { node: node(0) }));
    expect(s.wake()).toBe(4 * M);
    // Told at 30 s, so a change goes out from 5 m 30 s (group_interval): is one due then?
    s.turn(4 * M - 1);
    expect(s.machine.dueMessage(T0 + 5 * M + 30 * S)).toBeUndefined();
    s.turn(4 * M);
    expect(s.machine.dueMessage(T0 + 5 * M + 30 * S)).toBe('changed');
  });

  it('is listed under its probable cause, not its first alert', () => {
    const s = new Script({ correlation: true });
    s.alert(0, event('symptom', 'open', 0, { node: node(2) }), event('cause', 'open', 0, { node: node(0) }));
    expect(s.machine.listing(T0).monitor?.id).toBe('cause');
    expect(
      new Script()
        .alert(0, event('symptom', 'open', 0, { node: node(2) }), event('cause', 'open', 0))
        .machine.listing(T0).monitor?.id,
    ).toBe('symptom');
  });

  it('the resolved message names the whole tree as it stood', () => {
    const s = new Script({ correlation: true });
    s.alert(0, event('cause', 'open', 0, { node: node(0) })).send(30 * S);
    s.alert(M, event('symptom', 'open', M, { node: node(1) }));
    s.alert(
      2 * M,
      event('cause', 'resolve', 2 * M, { node: node(0) }),
      event('symptom', 'resolve', 2 * M, { node: node(1) }),
    );
    s.resolve(2 * M);
    expect(s.messages[1]!.correlation?.causes).toEqual([{ cause: 'cause', resolved: false, downstream: ['symptom'] }]);
  });
});

describe('continue-as-new', () => {
  it('the next run carries the memory: state, runs already heard, the message sequence', () => {
    const first = new Script({ receiver: 'oncall' });
    first.alert(0, event('a', 'open', 0, { run: 'r1' })).send(30 * S);
    const carried = JSON.parse(JSON.stringify(first.machine.carry())) as IncidentMemory;
    expect(carried.recentRuns).toEqual(['r1']);
    const next = new Script({ receiver: 'oncall', carried });
    next.machine.receive(event('a', 'change', M, { run: 'r1' }));
    expect(next.machine.queued).toBe(0);
    expect(next.snapshot).toMatchObject({ state: 'firing', notificationsSent: 1, escalation: { stepsDone: 0 } });
    next.escalate(10 * M + 30 * S);
    expect(next.log).toEqual(['630s escalation a → inc-1/run-0/2/pager']);
  });

  it('remembers the last 200 runs heard', () => {
    const s = new Script();
    for (let i = 0; i < 250; i++) s.machine.receive(event('a', i === 0 ? 'open' : 'change', i, { run: `r${i}` }));
    const runsKept = s.machine.carry().recentRuns;
    expect([runsKept.length, runsKept[0], runsKept[199]]).toEqual([200, 'r50', 'r249']);
  });

  it('events after the reopen window start the next incident with fresh memory, keeping the key sequence', () => {
    const s = new Script();
    s.alert(0, event('a', 'open', 0)).send(30 * S);
    s.alert(M, event('a', 'resolve', M));
    s.resolve(M);
    const late = event('a', 'open', 2 * H);
    s.machine.receive(late);
    const next = s.machine.nextIncident();
    expect(next).toMatchObject({ state: 'pending', alerts: {}, told: [], sent: 0, reopened: 0, seq: 2, queue: [late] });
    expect(next.recentRuns).toContain(late.runId);
  });
});

describe('the fallback notice', () => {
  it('names the channel, the message, the incident and how long it has failed', () => {
    const notice = new Script().machine.fallbackNotice('pager', 'firing', 'POST answered 503');
    expect(notice).toEqual({
      kind: 'notice',
      title: 'channel pager is failing',
      text: 'pipewatch has not been able to deliver a firing message for incident inc-1 on channel "pager" for 10m; it keeps retrying.\nLast error: POST answered 503',
    });
  });
});
