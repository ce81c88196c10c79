// Alertmanager as a channel: pipewatch's alerts posted to an existing
// Alertmanager's v2 API (POST /api/v2/alerts), so that an organisation's own
// routing, silences, inhibition and receivers take over from there.
//
// Alertmanager's contract for clients: an alert is identified by its label
// set; a client re-sends it while it fires (the incident workflow does, every
// `resendEvery`), with an endsAt a few resends ahead, so that Alertmanager
// resolves it by itself if pipewatch stops sending; a resolved alert is sent
// once more with endsAt set to when it resolved. Posting the same alert twice
// is harmless (it is merged by its labels), which is what makes a retried
// delivery safe here.
import type { ChannelSpec } from '../../config/model.js';
import { formatValue } from '../../evaluation/rules.js';
import type {
  AlertSummary,
  ChannelFactory,
  ChannelSender,
  Delivery,
  IncidentNotification,
  Notification,
  SendContext,
} from '../types.js';
import { postJson } from '../shared/post.js';

type AlertmanagerSpec = Extract<ChannelSpec, { type: 'alertmanager' }>;

/** One alert of Alertmanager's v2 API (postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** How many missed resends Alertmanager waits before it resolves a firing alert by itself (as Prometheus does). */
export const RESENDS_BEFORE_EXPIRY = 4;

/** A label name Alertmanager 0.25 accepts ([a-zA-Z_][a-zA-Z0-9_]*): other characters become "_". */
export function labelName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(clean) ? clean : `_${clean}`;
}

/** The link to the incident's workflow in the Temporal Web UI. */
export function generatorUrl(webUi: string | undefined, namespace: string, workflowId: string): string | undefined {
  if (!webUi) return undefined;
  return `${webUi.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The alerts of an incident notification as Alertmanager takes them. */
export function alertmanagerAlerts(
  n: IncidentNotification,
  options: { now: number; resendEveryMs: number; webUi?: string; namespace?: string },
): PostableAlert[] {
  const generatorURL = generatorUrl(options.webUi, options.namespace ?? 'default', n.incidentId);
  const holdUntil = new Date(options.now + RESENDS_BEFORE_EXPIRY * options.resendEveryMs).toISOString();
  return n.alerts.map((a: AlertSummary) => {
    const labels: Record<string, string> = { alertname: a.monitor.id };
    for (const [k, v] of Object.entries(a.labels)) if (v !== '') labels[labelName(k)] = v;
    labels.alertname = a.monitor.id;
    const v = a.verdict;
    const annotations: Record<string, string> = {
      summary: v.reason,
      description: [
        a.monitor.description,
        `value: ${v.value === undefined ? 'not measured' : formatValue(v.value, v.unit)}`,
        `status: ${a.status}`,
        `perspective: ${a.monitor.perspective}`,
        ...(a.monitor.pipeline ? [`pipeline: ${a.monitor.pipeline}`] : []),
        `pipewatch incident: ${n.incidentId}`,
      ]
        .filter(Boolean)
        .join('\n'),
      pipewatch_incident: n.incidentId,
    };
    if (a.monitor.runbook) annotations.runbook_url = a.monitor.runbook;
    // Correlated pipelines: a symptom names its probable cause (inhibition rules in Alertmanager can match on it).
    const cause = n.correlation?.causes.find((c) => c.downstream.includes(a.monitor.id));
    if (cause) annotations.pipewatch_probable_cause = cause.cause;
    if (n.acknowledged) annotations.acknowledged_by = n.acknowledged.by;
    const resolved = n.kind === 'resolved' || !a.firing;
    const endsAt = resolved ? (n.resolvedAt ?? a.since) : holdUntil;
    const startsAt = resolved ? n.openedAt : a.since;
    return {
      labels,
      annotations,
      startsAt: startsAt <= endsAt ? startsAt : endsAt,
      endsAt,
      ...(generatorURL ? { generatorURL } : {}),
    };
  });
}

class AlertmanagerSender implements ChannelSender {
  constructor(
    private readonly spec: AlertmanagerSpec,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async send(n: Notification, _context: SendContext): Promise<Delivery> {
    // Notices are pipewatch talking about itself (a channel failing, a question waiting): not alerts.
    if (n.kind === 'notice') return {};
    const alerts = alertmanagerAlerts(n, {
      now: Date.now(),
      resendEveryMs: this.spec.resendEvery,
      webUi: this.spec.temporalWebUi ?? this.env.PIPEWATCH_TEMPORAL_WEB_UI,
      namespace: this.env.TEMPORAL_NAMESPACE,
    });
    if (alerts.length === 0) return {};
    await postJson(
      `${this.spec.url.replace(/\/+$/, '')}/api/v2/alerts`,
      JSON.stringify(alerts),
      this.spec.headers,
      this.spec.timeout,
    );
    return {};
  }

  async close(): Promise<void> {}
}

export const alertmanagerChannel: ChannelFactory<'alertmanager'> = {
  type: 'alertmanager',
  create: (_id, spec) => new AlertmanagerSender(spec, process.env),
};
