// An incident: the alerts one receiver hears about as one group (Alertmanager's
// group), from the first alert to the resolved message. It waits group_wait
// to collect alerts, sends changes at most every group_interval, repeats every
// repeat_interval while unacknowledged, escalates by policy until someone
// acknowledges, and always ends with a resolved message to everyone it told.
// Every message is an activity retried until its channel takes it, under an
// idempotency key; a channel that keeps failing is reported on the fallback.
//
// What is due when, and how each alert, acknowledgement and resolve changes the
// incident, is the state machine in evaluation/incident-machine.ts (pure, unit-
// tested); this file wires it: the timers, the activities, the patches, the
// message handlers and the search attributes.
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
import type { IncidentNotification, IncidentNotificationKind, Notification } from '../channels/types.js';
import { IncidentMachine } from '../evaluation/incident-machine.js';
import type {
  AcknowledgeRequest,
  AlertEvent,
  IncidentInput,
  IncidentMemory,
  IncidentSnapshot,
  ResolveRequest,
} from '../evaluation/incident-types.js';
import { hasZeroInterval, withoutZeroIntervals } from '../evaluation/routing.js';
import { HEARTBEAT_TIMEOUT_MS } from './heartbeats.js';
import type { Activities } from '../activities/index.js';
import { INCIDENT_STATE, MONITOR, PERSPECTIVE, PIPELINE, SEVERITY, STATUS } from './search-attributes.js';

export type {
  AcknowledgeRequest,
  Acknowledgement,
  AlertEvent,
  IncidentInput,
  IncidentSnapshot,
  IncidentState,
  IncidentTiming,
  ResolveRequest,
} from '../evaluation/incident-types.js';

export const alertSignal = defineSignal<[AlertEvent]>('alert');
export const acknowledgeUpdate = defineUpdate<IncidentSnapshot, [AcknowledgeRequest]>('acknowledge');
export const resolveUpdate = defineUpdate<IncidentSnapshot, [ResolveRequest]>('resolve');
export const incidentStateQuery = defineQuery<IncidentSnapshot>('state');

/** The reasons behind a failed delivery, outermost last: "POST … answered 503 (activity ScheduleToClose timeout)". */
function failureText(err: unknown): string {
  const reasons: string[] = [];
  for (let e: unknown = err instanceof ActivityFailure ? err.cause : err; e instanceof Error; e = e.cause)
    reasons.unshift(e.message);
  return reasons.length ? `${reasons[0]}${reasons.length > 1 ? ` (${reasons.slice(1).join('; ')})` : ''}` : String(err);
}

export async function incidentWorkflow(input: IncidentInput, carried?: IncidentMemory): Promise<IncidentSnapshot> {
  const { policy } = input;
  // A zero interval (refused at load; a definition carried from before may hold one) would send in a
  // loop: such an incident runs on the defaults. Histories from before the guard replay as they ran.
  const timing =
    hasZeroInterval(input.timing) && patched('zero-interval-defaults')
      ? withoutZeroIntervals(input.timing)
      : input.timing;
  // One incident per cause (evaluation/correlation.ts): only incidents of correlated pipelines, which histories from before never hold.
  const correlation = input.correlation && patched('correlated-incidents') ? input.correlation : undefined;
  const delivery = policy.delivery;
  const retry = {
    initialInterval: delivery.initialIntervalMs,
    maximumInterval: delivery.maximumIntervalMs,
    backoffCoefficient: 2,
  };
  // No maximumAttempts: a channel that is down gets the message when it returns. A send heartbeats, so one
  // cut off by a killed worker goes to another within seconds rather than after the whole timeout.
  const { deliverNotification } = proxyActivities<Activities>({
    startToCloseTimeout: delivery.timeoutMs,
    heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
    retry,
  });
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

  const incident = new IncidentMachine(
    { input, timing, correlation, firstRunId: workflowInfo().firstExecutionRunId },
    carried,
  );
  const { receiver } = incident;

  const publish = () => {
    const { state, status, monitor } = incident.listing(Date.now());
    upsertSearchAttributes([
      { key: INCIDENT_STATE, value: state },
      { key: STATUS, value: status },
      { key: SEVERITY, value: status },
      ...(monitor
        ? [
            { key: MONITOR, value: monitor.id },
            { key: PERSPECTIVE, value: monitor.perspective },
            { key: PIPELINE, value: monitor.pipeline ?? '' },
          ]
        : []),
    ]);
  };

  setHandler(alertSignal, (event) => incident.receive(event));
  setHandler(incidentStateQuery, () => incident.snapshot(Date.now()));
  setHandler(
    acknowledgeUpdate,
    (request) => {
      incident.acknowledge(request, Date.now());
      publish();
      return incident.snapshot(Date.now());
    },
    { validator: (request) => incident.checkAcknowledge(request) },
  );
  setHandler(
    resolveUpdate,
    async (request) => {
      incident.requestResolve(request);
      await condition(() => incident.state === 'resolved');
      return incident.snapshot(Date.now());
    },
    { validator: (request) => incident.checkResolve(request) },
  );

  // ------------------------------------------------------------- sending

  const deliver = async (channelId: string, notification: Notification, idempotencyKey: string) => {
    const channel = policy.channels[channelId];
    if (!channel) return;
    const args = {
      channel,
      notification,
      idempotencyKey,
      monitorIds: notification.kind === 'notice' ? [] : notification.alerts.map((a) => a.monitor.id),
    };
    const fallback = delivery.fallback ? policy.channels[delivery.fallback] : undefined;
    if (!fallback || fallback.id === channelId) return deliverNotification(args);
    try {
      return await deliverBeforeFallback(args);
    } catch (err) {
      const last = await deliveryError(idempotencyKey);
      const notice = incident.fallbackNotice(channelId, notification.kind, last ?? failureText(err));
      await deliverNotification({
        channel: fallback,
        notification: notice,
        idempotencyKey: `${idempotencyKey}/fallback`,
        monitorIds: [],
      });
      return deliverNotification(args);
    }
  };

  /** Sends one message about the group to channels; false when every firing alert is muted. */
  const tell = async (
    kind: IncidentNotificationKind,
    channels: string[],
    extra: Partial<IncidentNotification> = {},
  ): Promise<boolean> => {
    const now = Date.now();
    if (kind !== 'resolved' && !incident.applyMutes(await muteState(incident.muteQuery()), now)) return false;
    const { notification, targets } = incident.compose(kind, channels, extra, now);
    await Promise.all(targets.map((c) => deliver(c, notification, incident.deliveryKey(c))));
    incident.told(kind, targets, now, Date.now());
    return true;
  };

  const resolveAll = async (now: number, by?: ResolveRequest) => {
    const message = incident.resolve(now, by);
    publish();
    if (message) await tell('resolved', message.channels, message.extra);
  };

  // ------------------------------------------------------------ main loop

  for (;;) {
    const wake = incident.nextWake();
    await condition(
      () => incident.hasWork() || (workflowInfo().continueAsNewSuggested && incident.state !== 'pending'),
      wake === undefined ? undefined : Math.max(1, wake - Date.now()),
    );
    const now = Date.now();

    for (let event = incident.nextEvent(); event; event = incident.nextEvent()) {
      if (incident.apply(event, now)) publish();
    }
    incident.reevaluate(now);

    const request = incident.takeResolveRequest();
    if (request) {
      if (incident.state !== 'resolved') {
        await stopAlerting(incident.firingMonitorIds());
        await resolveAll(now, request);
      }
      continue;
    }

    if (incident.nothingFiring()) {
      await resolveAll(now);
      continue;
    }

    if (incident.state === 'resolved') {
      if (incident.reopenWindowOver(now)) break;
      continue;
    }

    if (incident.expireAcknowledgement(now)) publish();

    const due = incident.dueMessage(now);
    if (due && (await tell(due, receiver.notify))) incident.messageSent(due, now);

    const refresh = incident.refreshDue(now);
    if (refresh) await tell('refresh', refresh);

    for (let step = incident.dueEscalationStep(now); step; step = incident.dueEscalationStep(now)) {
      const escalation = { policy: step.policy, step: step.step, round: step.round };
      if (!(await tell('escalation', step.notify, { escalation }))) break;
      incident.escalated();
    }

    if (workflowInfo().continueAsNewSuggested && incident.queued === 0) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof incidentWorkflow>(input, incident.carry());
    }
  }

  await condition(allHandlersFinished);
  // Events that arrived after the reopen window closed start the next incident.
  if (incident.queued > 0) await continueAsNew<typeof incidentWorkflow>(input, incident.nextIncident());
  return incident.snapshot(Date.now());
}
