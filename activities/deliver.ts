// Deliveries: one notification sent at most once (the ledger claimed before
// the send, confirmed after it), and a pipeline's report, made and saved once
// (activities/report.ts), then sent to each email channel at most once.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { NamedChannel, ReportDefinition } from '../config/model.js';
import type { ChartPoint, Notification } from '../channels/types.js';
import type { ReportSummary } from '../reports/digest.js';
import { incidentEventsFromNotification } from '../reports/incident-events.js';
import type { ReportResult } from '../workflows/report.js';
import type { ActivityDeps } from './deps.js';
import { resolveOrFail, scrubbed, whileHeartbeating } from './guards.js';
import { gatherReportData, imageCid, makeReport, pendingInterventions, refreshRunningIncidents } from './report.js';

export interface DeliveryResult {
  channelId: string;
  outcome: 'sent' | 'already-sent';
  messageId?: string;
}

export function deliveryActivities(deps: ActivityDeps) {
  // The last failure of each delivery, so a fallback notice can say what went
  // wrong (a schedule-to-close timeout does not carry it). Local to this worker.
  const deliveryErrors = new Map<string, string>();
  const rememberError = (key: string, message: string) => {
    deliveryErrors.delete(key);
    deliveryErrors.set(key, message);
    if (deliveryErrors.size > 1_000) deliveryErrors.delete(deliveryErrors.keys().next().value!);
  };
  // What a `temporal …` command in a message needs to show decrypted payloads where the operator types it.
  const env = deps.env ?? process.env;
  const temporalCommandContext = {
    codecEndpoint: env.PIPEWATCH_CODEC_ENDPOINT || undefined,
    encrypted: Boolean(env.PIPEWATCH_CODEC_KEYS || env.PIPEWATCH_CODEC_KEY_FILE),
  };

  return {
    /**
     * Sends one notification at most once: the ledger row claimed before the
     * send and confirmed after it turns a retry of a delivered message into a
     * no-op. Only a crash between the channel accepting and the confirmation
     * can repeat it, and the Message-ID is stable so mail systems can drop it.
     */
    async deliverNotification(input: {
      channel: NamedChannel;
      notification: Notification;
      idempotencyKey: string;
      monitorIds: string[];
    }): Promise<DeliveryResult> {
      // Heartbeats from the start (ledger, charts, the send itself): a worker killed mid-send is noticed in
      // seconds and another one takes the message over (workflows/heartbeats.ts).
      return whileHeartbeating(async () => {
        const { channel, notification, idempotencyKey } = input;
        const meta = {
          channelId: channel.id,
          incidentId: notification.kind === 'notice' ? 'notice' : notification.incidentId,
          kind: notification.kind,
        };
        const log = Context.current().log;

        if (channel.rateLimit) {
          const recent = await deps.store
            .sentSince(channel.id, new Date(Date.now() - channel.rateLimit.per))
            .catch(() => 0);
          if (recent >= channel.rateLimit.max) {
            throw ApplicationFailure.create({
              message: `channel ${channel.id} is at its rate limit (${channel.rateLimit.max} per ${channel.rateLimit.per} ms); the message waits its turn`,
              type: 'RateLimited',
              nextRetryDelay: Math.max(1_000, Math.round(channel.rateLimit.per / channel.rateLimit.max)),
            });
          }
        }

        // The incident's open, acknowledgement and resolution times, for reports; never in the way of the alert.
        if (notification.kind !== 'notice' && notification.kind !== 'refresh') {
          await deps.store
            .recordIncidentEvents(incidentEventsFromNotification(notification))
            .catch((err: Error) =>
              log.warn('could not record incident events', { incident: notification.incidentId, error: err.message }),
            );
        }

        // An alert must not wait for the history store: without the ledger the
        // send still happens, at the cost of a possible repeat after a crash.
        let ledger = true;
        try {
          const claim = await deps.store.claimNotification(idempotencyKey, meta);
          if (claim === 'sent') {
            deps.metrics?.observeDelivery(channel.id, 'already-sent');
            return { channelId: channel.id, outcome: 'already-sent' };
          }
        } catch (err) {
          ledger = false;
          log.warn('notification ledger unavailable; sending without it', {
            channel: channel.id,
            error: (err as Error).message,
          });
        }

        const history: Record<string, ChartPoint[]> = {};
        for (const id of input.monitorIds) {
          history[id] = (await deps.store.recentPoints(id, 30).catch(() => [])).reverse();
        }

        const live = resolveOrFail(() => deps.channels.get(channel));
        let messageId: string | undefined;
        try {
          ({ messageId } = await live.value.send(notification, {
            idempotencyKey,
            history,
            temporal: temporalCommandContext,
          }));
        } catch (err) {
          const failure = scrubbed(err, live.secrets, 'DeliveryError');
          rememberError(idempotencyKey, failure.message);
          deps.metrics?.observeDelivery(channel.id, 'failed');
          throw failure;
        }
        deps.metrics?.observeDelivery(channel.id, 'sent');
        deliveryErrors.delete(idempotencyKey);
        if (ledger) {
          await deps.store.markNotificationSent(idempotencyKey, messageId).catch((err: Error) =>
            log.warn('could not confirm a sent notification in the ledger', {
              channel: channel.id,
              error: err.message,
            }),
          );
        }
        return { channelId: channel.id, outcome: 'sent', messageId };
      });
    },

    /**
     * A pipeline's report for the period ending at periodEnd: made and saved
     * once under reportId (a retry finds it saved and sends that), then sent
     * to each email channel at most once (the notification ledger).
     */
    async produceReport(input: {
      definition: ReportDefinition;
      reportId: string;
      periodEnd: string;
    }): Promise<ReportResult> {
      return whileHeartbeating(() => produceReport(deps, input));
    },

    /** What the last failed attempt of a delivery said, if this worker saw it. */
    async deliveryError(idempotencyKey: string): Promise<string | null> {
      return deliveryErrors.get(idempotencyKey) ?? null;
    },
  };
}

/** Makes and saves the report once, then sends it to each channel at most once. */
async function produceReport(
  deps: ActivityDeps,
  input: { definition: ReportDefinition; reportId: string; periodEnd: string },
): Promise<ReportResult> {
  const d = input.definition;
  const end = Date.parse(input.periodEnd);
  const start = end - d.periodMs;
  let saved = await deps.store.report(input.reportId);
  const made = !saved;
  if (!saved) {
    const context = Context.current();
    await refreshRunningIncidents(deps.client, deps.taskQueue, deps.store, d).catch((err: Error) =>
      context.log.warn('could not read running incidents; the report uses what the store holds', {
        pipeline: d.pipeline,
        error: err.message,
      }),
    );
    const interventions = await pendingInterventions(deps.client, deps.taskQueue, d.pipeline);
    const data = await gatherReportData(deps.store, d, start, end, interventions);
    await deps.store.saveReport(makeReport(input.reportId, data));
    saved = (await deps.store.report(input.reportId))!;
  }
  const report = saved;
  const delivered: ReportResult['delivered'] = [];
  for (const channel of d.channels) {
    const key = `${report.reportId}/${channel.id}`;
    if (
      (await deps.store.claimNotification(key, {
        channelId: channel.id,
        incidentId: report.reportId,
        kind: 'report',
      })) === 'sent'
    ) {
      delivered.push({ channelId: channel.id, outcome: 'already-sent' });
      continue;
    }
    const live = resolveOrFail(() => deps.channels.get(channel));
    if (!live.value.sendReport)
      throw ApplicationFailure.create({
        message: `channel ${channel.id} (${channel.type}) cannot carry a report`,
        type: 'ConfigurationError',
        nonRetryable: true,
      });
    let messageId: string | undefined;
    try {
      ({ messageId } = await live.value.sendReport(
        {
          reportId: report.reportId,
          subject: report.subject,
          html: report.html,
          text: report.text,
          images: report.images.map((img) => ({
            cid: imageCid(report.reportId, img.name),
            filename: `${img.name}.png`,
            png: img.png,
          })),
        },
        { idempotencyKey: key },
      ));
    } catch (err) {
      throw scrubbed(err, live.secrets, 'DeliveryError');
    }
    await deps.store.markNotificationSent(key, messageId);
    delivered.push({ channelId: channel.id, outcome: 'sent' });
  }
  const summary = report.summary as ReportSummary;
  return {
    reportId: report.reportId,
    periodStart: report.periodStart,
    periodEnd: report.periodEnd,
    saved: made ? 'new' : 'existing',
    images: report.images.length,
    delivered,
    incidents: {
      opened: summary.incidents.opened,
      acknowledged: summary.incidents.acknowledged,
      resolved: summary.incidents.resolved,
      open: summary.incidents.open,
    },
    interventionsPending: summary.interventionsPending,
  };
}
