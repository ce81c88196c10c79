// One incident per monitor: opened by the run that crossed the flap threshold,
// told about changes, closed by the run that recovered. Every notification is
// an activity that retries until the channel takes it, under an idempotency
// key, so neither a worker crash nor a channel outage loses or repeats one.
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeliveryPolicy, NamedChannel } from '../config/model.js';
import type { IncidentSubject, NotificationKind } from '../channels/types.js';
import type { Transition } from '../evaluation/flap.js';
import type { Status, Verdict } from '../evaluation/types.js';
import type { Activities } from '../activities/index.js';
import { INCIDENT_STATE, SEVERITY, STATUS } from './search-attributes.js';

export interface IncidentInput {
  incidentId: string;
  monitor: IncidentSubject;
  channels: NamedChannel[];
  delivery: DeliveryPolicy;
}

export interface IncidentEvent {
  transition: Exclude<Transition, 'none'>;
  /** The monitor run that caused it; repeats of the same run are ignored. */
  runId: string;
  status: Status;
  verdict: Verdict;
  at: string;
}

export type IncidentState = 'pending' | 'firing' | 'resolved';

export interface IncidentSnapshot {
  state: IncidentState;
  status?: Status;
  openedAt?: string;
  resolvedAt?: string;
  lastReason?: string;
  notificationsSent: number;
}

export const observeSignal = defineSignal<[IncidentEvent]>('observe');
export const incidentStateQuery = defineQuery<IncidentSnapshot>('state');

/** State handed from one run to the next by continue-as-new. */
export interface IncidentCarry {
  snapshot: IncidentSnapshot;
  queue: IncidentEvent[];
  recentRuns: string[];
}

export async function incidentWorkflow(input: IncidentInput, carry?: IncidentCarry): Promise<IncidentSnapshot> {
  const { deliverNotification } = proxyActivities<Activities>({
    startToCloseTimeout: input.delivery.timeoutMs,
    retry: {
      initialInterval: input.delivery.initialIntervalMs,
      maximumInterval: input.delivery.maximumIntervalMs,
      backoffCoefficient: 2,
      // No maximumAttempts: never give up; a channel that is down gets the message when it returns.
    },
  });

  const snapshot: IncidentSnapshot = carry?.snapshot ?? { state: 'pending', notificationsSent: 0 };
  const queue: IncidentEvent[] = carry?.queue ?? [];
  const seenRuns = new Set<string>(carry?.recentRuns);
  setHandler(observeSignal, (event) => {
    if (seenRuns.has(event.runId)) return;
    seenRuns.add(event.runId);
    queue.push(event);
  });
  setHandler(incidentStateQuery, () => snapshot);

  const notify = async (kind: NotificationKind, event: IncidentEvent) => {
    await Promise.all(
      input.channels.map((channel) =>
        deliverNotification({
          channel,
          idempotencyKey: `${input.incidentId}/${snapshot.openedAt}/${kind}/${event.runId}/${channel.id}`,
          notification: {
            kind,
            incidentId: input.incidentId,
            monitor: input.monitor,
            status: event.status,
            verdict: event.verdict,
            openedAt: snapshot.openedAt!,
            resolvedAt: snapshot.resolvedAt,
          },
        }),
      ),
    );
    snapshot.notificationsSent += input.channels.length;
  };

  // Events are handled strictly in order: a resolve that arrives while the
  // firing message is still being retried waits for it.
  while (snapshot.state !== 'resolved') {
    await condition(() => queue.length > 0 || workflowInfo().continueAsNewSuggested);
    if (queue.length === 0) {
      await continueAsNew<typeof incidentWorkflow>(input, { snapshot, queue, recentRuns: [...seenRuns].slice(-100) });
    }
    const event = queue.shift()!;
    snapshot.status = event.status;
    snapshot.lastReason = event.verdict.reason;

    if (event.transition === 'resolve') {
      if (snapshot.state !== 'firing') break; // nothing was open
      snapshot.state = 'resolved';
      snapshot.resolvedAt = event.at;
      upsertSearchAttributes([{ key: INCIDENT_STATE, value: 'resolved' }, { key: STATUS, value: event.status }]);
      await notify('resolved', event);
    } else if (snapshot.state !== 'firing') {
      snapshot.state = 'firing';
      snapshot.openedAt = event.at;
      upsertSearchAttributes([
        { key: INCIDENT_STATE, value: 'firing' },
        { key: STATUS, value: event.status },
        { key: SEVERITY, value: event.status },
      ]);
      await notify('firing', event);
    } else {
      upsertSearchAttributes([{ key: STATUS, value: event.status }, { key: SEVERITY, value: event.status }]);
      await notify('changed', event);
    }
  }
  // Events that arrived while the last message was going out belong to the
  // next incident; hand them over instead of dropping them with this run.
  if (queue.length > 0) {
    await continueAsNew<typeof incidentWorkflow>(input, {
      snapshot: { state: 'pending', notificationsSent: 0 },
      queue,
      recentRuns: [...seenRuns].slice(-100),
    });
  }
  return snapshot;
}
