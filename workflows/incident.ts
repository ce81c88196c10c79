// An incident: the alerts one receiver hears about as one group (Alertmanager's
// group), from the first alert to the resolved message. It waits group_wait
// to collect alerts, sends changes at most every group_interval, repeats every
// repeat_interval while unacknowledged, escalates by policy until someone
// acknowledges, and always ends with a resolved message to everyone it told.
// Every message is an activity retried until its channel takes it, under an
// idempotency key; a channel that keeps failing is reported on the fallback.
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { NotificationPolicy } from '../config/model.js';
import { formatDuration } from '../config/duration.js';
import type { AlertSummary, IncidentNotification, IncidentNotificationKind, IncidentSubject, Notification } from '../channels/types.js';
import { escalationPlan, type EscalationStepDue } from '../evaluation/escalation.js';
import type { Transition } from '../evaluation/flap.js';
import type { Labels } from '../evaluation/matchers.js';
import type { MuteReason } from '../evaluation/muting.js';
import { hasZeroInterval, withoutZeroIntervals } from '../evaluation/routing.js';
import { causeKey, correlate, correlationInputs, type Correlation } from '../evaluation/correlation.js';
import { HEARTBEAT_TIMEOUT_MS } from './heartbeats.js';
import { STATUS_RANK, type Status, type Verdict } from '../evaluation/types.js';
import type { Activities } from '../activities/index.js';
import { INCIDENT_STATE, MONITOR, PERSPECTIVE, PIPELINE, SEVERITY, STATUS } from './search-attributes.js';

export interface IncidentTiming {
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  /** The route's time intervals (names in policy.timeIntervals): muted inside these… */
  muteTimeIntervals?: string[];
  /** …and outside all of these. */
  activeTimeIntervals?: string[];
}

export interface IncidentInput {
  incidentId: string;
  receiver: string;
  groupLabels: Labels;
  timing: IncidentTiming;
  policy: NotificationPolicy;
  /** A correlated pipeline's incident (pipelines.<id>.correlation): told as causes with their symptoms. */
  correlation?: { windowMs: number };
}

export interface AlertEvent {
  transition: Exclude<Transition, 'none'>;
  /** The monitor run that caused it; repeats of the same run are ignored. */
  runId: string;
  monitor: IncidentSubject;
  labels: Labels;
  status: Status;
  verdict: Verdict;
  at: string;
}

export type IncidentState = 'pending' | 'firing' | 'acknowledged' | 'resolved';

export interface Acknowledgement {
  by: string;
  note?: string;
  at: string;
  until?: string;
}

export interface IncidentSnapshot {
  incidentId: string;
  receiver: string;
  groupLabels: Labels;
  state: IncidentState;
  /** Worst status among firing alerts. */
  status: Status;
  alerts: AlertSummary[];
  openedAt?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  acknowledged?: Acknowledgement;
  /** Every acknowledgement, in order: who, when, why. */
  acknowledgements: Acknowledgement[];
  escalation?: { policy: string; nextStep?: EscalationStepDue & { at: string }; stepsDone: number; stepsTotal: number };
  notificationsSent: number;
  lastNotifiedAt?: string;
  /** Monitors left out of the last message, and why. */
  muted: Record<string, MuteReason>;
  reopened: number;
  /** Correlated incidents: the probable causes now, each with its downstream symptoms. */
  correlation?: Correlation;
}

export interface AcknowledgeRequest {
  by: string;
  note?: string;
  /** How long the acknowledgement holds; escalation resumes after it. */
  forMs?: number;
}

export interface ResolveRequest {
  by: string;
  note?: string;
}

export const alertSignal = defineSignal<[AlertEvent]>('alert');
export const acknowledgeUpdate = defineUpdate<IncidentSnapshot, [AcknowledgeRequest]>('acknowledge');
export const resolveUpdate = defineUpdate<IncidentSnapshot, [ResolveRequest]>('resolve');
export const incidentStateQuery = defineQuery<IncidentSnapshot>('state');

/** Everything that outlives one run of the workflow (continue-as-new). */
interface IncidentMemory {
  state: IncidentState;
  alerts: Record<string, AlertSummary>;
  openedAt?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  ack?: Acknowledgement;
  acknowledgements: Acknowledgement[];
  /** Changes not yet told. */
  dirty: boolean;
  /** The opening message of this firing period went out. */
  opened: boolean;
  nextFlushAt?: number;
  reminderAt?: number;
  escalation?: { steps: EscalationStepDue[]; next: number; startedAt: number };
  resolvedUntil?: number;
  muteRecheckAt?: number;
  /** When channels that must hear a firing alert while it lasts (Alertmanager) are told again. */
  refreshAt?: number;
  muted: Record<string, MuteReason>;
  /** Channels that heard about this incident: they get the resolved message. */
  told: string[];
  seq: number;
  sent: number;
  lastNotifiedAt?: string;
  reopened: number;
  queue: AlertEvent[];
  recentRuns: string[];
  /** Correlated incidents: the causes last told (causeKey), and when the causes change by themselves. */
  toldCauses?: string;
  reevaluateAt?: number;
}

const FIRING_STATES: IncidentState[] = ['pending', 'firing', 'acknowledged'];

export async function incidentWorkflow(input: IncidentInput, carried?: IncidentMemory): Promise<IncidentSnapshot> {
  const { policy } = input;
  // A zero interval (refused at load; a definition carried from before may hold one) would send in a
  // loop: such an incident runs on the defaults. Histories from before the guard replay as they ran.
  const timing = hasZeroInterval(input.timing) && patched('zero-interval-defaults') ? withoutZeroIntervals(input.timing) : input.timing;
  const routeTimes =
    timing.muteTimeIntervals || timing.activeTimeIntervals
      ? { muteTimeIntervals: timing.muteTimeIntervals, activeTimeIntervals: timing.activeTimeIntervals, defined: policy.timeIntervals ?? {} }
      : undefined;
  // One incident per cause (evaluation/correlation.ts): only incidents of correlated pipelines, which histories from before never hold.
  const correlation = input.correlation && patched('correlated-incidents') ? input.correlation : undefined;
  const delivery = policy.delivery;
  const retry = { initialInterval: delivery.initialIntervalMs, maximumInterval: delivery.maximumIntervalMs, backoffCoefficient: 2 };
  // No maximumAttempts: a channel that is down gets the message when it returns. A send heartbeats, so one
  // cut off by a killed worker goes to another within seconds rather than after the whole timeout.
  const { deliverNotification } = proxyActivities<Activities>({ startToCloseTimeout: delivery.timeoutMs, heartbeatTimeout: HEARTBEAT_TIMEOUT_MS, retry });
  const { deliverNotification: deliverBeforeFallback } = proxyActivities<Activities>({
    startToCloseTimeout: delivery.timeoutMs,
    heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
    scheduleToCloseTimeout: delivery.fallbackAfterMs,
    retry,
  });
  const { muteState, stopAlerting, deliveryError } = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', maximumInterval: '30s' },
  });

  const m: IncidentMemory = carried ?? {
    state: 'pending',
    alerts: {},
    acknowledgements: [],
    dirty: false,
    opened: false,
    muted: {},
    told: [],
    seq: 0,
    sent: 0,
    reopened: 0,
    queue: [],
    recentRuns: [],
  };
  const seenRuns = new Set(m.recentRuns);
  let manualResolve: ResolveRequest | undefined;
  const receiver = policy.receivers[input.receiver] ?? { id: input.receiver, notify: [] };
  const firstRunId = workflowInfo().firstExecutionRunId;

  const firing = () => Object.values(m.alerts).filter((a) => a.firing);
  const worst = (): Status => firing().reduce<Status>((w, a) => (STATUS_RANK[a.status] > STATUS_RANK[w] ? a.status : w), 'ok');
  const snapshot = (): IncidentSnapshot => {
    const esc = m.escalation;
    const next = esc?.steps[esc.next];
    return {
      incidentId: input.incidentId,
      receiver: input.receiver,
      groupLabels: input.groupLabels,
      state: m.state,
      status: worst(),
      alerts: Object.values(m.alerts),
      openedAt: m.openedAt,
      resolvedAt: m.resolvedAt,
      resolvedBy: m.resolvedBy,
      acknowledged: m.ack,
      acknowledgements: m.acknowledgements,
      escalation: esc
        ? {
            policy: receiver.escalation!,
            nextStep: next ? { ...next, at: new Date(esc.startedAt + next.offsetMs).toISOString() } : undefined,
            stepsDone: esc.next,
            stepsTotal: esc.steps.length,
          }
        : undefined,
      notificationsSent: m.sent,
      lastNotifiedAt: m.lastNotifiedAt,
      muted: m.muted,
      reopened: m.reopened,
      ...(correlation ? { correlation: correlate(correlationInputs(Object.values(m.alerts)), correlation.windowMs, Date.now()) } : {}),
    };
  };
  const publish = () => {
    // Correlated: the incident is listed (status page, Web UI) under its probable cause, not its first alert.
    const cause = correlation ? correlate(correlationInputs(Object.values(m.alerts)), correlation.windowMs, Date.now()).causes[0]?.cause : undefined;
    const first = (cause ? m.alerts[cause] : undefined) ?? Object.values(m.alerts)[0];
    upsertSearchAttributes([
      { key: INCIDENT_STATE, value: m.state },
      { key: STATUS, value: worst() },
      { key: SEVERITY, value: worst() },
      ...(first
        ? [
            { key: MONITOR, value: first.monitor.id },
            { key: PERSPECTIVE, value: first.monitor.perspective },
            { key: PIPELINE, value: first.monitor.pipeline ?? '' },
          ]
        : []),
    ]);
  };

  setHandler(alertSignal, (event) => {
    if (seenRuns.has(event.runId)) return;
    seenRuns.add(event.runId);
    m.queue.push(event);
  });
  setHandler(incidentStateQuery, snapshot);
  setHandler(
    acknowledgeUpdate,
    (request) => {
      const now = Date.now();
      const forMs = request.forMs ?? policy.ackExpiryMs;
      m.ack = { by: request.by, note: request.note, at: new Date(now).toISOString(), until: forMs ? new Date(now + forMs).toISOString() : undefined };
      m.acknowledgements.push(m.ack);
      m.state = 'acknowledged';
      publish();
      return snapshot();
    },
    {
      validator: (request) => {
        if (!request || typeof request.by !== 'string' || request.by.trim() === '') throw new Error('say who acknowledges: {"by": "<name>"}');
        if (request.forMs !== undefined && !(request.forMs > 0)) throw new Error('forMs must be a positive number of milliseconds');
        if (m.state === 'resolved') throw new Error(`incident ${input.incidentId} is already resolved (at ${m.resolvedAt}); nothing to acknowledge`);
      },
    },
  );
  setHandler(
    resolveUpdate,
    async (request) => {
      manualResolve = request;
      await condition(() => m.state === 'resolved');
      return snapshot();
    },
    {
      validator: (request) => {
        if (!request || typeof request.by !== 'string' || request.by.trim() === '') throw new Error('say who resolves: {"by": "<name>"}');
        if (m.state === 'resolved') throw new Error(`incident ${input.incidentId} is already resolved (at ${m.resolvedAt})`);
      },
    },
  );

  // ------------------------------------------------------------- sending

  const key = (channel: string) => `${input.incidentId}/${firstRunId}/${++m.seq}/${channel}`;

  /** The reasons behind a failed delivery, outermost last: "POST … answered 503 (activity ScheduleToClose timeout)". */
  const failureText = (err: unknown): string => {
    const reasons: string[] = [];
    for (let e: unknown = err instanceof ActivityFailure ? err.cause : err; e instanceof Error; e = e.cause) reasons.unshift(e.message);
    return reasons.length ? `${reasons[0]}${reasons.length > 1 ? ` (${reasons.slice(1).join('; ')})` : ''}` : String(err);
  };

  const deliver = async (channelId: string, notification: Notification, idempotencyKey: string) => {
    const channel = policy.channels[channelId];
    if (!channel) return;
    const args = { channel, notification, idempotencyKey, monitorIds: notification.kind === 'notice' ? [] : notification.alerts.map((a) => a.monitor.id) };
    const fallback = delivery.fallback ? policy.channels[delivery.fallback] : undefined;
    if (!fallback || fallback.id === channelId) return deliverNotification(args);
    try {
      return await deliverBeforeFallback(args);
    } catch (err) {
      const last = await deliveryError(idempotencyKey);
      const notice: Notification = {
        kind: 'notice',
        title: `channel ${channelId} is failing`,
        text: `pipewatch has not been able to deliver a ${notification.kind} message for incident ${input.incidentId} on channel "${channelId}" for ${formatDuration(delivery.fallbackAfterMs)}; it keeps retrying.\nLast error: ${last ?? failureText(err)}`,
      };
      await deliverNotification({ channel: fallback, notification: notice, idempotencyKey: `${idempotencyKey}/fallback`, monitorIds: [] });
      return deliverNotification(args);
    }
  };

  /**
   * Channels that expect to hear about an alert for as long as it fires, and resolve it themselves when they stop
   * hearing (Alertmanager): the told ones, and the shortest resend interval among them.
   */
  const refreshing = (): { channels: string[]; everyMs: number } | undefined => {
    const channels = m.told.filter((c) => policy.channels[c]?.type === 'alertmanager');
    const every = channels.map((c) => {
      const spec = policy.channels[c]!;
      return spec.type === 'alertmanager' ? spec.resendEvery : Infinity;
    });
    return channels.length ? { channels, everyMs: Math.max(1_000, Math.min(...every)) } : undefined;
  };

  /** Sends one message about the group to channels; false when every firing alert is muted. */
  const tell = async (kind: IncidentNotificationKind, channels: string[], extra: Partial<IncidentNotification> = {}): Promise<boolean> => {
    const now = Date.now();
    let alerts = Object.values(m.alerts);
    if (kind !== 'resolved') {
      const muted = await muteState({ alerts: firing().map((a) => ({ monitorId: a.monitor.id, labels: a.labels })), maintenance: policy.maintenance, inhibit: policy.inhibit, ...(routeTimes ? { route: routeTimes } : {}) });
      m.muted = Object.fromEntries(Object.entries(muted).filter(([, r]) => r !== undefined)) as Record<string, MuteReason>;
      const loud = firing().filter((a) => !m.muted[a.monitor.id]);
      if (loud.length === 0) {
        const untils = Object.values(m.muted).flatMap((r) => (r.kind === 'inhibited' ? [] : [Date.parse(r.until)]));
        m.muteRecheckAt = Math.min(now + timing.groupIntervalMs, ...untils.map((u) => u + 1_000));
        return false;
      }
      m.muteRecheckAt = undefined;
      alerts = alerts.filter((a) => !m.muted[a.monitor.id]);
    }
    const notification: IncidentNotification = {
      kind,
      incidentId: input.incidentId,
      receiver: input.receiver,
      groupLabels: input.groupLabels,
      status: worst(),
      alerts,
      openedAt: m.openedAt!,
      resolvedAt: m.resolvedAt,
      resolvedBy: m.resolvedBy,
      acknowledged: m.ack,
      // Resolved: the tree as it stood with everything firing, so symptoms that joined after the first message are named too.
      ...(correlation
        ? { correlation: correlate(correlationInputs(alerts).map((a) => (kind === 'resolved' ? { ...a, firing: true, resolvedAt: undefined } : a)), correlation.windowMs, now) }
        : {}),
      ...extra,
    };
    if (correlation && kind !== 'resolved') {
      // What was told: the causes among all alerts (muted ones too, so muting alone never reads as a change).
      m.toldCauses = causeKey(correlate(correlationInputs(Object.values(m.alerts)), correlation.windowMs, now));
    }
    const targets = [...new Set(channels)].filter((c) => policy.channels[c]);
    await Promise.all(targets.map((c) => deliver(c, notification, key(c))));
    m.told = [...new Set([...m.told, ...targets])];
    m.sent += targets.length;
    m.lastNotifiedAt = new Date(Date.now()).toISOString();
    const refresh = kind === 'resolved' ? undefined : refreshing();
    m.refreshAt = refresh ? now + refresh.everyMs : undefined;
    return true;
  };

  // --------------------------------------------------------------- events

  const startEscalation = (now: number) => {
    m.escalation = receiver.escalation ? { steps: escalationPlan(policy.escalations, receiver.escalation), next: 0, startedAt: now } : undefined;
  };

  const open = (now: number) => {
    m.state = 'firing';
    m.openedAt = new Date(now).toISOString();
    m.resolvedAt = undefined;
    m.resolvedBy = undefined;
    m.ack = undefined;
    m.opened = false;
    m.dirty = true;
    m.nextFlushAt = now + timing.groupWaitMs;
    m.reminderAt = undefined;
    m.toldCauses = undefined;
    startEscalation(now + timing.groupWaitMs);
  };

  const apply = (event: AlertEvent, now: number) => {
    const existing = m.alerts[event.monitor.id];
    const nowFiring = event.transition !== 'resolve';
    if (!nowFiring && !existing?.firing) return; // nothing of ours to resolve
    m.alerts[event.monitor.id] = {
      // A recovery keeps the place in the graph the alert fired with (a stageCounts verdict names no losing stage once healthy).
      monitor: nowFiring || !existing?.monitor.node ? event.monitor : { ...event.monitor, node: existing.monitor.node },
      labels: event.labels,
      status: event.status,
      verdict: event.verdict,
      firing: nowFiring,
      since: nowFiring && existing?.firing ? existing.since : event.at,
      openedAt: nowFiring ? (existing?.firing ? (existing.openedAt ?? existing.since) : event.at) : (existing?.openedAt ?? existing?.since),
    };
    if (nowFiring && (m.state === 'pending' || m.state === 'resolved')) {
      if (m.state === 'resolved') {
        m.reopened++;
        // Only alerts of this new firing period belong in its messages.
        for (const [id, a] of Object.entries(m.alerts)) if (!a.firing) delete m.alerts[id];
      }
      open(now);
    } else if (!correlation || !m.opened) {
      m.dirty = true;
    } // Correlated and told: reevaluate() decides whether the causes changed.
    publish();
  };

  /** A correlated incident tells a change only when its causes change: a new cause, or symptoms left alone a window after theirs resolved. */
  const reevaluate = (now: number) => {
    if (!correlation) return;
    const c = correlate(correlationInputs(Object.values(m.alerts)), correlation.windowMs, now);
    m.reevaluateAt = c.changesAt;
    if (m.opened && FIRING_STATES.includes(m.state) && c.causes.length > 0 && causeKey(c) !== m.toldCauses) m.dirty = true;
  };

  const resolveAll = async (now: number, by?: ResolveRequest) => {
    for (const a of Object.values(m.alerts)) {
      if (a.firing) {
        a.firing = false;
        a.since = new Date(now).toISOString();
      }
    }
    m.state = 'resolved';
    m.resolvedAt = new Date(now).toISOString();
    m.resolvedBy = by?.by;
    m.resolvedUntil = now + policy.reopenWindowMs;
    m.escalation = undefined;
    m.dirty = false;
    m.refreshAt = undefined;
    publish();
    if (m.told.length > 0) await tell('resolved', m.told, by?.note ? { resolvedBy: `${by.by} (${by.note})` } : {});
  };

  // ------------------------------------------------------------ main loop

  const nextWake = (): number | undefined => {
    const times: number[] = [];
    if (m.state === 'resolved') times.push(m.resolvedUntil ?? 0);
    if (FIRING_STATES.includes(m.state)) {
      if (m.dirty) times.push(Math.max(m.nextFlushAt ?? 0, m.muteRecheckAt ?? 0));
      if (m.state === 'firing' && m.reminderAt) times.push(Math.max(m.reminderAt, m.muteRecheckAt ?? 0));
      const esc = m.escalation;
      if (m.state === 'firing' && esc && esc.next < esc.steps.length) times.push(Math.max(esc.startedAt + esc.steps[esc.next]!.offsetMs, m.muteRecheckAt ?? 0));
      if (m.state === 'acknowledged' && m.ack?.until) times.push(Date.parse(m.ack.until));
      if (m.refreshAt !== undefined) times.push(m.refreshAt);
      if (correlation && m.reevaluateAt !== undefined) times.push(m.reevaluateAt);
    }
    return times.length ? Math.min(...times) : undefined;
  };

  for (;;) {
    const wake = nextWake();
    await condition(
      () => m.queue.length > 0 || manualResolve !== undefined || (workflowInfo().continueAsNewSuggested && m.state !== 'pending'),
      wake === undefined ? undefined : Math.max(1, wake - Date.now()),
    );
    const now = Date.now();

    while (m.queue.length > 0) apply(m.queue.shift()!, now);
    reevaluate(now);

    if (manualResolve) {
      const request = manualResolve;
      manualResolve = undefined;
      if (m.state !== 'resolved') {
        await stopAlerting(Object.values(m.alerts).filter((a) => a.firing).map((a) => a.monitor.id));
        await resolveAll(now, request);
      }
      continue;
    }

    if (FIRING_STATES.includes(m.state) && firing().length === 0) {
      await resolveAll(now);
      continue;
    }

    if (m.state === 'resolved') {
      if (now >= (m.resolvedUntil ?? 0) && m.queue.length === 0) break;
      continue;
    }

    if (m.state === 'acknowledged' && m.ack?.until && now >= Date.parse(m.ack.until)) {
      // The acknowledgement ran out while the incident still fires: escalate again.
      m.ack = undefined;
      m.state = 'firing';
      m.reminderAt = now;
      startEscalation(now);
      publish();
    }

    const recheck = m.muteRecheckAt !== undefined && now < m.muteRecheckAt;
    if (m.dirty && now >= (m.nextFlushAt ?? 0) && !recheck) {
      const kind: IncidentNotificationKind = m.opened ? 'changed' : 'firing';
      if (await tell(kind, receiver.notify)) {
        m.opened = true;
        m.dirty = false;
        m.nextFlushAt = now + timing.groupIntervalMs;
        m.reminderAt = now + timing.repeatIntervalMs;
        if (m.state === 'pending') m.state = 'firing';
      }
    } else if (m.state === 'firing' && m.reminderAt && now >= m.reminderAt && !recheck) {
      if (await tell('reminder', receiver.notify)) m.reminderAt = now + timing.repeatIntervalMs;
    }

    if (m.refreshAt !== undefined && now >= m.refreshAt && FIRING_STATES.includes(m.state)) {
      const refresh = refreshing();
      m.refreshAt = refresh ? now + refresh.everyMs : undefined;
      // While every alert is muted nothing is re-sent: Alertmanager then lets them expire, as pipewatch keeps them quiet.
      if (refresh) await tell('refresh', refresh.channels);
    }

    const esc = m.escalation;
    while (m.state === 'firing' && esc && esc.next < esc.steps.length && now >= esc.startedAt + esc.steps[esc.next]!.offsetMs) {
      if (m.muteRecheckAt !== undefined && now < m.muteRecheckAt) break;
      const step = esc.steps[esc.next]!;
      if (!(await tell('escalation', step.notify, { escalation: { policy: step.policy, step: step.step, round: step.round } }))) break;
      m.opened = true;
      esc.next++;
    }

    if (workflowInfo().continueAsNewSuggested && m.queue.length === 0) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof incidentWorkflow>(input, { ...m, recentRuns: [...seenRuns].slice(-200) });
    }
  }

  await condition(allHandlersFinished);
  // Events that arrived after the reopen window closed start the next incident.
  if (m.queue.length > 0) {
    await continueAsNew<typeof incidentWorkflow>(input, {
      state: 'pending', alerts: {}, acknowledgements: [], dirty: false, opened: false, muted: {}, told: [], seq: m.seq, sent: 0, reopened: 0,
      queue: m.queue, recentRuns: [...seenRuns].slice(-200),
    });
  }
  return snapshot();
}
