// Every side effect a workflow needs: collecting from sources, the history
// store, starting or signalling incidents, and delivering notifications.
// Secrets are resolved here, inside the worker, and scrubbed from anything an
// activity reports; timeouts and retries are set by the calling workflow.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { MissingEnvError, redactSecrets } from '../config/env.js';
import type { CheckSpec, FlapControl, NamedChannel, NamedConnector } from '../config/model.js';
import type { ResolvedCache } from '../config/resolved-cache.js';
import type { ChannelSender, Notification } from '../channels/types.js';
import type { Connector } from '../connectors/types.js';
import type { Measurement, PreviousPoint, Verdict } from '../evaluation/types.js';
import type { HistoryStore, RecordedRun } from '../store/history.js';
import type { IncidentEvent, IncidentInput } from '../workflows/incident.js';
import { MONITOR, PERSPECTIVE, PIPELINE, INCIDENT_STATE } from '../workflows/search-attributes.js';

export interface ActivityDeps {
  store: HistoryStore;
  connectors: ResolvedCache<NamedConnector, Connector>;
  channels: ResolvedCache<NamedChannel, ChannelSender>;
  client: Client;
  taskQueue: string;
}

export interface DeliveryResult {
  channelId: string;
  outcome: 'sent' | 'already-sent';
  messageId?: string;
}

/** A failure whose message has had every known secret removed, and no original stack. */
function scrubbed(err: unknown, secrets: Iterable<string>, type: string, nonRetryable = false): ApplicationFailure {
  const message = redactSecrets(err instanceof Error ? err.message : String(err), secrets);
  return ApplicationFailure.create({ message, type, nonRetryable });
}

function resolveOrFail<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (err) {
    if (err instanceof MissingEnvError) throw scrubbed(err, [], 'ConfigurationError', true);
    throw err;
  }
}

export function createActivities(deps: ActivityDeps) {
  return {
    async collect(input: { monitorId: string; connector: NamedConnector; check: CheckSpec; at: string }): Promise<Measurement> {
      const live = resolveOrFail(() => deps.connectors.get(input.connector));
      try {
        return await live.value.collect({ check: input.check, at: new Date(input.at), signal: Context.current().cancellationSignal });
      } catch (err) {
        throw scrubbed(err, live.secrets, 'CollectError');
      }
    },

    async lastPoint(monitorId: string): Promise<PreviousPoint | null> {
      return (await deps.store.lastPoint(monitorId)) ?? null;
    },

    async recordRun(input: { monitorId: string; runId: string; verdict: Verdict; flap: FlapControl }): Promise<RecordedRun> {
      return deps.store.recordRun(input);
    },

    /** Opens the monitor's incident workflow if none runs, and hands it the event. */
    async signalIncident(input: { incident: IncidentInput; event: IncidentEvent }): Promise<void> {
      const { incident, event } = input;
      await deps.client.workflow.signalWithStart('incidentWorkflow', {
        workflowId: incident.incidentId,
        taskQueue: deps.taskQueue,
        args: [incident],
        signal: 'observe',
        signalArgs: [event],
        typedSearchAttributes: [
          { key: MONITOR, value: incident.monitor.id },
          { key: PERSPECTIVE, value: incident.monitor.perspective },
          { key: PIPELINE, value: incident.monitor.pipeline ?? '' },
          { key: INCIDENT_STATE, value: 'pending' },
        ],
      });
    },

    /**
     * Sends one notification at most once: the ledger row claimed before the
     * send and confirmed after it turns a retry of a delivered message into a
     * no-op. Only a crash between the channel accepting and the confirmation
     * can repeat it, and the Message-ID is stable so mail systems can drop it.
     */
    async deliverNotification(input: { channel: NamedChannel; notification: Notification; idempotencyKey: string }): Promise<DeliveryResult> {
      const { channel, notification, idempotencyKey } = input;
      const meta = { channelId: channel.id, incidentId: notification.incidentId, kind: notification.kind };
      const log = Context.current().log;
      // An alert must not wait for the history store: without the ledger the
      // send still happens, at the cost of a possible repeat after a crash.
      let ledger = true;
      try {
        const claim = await deps.store.claimNotification(idempotencyKey, meta);
        if (claim === 'sent') return { channelId: channel.id, outcome: 'already-sent' };
      } catch (err) {
        ledger = false;
        log.warn('notification ledger unavailable; sending without it', { channel: channel.id, error: (err as Error).message });
      }

      const live = resolveOrFail(() => deps.channels.get(channel));
      let messageId: string | undefined;
      try {
        ({ messageId } = await live.value.send(notification, idempotencyKey));
      } catch (err) {
        throw scrubbed(err, live.secrets, 'DeliveryError');
      }
      if (ledger) {
        await deps.store.markNotificationSent(idempotencyKey, messageId).catch((err: Error) =>
          log.warn('could not confirm a sent notification in the ledger', { channel: channel.id, error: err.message }),
        );
      }
      return { channelId: channel.id, outcome: 'sent', messageId };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
