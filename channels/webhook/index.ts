// Generic webhook: the notification as JSON, POSTed with a timeout and signed
// with HMAC-SHA256 so the receiver can check it came from pipewatch.
// X-Pipewatch-Signature: sha256=<hex of HMAC-SHA256(secret, raw body)>.
import { createHmac } from 'node:crypto';
import type { ChannelSpec } from '../../config/model.js';
import { noticeText, render } from '../render.js';
import { postJson } from '../shared/post.js';
import type {
  ChannelFactory,
  ChannelSender,
  Delivery,
  Notification,
  SendContext,
  TemporalCommandContext,
} from '../types.js';

type WebhookSpec = Extract<ChannelSpec, { type: 'webhook' }>;

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The JSON document a webhook receives. */
export function webhookPayload(
  n: Notification,
  idempotencyKey: string,
  temporal: TemporalCommandContext = {},
): Record<string, unknown> {
  const summary = render(n, { temporal }).subject;
  if (n.kind === 'notice')
    return { version: 1, kind: 'notice', idempotencyKey, title: n.title, text: noticeText(n, temporal), summary };
  return {
    version: 1,
    kind: n.kind,
    idempotencyKey,
    summary,
    incidentId: n.incidentId,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    status: n.status,
    openedAt: n.openedAt,
    resolvedAt: n.resolvedAt ?? null,
    resolvedBy: n.resolvedBy ?? null,
    acknowledged: n.acknowledged ?? null,
    escalation: n.escalation ?? null,
    // Correlated pipelines: the probable causes, most upstream first, each with the monitors downstream of it.
    correlation: n.correlation
      ? {
          causes: n.correlation.causes.map((c) => ({
            monitor: c.cause,
            resolved: c.resolved,
            downstream: c.downstream,
          })),
        }
      : null,
    alerts: n.alerts.map((a) => ({
      monitor: a.monitor.id,
      pipeline: a.monitor.pipeline ?? null,
      perspective: a.monitor.perspective,
      labels: a.labels,
      status: a.status,
      firing: a.firing,
      since: a.since,
      value: a.verdict.value ?? null,
      unit: a.verdict.unit,
      reason: a.verdict.reason,
      observedAt: a.verdict.observedAt,
      runbook: a.monitor.runbook ?? null,
      stage: a.monitor.node?.stage ?? null,
      causedBy: n.correlation?.causes.find((c) => c.downstream.includes(a.monitor.id))?.cause ?? null,
    })),
  };
}

class WebhookSender implements ChannelSender {
  constructor(private readonly spec: WebhookSpec) {}

  async send(n: Notification, context: SendContext): Promise<Delivery> {
    const body = JSON.stringify(webhookPayload(n, context.idempotencyKey, context.temporal));
    const headers: Record<string, string> = {
      ...this.spec.headers,
      'x-pipewatch-idempotency-key': context.idempotencyKey,
    };
    if (this.spec.secret) headers['x-pipewatch-signature'] = signature(this.spec.secret, body);
    await postJson(this.spec.url, body, headers, this.spec.timeout);
    return {};
  }

  async close(): Promise<void> {}
}

export const webhookChannel: ChannelFactory<'webhook'> = {
  type: 'webhook',
  create: (_id, spec) => new WebhookSender(spec),
};
