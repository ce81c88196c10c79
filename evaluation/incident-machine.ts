// The incident's state machine: what an incident knows and how each event changes it, apart from the
// workflow that waits, sends and records (workflows/incident.ts asks it what to do and does it). Alerts
// join and leave (a monitor run is heard once), group_wait holds the first message, changes go out at
// most every group_interval, reminders every repeat_interval while unacknowledged, escalation steps
// until someone acknowledges, the resolved message to every channel told, and a reopen window in which
// the group firing again is the same incident. Pure and deterministic: every method takes the time it
// runs at, so the transitions are unit-tested without Temporal or timers (test/unit/incident-machine.test.ts).
//
// The workflow replays old histories through this code: a change here that changes when or what the
// workflow sends, waits for or records is a workflow change (docs/WORKFLOW-CHANGES.md).
import { formatDuration } from '../config/duration.js';
import type { Receiver } from '../config/model.js';
import type { AlertSummary, IncidentNotification, IncidentNotificationKind, Notice } from '../channels/types.js';
import { causeKey, correlate, correlationInputs, type CorrelationInput } from './correlation.js';
import { escalationPlan, type EscalationStepDue } from './escalation.js';
import type { MuteReason, RouteTimes } from './muting.js';
import { STATUS_RANK, type Status } from './types.js';
import {
  freshMemory,
  type AcknowledgeRequest,
  type AlertEvent,
  type IncidentListing,
  type IncidentMemory,
  type IncidentSettings,
  type IncidentSnapshot,
  type IncidentState,
  type MuteQuery,
  type ResolveRequest,
} from './incident-types.js';

const FIRING_STATES: IncidentState[] = ['pending', 'firing', 'acknowledged'];

/** How many monitor runs a new run of the workflow remembers, so a signal repeated across continue-as-new is still heard once. */
const REMEMBERED_RUNS = 200;

export class IncidentMachine {
  readonly receiver: Receiver;
  private readonly m: IncidentMemory;
  private readonly seenRuns: Set<string>;
  private resolveRequest: ResolveRequest | undefined;

  constructor(
    private readonly settings: IncidentSettings,
    carried?: IncidentMemory,
  ) {
    const { input } = settings;
    this.m = carried ?? freshMemory();
    this.seenRuns = new Set(this.m.recentRuns);
    this.receiver = input.policy.receivers[input.receiver] ?? { id: input.receiver, notify: [] };
  }

  get state(): IncidentState {
    return this.m.state;
  }

  /** Alert events heard and not yet applied. */
  get queued(): number {
    return this.m.queue.length;
  }

  /** Something for the main loop to do before its next wake-up: an alert event, or a resolve request. */
  hasWork(): boolean {
    return this.m.queue.length > 0 || this.resolveRequest !== undefined;
  }

  private firing(): AlertSummary[] {
    return Object.values(this.m.alerts).filter((a) => a.firing);
  }

  private worst(): Status {
    return this.firing().reduce<Status>((w, a) => (STATUS_RANK[a.status] > STATUS_RANK[w] ? a.status : w), 'ok');
  }

  /** Correlated incidents: the causes among all alerts at `now`. */
  private correlation(now: number) {
    const c = this.settings.correlation;
    return c ? correlate(correlationInputs(Object.values(this.m.alerts)), c.windowMs, now) : undefined;
  }

  // ------------------------------------------------------------ what it answers

  snapshot(now: number): IncidentSnapshot {
    const { m, settings } = this;
    const esc = m.escalation;
    const next = esc?.steps[esc.next];
    const correlation = this.correlation(now);
    return {
      incidentId: settings.input.incidentId,
      receiver: settings.input.receiver,
      groupLabels: settings.input.groupLabels,
      state: m.state,
      status: this.worst(),
      alerts: Object.values(m.alerts),
      openedAt: m.openedAt,
      resolvedAt: m.resolvedAt,
      resolvedBy: m.resolvedBy,
      acknowledged: m.ack,
      acknowledgements: m.acknowledgements,
      escalation: esc
        ? {
            policy: this.receiver.escalation!,
            nextStep: next ? { ...next, at: new Date(esc.startedAt + next.offsetMs).toISOString() } : undefined,
            stepsDone: esc.next,
            stepsTotal: esc.steps.length,
          }
        : undefined,
      notificationsSent: m.sent,
      lastNotifiedAt: m.lastNotifiedAt,
      muted: m.muted,
      reopened: m.reopened,
      ...(correlation ? { correlation } : {}),
    };
  }

  /** Correlated: the incident is listed (status page, Web UI) under its probable cause, not its first alert. */
  listing(now: number): IncidentListing {
    const cause = this.correlation(now)?.causes[0]?.cause;
    const first = (cause ? this.m.alerts[cause] : undefined) ?? Object.values(this.m.alerts)[0];
    return { state: this.m.state, status: this.worst(), ...(first ? { monitor: first.monitor } : {}) };
  }

  // ------------------------------------------------------------ what people ask

  checkAcknowledge(request: AcknowledgeRequest): void {
    if (!request || typeof request.by !== 'string' || request.by.trim() === '')
      throw new Error('say who acknowledges: {"by": "<name>"}');
    if (request.forMs !== undefined && !(request.forMs > 0))
      throw new Error('forMs must be a positive number of milliseconds');
    if (this.m.state === 'resolved')
      throw new Error(
        `incident ${this.settings.input.incidentId} is already resolved (at ${this.m.resolvedAt}); nothing to acknowledge`,
      );
  }

  /** Holds reminders and escalation until the acknowledgement runs out (its forMs, else the policy's ackExpiry, else never). */
  acknowledge(request: AcknowledgeRequest, now: number): void {
    const { m } = this;
    const forMs = request.forMs ?? this.settings.input.policy.ackExpiryMs;
    m.ack = {
      by: request.by,
      note: request.note,
      at: new Date(now).toISOString(),
      until: forMs ? new Date(now + forMs).toISOString() : undefined,
    };
    m.acknowledgements.push(m.ack);
    m.state = 'acknowledged';
  }

  checkResolve(request: ResolveRequest): void {
    if (!request || typeof request.by !== 'string' || request.by.trim() === '')
      throw new Error('say who resolves: {"by": "<name>"}');
    if (this.m.state === 'resolved')
      throw new Error(`incident ${this.settings.input.incidentId} is already resolved (at ${this.m.resolvedAt})`);
  }

  /** A person resolves: the main loop takes the request at its next turn (takeResolveRequest). */
  requestResolve(request: ResolveRequest): void {
    this.resolveRequest = request;
  }

  takeResolveRequest(): ResolveRequest | undefined {
    const request = this.resolveRequest;
    this.resolveRequest = undefined;
    return request;
  }

  // ------------------------------------------------------------ alerts

  /** A monitor run's alert event, queued for the main loop; a run already heard is ignored. */
  receive(event: AlertEvent): void {
    if (this.seenRuns.has(event.runId)) return;
    this.seenRuns.add(event.runId);
    this.m.queue.push(event);
  }

  nextEvent(): AlertEvent | undefined {
    return this.m.queue.shift();
  }

  /** Applies one alert event; true when the incident changed (its search attributes are published again). */
  apply(event: AlertEvent, now: number): boolean {
    const { m } = this;
    const existing = m.alerts[event.monitor.id];
    const nowFiring = event.transition !== 'resolve';
    if (!nowFiring && !existing?.firing) return false; // nothing of ours to resolve
    m.alerts[event.monitor.id] = {
      // A recovery keeps the place in the graph the alert fired with (a stageCounts verdict names no losing stage once healthy).
      monitor: nowFiring || !existing?.monitor.node ? event.monitor : { ...event.monitor, node: existing.monitor.node },
      labels: event.labels,
      status: event.status,
      verdict: event.verdict,
      firing: nowFiring,
      since: nowFiring && existing?.firing ? existing.since : event.at,
      openedAt: nowFiring
        ? existing?.firing
          ? (existing.openedAt ?? existing.since)
          : event.at
        : (existing?.openedAt ?? existing?.since),
    };
    if (nowFiring && (m.state === 'pending' || m.state === 'resolved')) {
      if (m.state === 'resolved') {
        m.reopened++;
        // Only alerts of this new firing period belong in its messages.
        for (const [id, a] of Object.entries(m.alerts)) if (!a.firing) delete m.alerts[id];
      }
      this.open(now);
    } else if (!this.settings.correlation || !m.opened) {
      m.dirty = true;
    } // Correlated and told: reevaluate() decides whether the causes changed.
    return true;
  }

  private open(now: number): void {
    const { m } = this;
    const { groupWaitMs } = this.settings.timing;
    m.state = 'firing';
    m.openedAt = new Date(now).toISOString();
    m.resolvedAt = undefined;
    m.resolvedBy = undefined;
    m.ack = undefined;
    m.opened = false;
    m.dirty = true;
    m.nextFlushAt = now + groupWaitMs;
    m.reminderAt = undefined;
    m.toldCauses = undefined;
    this.startEscalation(now + groupWaitMs);
  }

  private startEscalation(now: number): void {
    const { policy } = this.settings.input;
    this.m.escalation = this.receiver.escalation
      ? { steps: escalationPlan(policy.escalations, this.receiver.escalation), next: 0, startedAt: now }
      : undefined;
  }

  /** A correlated incident tells a change only when its causes change: a new cause, or symptoms left alone a window after theirs resolved. */
  reevaluate(now: number): void {
    const { m } = this;
    const c = this.correlation(now);
    if (!c) return;
    m.reevaluateAt = c.changesAt;
    if (m.opened && FIRING_STATES.includes(m.state) && c.causes.length > 0 && causeKey(c) !== m.toldCauses)
      m.dirty = true;
  }

  // ------------------------------------------------------------ resolving and closing

  /** Every alert of a still-open incident has resolved: the incident resolves. */
  nothingFiring(): boolean {
    return FIRING_STATES.includes(this.m.state) && this.firing().length === 0;
  }

  firingMonitorIds(): string[] {
    return this.firing().map((a) => a.monitor.id);
  }

  /** Resolves every alert and the incident; the resolved message, when some channel heard about it. */
  resolve(now: number, by?: ResolveRequest): { channels: string[]; extra: Partial<IncidentNotification> } | undefined {
    const { m } = this;
    for (const a of Object.values(m.alerts)) {
      if (a.firing) {
        a.firing = false;
        a.since = new Date(now).toISOString();
      }
    }
    m.state = 'resolved';
    m.resolvedAt = new Date(now).toISOString();
    m.resolvedBy = by?.by;
    m.resolvedUntil = now + this.settings.input.policy.reopenWindowMs;
    m.escalation = undefined;
    m.dirty = false;
    m.refreshAt = undefined;
    return m.told.length > 0
      ? { channels: m.told, extra: by?.note ? { resolvedBy: `${by.by} (${by.note})` } : {} }
      : undefined;
  }

  /** Resolved, the reopen window over and nothing heard since: the workflow ends. */
  reopenWindowOver(now: number): boolean {
    return now >= (this.m.resolvedUntil ?? 0) && this.m.queue.length === 0;
  }

  // ------------------------------------------------------------ what is due

  /** The acknowledgement ran out while the incident still fires: escalate again. True when it did. */
  expireAcknowledgement(now: number): boolean {
    const { m } = this;
    if (!(m.state === 'acknowledged' && m.ack?.until && now >= Date.parse(m.ack.until))) return false;
    m.ack = undefined;
    m.state = 'firing';
    m.reminderAt = now;
    this.startEscalation(now);
    return true;
  }

  /** The message due to the receiver now: the first or a changed one after the group wait or interval, else a reminder. */
  dueMessage(now: number): 'firing' | 'changed' | 'reminder' | undefined {
    const { m } = this;
    const recheck = m.muteRecheckAt !== undefined && now < m.muteRecheckAt;
    if (m.dirty && now >= (m.nextFlushAt ?? 0) && !recheck) return m.opened ? 'changed' : 'firing';
    if (m.state === 'firing' && m.reminderAt && now >= m.reminderAt && !recheck) return 'reminder';
    return undefined;
  }

  /** The receiver was told what dueMessage said (not everything was muted). */
  messageSent(kind: 'firing' | 'changed' | 'reminder', now: number): void {
    const { m } = this;
    const { groupIntervalMs, repeatIntervalMs } = this.settings.timing;
    if (kind === 'reminder') {
      m.reminderAt = now + repeatIntervalMs;
      return;
    }
    m.opened = true;
    m.dirty = false;
    m.nextFlushAt = now + groupIntervalMs;
    m.reminderAt = now + repeatIntervalMs;
    if (m.state === 'pending') m.state = 'firing';
  }

  /**
   * Channels that expect to hear about an alert for as long as it fires, and resolve it themselves when they stop
   * hearing (Alertmanager): the told ones, and the shortest resend interval among them.
   */
  private refreshing(): { channels: string[]; everyMs: number } | undefined {
    const { channels: specs } = this.settings.input.policy;
    const channels = this.m.told.filter((c) => specs[c]?.type === 'alertmanager');
    const every = channels.map((c) => {
      const spec = specs[c]!;
      return spec.type === 'alertmanager' ? spec.resendEvery : Infinity;
    });
    return channels.length ? { channels, everyMs: Math.max(1_000, Math.min(...every)) } : undefined;
  }

  /** The channels to tell the firing alerts again now, if a refresh is due; schedules the next one. */
  refreshDue(now: number): string[] | undefined {
    const { m } = this;
    if (!(m.refreshAt !== undefined && now >= m.refreshAt && FIRING_STATES.includes(m.state))) return undefined;
    const refresh = this.refreshing();
    m.refreshAt = refresh ? now + refresh.everyMs : undefined;
    // While every alert is muted nothing is re-sent: Alertmanager then lets them expire, as pipewatch keeps them quiet.
    return refresh?.channels;
  }

  /** The escalation step due now, unless the incident is acknowledged or every alert is muted for a while yet. */
  dueEscalationStep(now: number): EscalationStepDue | undefined {
    const { m } = this;
    const esc = m.escalation;
    if (!(
      m.state === 'firing' &&
      esc &&
      esc.next < esc.steps.length &&
      now >= esc.startedAt + esc.steps[esc.next]!.offsetMs
    ))
      return undefined;
    if (m.muteRecheckAt !== undefined && now < m.muteRecheckAt) return undefined;
    return esc.steps[esc.next];
  }

  /** The step dueEscalationStep named was told. */
  escalated(): void {
    this.m.opened = true;
    this.m.escalation!.next++;
  }

  /** When the main loop next has something to do with no event: undefined when only an event or a request can wake it. */
  nextWake(): number | undefined {
    const { m } = this;
    const times: number[] = [];
    if (m.state === 'resolved') times.push(m.resolvedUntil ?? 0);
    if (FIRING_STATES.includes(m.state)) {
      if (m.dirty) times.push(Math.max(m.nextFlushAt ?? 0, m.muteRecheckAt ?? 0));
      if (m.state === 'firing' && m.reminderAt) times.push(Math.max(m.reminderAt, m.muteRecheckAt ?? 0));
      const esc = m.escalation;
      if (m.state === 'firing' && esc && esc.next < esc.steps.length)
        times.push(Math.max(esc.startedAt + esc.steps[esc.next]!.offsetMs, m.muteRecheckAt ?? 0));
      if (m.state === 'acknowledged' && m.ack?.until) times.push(Date.parse(m.ack.until));
      if (m.refreshAt !== undefined) times.push(m.refreshAt);
      if (this.settings.correlation && m.reevaluateAt !== undefined) times.push(m.reevaluateAt);
    }
    return times.length ? Math.min(...times) : undefined;
  }

  // ------------------------------------------------------------ telling (the workflow sends between these)

  /** Step 1 of a message other than resolved: which firing alerts are muted (the muteState activity answers). */
  muteQuery(): MuteQuery {
    const { policy } = this.settings.input;
    const { muteTimeIntervals, activeTimeIntervals } = this.settings.timing;
    const alerts = this.firing().map((a) => ({ monitorId: a.monitor.id, labels: a.labels }));
    // The route's time intervals, and the definitions they name.
    const route: RouteTimes | undefined =
      muteTimeIntervals || activeTimeIntervals
        ? { muteTimeIntervals, activeTimeIntervals, defined: policy.timeIntervals ?? {} }
        : undefined;
    return { alerts, maintenance: policy.maintenance, inhibit: policy.inhibit, ...(route ? { route } : {}) };
  }

  /** Step 2: the answer. False when every firing alert is muted: nothing is sent, and the mutes are looked at again later. */
  applyMutes(muted: Record<string, MuteReason | undefined>, now: number): boolean {
    const { m } = this;
    m.muted = Object.fromEntries(Object.entries(muted).filter(([, r]) => r !== undefined)) as Record<
      string,
      MuteReason
    >;
    const loud = this.firing().filter((a) => !m.muted[a.monitor.id]);
    if (loud.length === 0) {
      const untils = Object.values(m.muted).flatMap((r) => (r.kind === 'inhibited' ? [] : [Date.parse(r.until)]));
      m.muteRecheckAt = Math.min(now + this.settings.timing.groupIntervalMs, ...untils.map((u) => u + 1_000));
      return false;
    }
    m.muteRecheckAt = undefined;
    return true;
  }

  /** Step 3: the message and the configured channels it goes to; `now` is when the telling began. */
  compose(
    kind: IncidentNotificationKind,
    channels: string[],
    extra: Partial<IncidentNotification>,
    now: number,
  ): { notification: IncidentNotification; targets: string[] } {
    const { m, settings } = this;
    const { input } = settings;
    const alerts =
      kind === 'resolved' ? Object.values(m.alerts) : Object.values(m.alerts).filter((a) => !m.muted[a.monitor.id]);
    const c = settings.correlation;
    // Resolved: the tree as it stood with everything firing, so symptoms that joined after the first message are named too.
    const everFiring = (a: CorrelationInput): CorrelationInput =>
      kind === 'resolved' ? { ...a, firing: true, resolvedAt: undefined } : a;
    const correlation = c ? correlate(correlationInputs(alerts).map(everFiring), c.windowMs, now) : undefined;
    const notification: IncidentNotification = {
      kind,
      incidentId: input.incidentId,
      receiver: input.receiver,
      groupLabels: input.groupLabels,
      status: this.worst(),
      alerts,
      openedAt: m.openedAt!,
      resolvedAt: m.resolvedAt,
      resolvedBy: m.resolvedBy,
      acknowledged: m.ack,
      ...(correlation ? { correlation } : {}),
      ...extra,
    };
    // What was told: the causes among all alerts (muted ones too, so muting alone never reads as a change).
    if (kind !== 'resolved') {
      const all = this.correlation(now);
      if (all) m.toldCauses = causeKey(all);
    }
    return { notification, targets: [...new Set(channels)].filter((c) => input.policy.channels[c]) };
  }

  /** The idempotency key of the next send on a channel: the same message is delivered once, even when an activity is retried. */
  deliveryKey(channel: string): string {
    return `${this.settings.input.incidentId}/${this.settings.firstRunId}/${++this.m.seq}/${channel}`;
  }

  /** Step 4: the targets have the message (sentAt: when the last took it). Alertmanager channels are refreshed from `now`. */
  told(kind: IncidentNotificationKind, targets: string[], now: number, sentAt: number): void {
    const { m } = this;
    m.told = [...new Set([...m.told, ...targets])];
    m.sent += targets.length;
    m.lastNotifiedAt = new Date(sentAt).toISOString();
    const refresh = kind === 'resolved' ? undefined : this.refreshing();
    m.refreshAt = refresh ? now + refresh.everyMs : undefined;
  }

  /** The fallback channel's notice about a channel that kept failing. */
  fallbackNotice(channelId: string, kind: string, lastError: string): Notice {
    const { incidentId, policy } = this.settings.input;
    return {
      kind: 'notice',
      title: `channel ${channelId} is failing`,
      text: `pipewatch has not been able to deliver a ${kind} message for incident ${incidentId} on channel "${channelId}" for ${formatDuration(policy.delivery.fallbackAfterMs)}; it keeps retrying.\nLast error: ${lastError}`,
    };
  }

  // ------------------------------------------------------------ continue-as-new

  /** The memory the next run of this incident starts from. */
  carry(): IncidentMemory {
    return { ...this.m, recentRuns: [...this.seenRuns].slice(-REMEMBERED_RUNS) };
  }

  /** Events that arrived after the reopen window closed start the next incident, with fresh memory. */
  nextIncident(): IncidentMemory {
    return {
      ...freshMemory(),
      seq: this.m.seq,
      queue: this.m.queue,
      recentRuns: [...this.seenRuns].slice(-REMEMBERED_RUNS),
    };
  }
}
