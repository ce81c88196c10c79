// Routing, receivers, escalations and channels as every monitor carries them (NotificationPolicy):
// each reference checked (channels, receivers, escalation policies, time intervals), escalation
// cycles refused, the routing tree resolved with what each route inherits.
import { escalationCycle } from '../evaluation/escalation.js';
import { NO_RECEIVER } from '../evaluation/routing.js';
import type { EscalationPolicy, NotificationPolicy, Receiver, RouteNode } from './model.js';
import { unknownRef, type ConfigPath, type Report } from './problems.js';
import type { PipewatchConfigRaw, RouteRaw } from './schema.js';

/** Routing, receivers, escalations, channels: checked for references and cycles, then shared by every monitor. */
export function notificationPolicy(raw: PipewatchConfigRaw, problem: Report): NotificationPolicy {
  const channelIds = Object.keys(raw.channels);
  const checkChannel = (ch: string, path: ConfigPath) => {
    if (!raw.channels[ch]) problem(path, unknownRef('channel', ch, channelIds));
  };
  raw.defaults.notify.forEach((ch, j) => checkChannel(ch, ['defaults', 'notify', j]));

  const receivers: Record<string, Receiver> = {};
  const rootReceiver = raw.routing.receiver ?? 'default';
  if (!raw.receivers[rootReceiver] && rootReceiver === 'default')
    receivers.default = { id: 'default', notify: raw.defaults.notify };
  for (const [rid, r] of Object.entries(raw.receivers)) {
    r.notify.forEach((ch, j) => checkChannel(ch, ['receivers', rid, 'notify', j]));
    if (r.escalation && !raw.escalations[r.escalation]) {
      problem(
        ['receivers', rid, 'escalation'],
        unknownRef('escalation policy', r.escalation, Object.keys(raw.escalations)),
      );
    }
    if (r.notify.length === 0 && !r.escalation)
      problem(['receivers', rid], 'this receiver notifies nobody: give it "notify" channels or an "escalation" policy');
    receivers[rid] = { id: rid, notify: r.notify, escalation: r.escalation };
  }
  if (raw.receivers[NO_RECEIVER]) {
    problem(
      ['receivers', NO_RECEIVER],
      `"${NO_RECEIVER}" is reserved: a route with receiver: ${NO_RECEIVER} drops what it matches on purpose; give this receiver another name`,
    );
  }
  const receiverIds = Object.keys(receivers);
  const checkReceiver = (rid: string, path: ConfigPath) => {
    if (rid !== NO_RECEIVER && !receivers[rid]) problem(path, unknownRef('receiver', rid, receiverIds));
  };
  if (raw.routing.receiver) checkReceiver(raw.routing.receiver, ['routing', 'receiver']);
  // Alertmanager's root route must name a receiver. Here it may default to defaults.notify, but an
  // empty default in a file that declares channels means alerts no route takes would reach nobody.
  if (!raw.routing.receiver && !raw.receivers.default && raw.defaults.notify.length === 0 && channelIds.length > 0) {
    problem(
      ['routing'],
      `alerts that no route takes would reach nobody: defaults.notify is empty and routing.receiver is not set; write defaults.notify: [${channelIds[0]}], name a receiver in routing.receiver, or write routing.receiver: ${NO_RECEIVER} to drop them on purpose`,
    );
  }
  const intervalIds = Object.keys(raw.timeIntervals);
  const checkIntervals = (names: string[] | undefined, path: ConfigPath) =>
    names?.forEach((n, j) => {
      if (!raw.timeIntervals[n])
        problem(
          [...path, j],
          unknownRef('time interval', n, intervalIds).replace(
            /^unknown time interval "([^"]*)"/,
            'undefined time interval "$1" used in route',
          ),
        );
    });

  const escalations: Record<string, EscalationPolicy> = {};
  for (const [eid, e] of Object.entries(raw.escalations)) {
    e.steps.forEach((step, j) =>
      step.notify.forEach((ch, k) => checkChannel(ch, ['escalations', eid, 'steps', j, 'notify', k])),
    );
    if (e.then && !raw.escalations[e.then])
      problem(['escalations', eid, 'then'], unknownRef('escalation policy', e.then, Object.keys(raw.escalations)));
    escalations[eid] = {
      id: eid,
      steps: e.steps.map((st) => ({ afterMs: st.after, notify: st.notify })),
      repeat: e.repeat,
      then: e.then,
    };
  }
  const cycle = escalationCycle(raw.escalations);
  if (cycle) problem(['escalations', cycle[0]!, 'then'], `escalation policies form a cycle: ${cycle.join(' → ')}`);

  const fallback = raw.notifications.fallback;
  if (fallback) checkChannel(fallback, ['notifications', 'fallback']);
  raw.silences.announce.forEach((ch, j) => checkChannel(ch, ['silences', 'announce', j]));

  const toNode = (
    r: RouteRaw,
    parent: Omit<RouteNode, 'matchers' | 'continue' | 'routes'>,
    path: ConfigPath,
  ): RouteNode => {
    if (r.receiver) checkReceiver(r.receiver, [...path, 'receiver']);
    const inherited = {
      receiver: r.receiver ?? parent.receiver,
      groupBy: r.groupBy ?? parent.groupBy,
      groupWaitMs: r.groupWait ?? parent.groupWaitMs,
      groupIntervalMs: r.groupInterval ?? parent.groupIntervalMs,
      repeatIntervalMs: r.repeatInterval ?? parent.repeatIntervalMs,
    };
    // Time intervals apply to the route that names them only (Alertmanager's newRoute does not inherit them).
    checkIntervals(r.muteTimeIntervals, [...path, 'muteTimeIntervals']);
    checkIntervals(r.activeTimeIntervals, [...path, 'activeTimeIntervals']);
    return {
      matchers: r.matchers,
      continue: r.continue,
      ...inherited,
      routes: (r.routes ?? []).map((child, j) => toNode(child, inherited, [...path, 'routes', j])),
      ...(r.muteTimeIntervals?.length ? { muteTimeIntervals: r.muteTimeIntervals } : {}),
      ...(r.activeTimeIntervals?.length ? { activeTimeIntervals: r.activeTimeIntervals } : {}),
    };
  };
  const root = {
    receiver: rootReceiver,
    groupBy: raw.routing.groupBy,
    groupWaitMs: raw.routing.groupWait,
    groupIntervalMs: raw.routing.groupInterval,
    repeatIntervalMs: raw.routing.repeatInterval,
  };
  const routing: RouteNode = {
    ...root,
    matchers: [],
    continue: false,
    routes: raw.routing.routes.map((r, j) => toNode(r, root, ['routing', 'routes', j])),
  };

  return {
    routing,
    receivers,
    escalations,
    channels: Object.fromEntries(Object.entries(raw.channels).map(([cid, c]) => [cid, { id: cid, ...c }])),
    inhibit: raw.inhibit,
    ...(intervalIds.length > 0 ? { timeIntervals: raw.timeIntervals } : {}),
    maintenance: raw.maintenance.map((w) => ({
      id: w.id,
      matchers: w.matchers,
      cron: w.cron,
      durationMs: w.duration,
      timezone: w.timezone,
      reason: w.reason,
      owner: w.owner,
    })),
    delivery: {
      initialIntervalMs: raw.notifications.retry.initialInterval,
      maximumIntervalMs: raw.notifications.retry.maximumInterval,
      timeoutMs: raw.notifications.timeout,
      fallback,
      fallbackAfterMs: raw.notifications.fallbackAfter,
    },
    reopenWindowMs: raw.incidents.reopenWindow,
    ackExpiryMs: raw.incidents.acknowledgementExpiry,
  };
}
