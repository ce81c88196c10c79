// What a notification says, and the one interface every channel implements.
// Adding a channel type means one folder channels/<type>/ (schema.ts, descriptor.ts,
// index.ts with its ChannelFactory), with a line in schemas.ts, descriptors.ts and registry.ts.
import type { ChannelSpec, MonitorDefinition } from '../config/model.js';
import type { Labels } from '../evaluation/matchers.js';
import type { MuteReason } from '../evaluation/muting.js';
import type { Status, Verdict } from '../evaluation/types.js';
import type { AlertNode, Correlation } from '../evaluation/correlation.js';

/** What a notification says about the monitor behind an alert. */
export type IncidentSubject = Pick<
  MonitorDefinition,
  'id' | 'description' | 'perspective' | 'pipeline' | 'labels' | 'runbook'
> & {
  /** What kind of check it runs, for the "what to do" advice (absent in alerts from before it was carried). */
  checkType?: MonitorDefinition['check']['type'];
  /** Correlated pipelines: where it sits in the pipeline's graph (evaluation/correlation.ts). */
  node?: AlertNode;
};

export interface AlertSummary {
  monitor: IncidentSubject;
  labels: Labels;
  status: Status;
  verdict: Verdict;
  firing: boolean;
  /** When this alert started firing (or resolved). */
  since: string;
  /** When it started firing, kept after it resolved (correlation needs both); absent in alerts from before. */
  openedAt?: string;
  muted?: MuteReason;
}

/** `refresh`: the same firing alerts again, for channels that expect to be told while an alert lasts (Alertmanager). */
export type IncidentNotificationKind =
  'firing' | 'changed' | 'reminder' | 'escalation' | 'acknowledged' | 'resolved' | 'refresh';

export interface IncidentNotification {
  kind: IncidentNotificationKind;
  incidentId: string;
  receiver: string;
  groupLabels: Labels;
  /** The worst status among the firing alerts (ok once resolved). */
  status: Status;
  alerts: AlertSummary[];
  openedAt: string;
  resolvedAt?: string;
  resolvedBy?: string;
  acknowledged?: { by: string; note?: string; at: string; until?: string };
  escalation?: { policy: string; step: number; round: number };
  /** Correlated pipelines: the probable causes among the alerts, each with its downstream symptoms. */
  correlation?: Correlation;
}

/** pipewatch talking about itself: a channel that keeps failing, a silence about to end. */
export interface Notice {
  kind: 'notice';
  title: string;
  text: string;
  /**
   * `temporal` CLI commands that act on what the notice is about, without the leading `temporal`; the channel
   * adds the flags this deployment needs (the codec endpoint) when it renders them.
   */
  temporalCommands?: string[];
}

export type Notification = IncidentNotification | Notice;

export interface ChartPoint {
  observedAt: string;
  value: number | null;
  status: Status;
}

/** What a suggested `temporal …` command needs to work where the operator types it. */
export interface TemporalCommandContext {
  /** The codec server that decrypts payloads (PIPEWATCH_CODEC_ENDPOINT; `pipewatch start` runs one). */
  codecEndpoint?: string;
  /** Payloads are encrypted: without a codec endpoint the command shows ciphertext, so say so. */
  encrypted?: boolean;
}

export interface SendContext {
  /** Stable across retries of the same notification. */
  idempotencyKey: string;
  temporal?: TemporalCommandContext;
  /** Recent values per monitor id, for a small chart. */
  history: Record<string, ChartPoint[]>;
}

export interface Delivery {
  /** The channel's own id for what it sent (SMTP Message-ID …). */
  messageId?: string;
}

/** A pipeline report as an email: HTML that shows its charts as inline (cid:) PNG attachments. */
export interface ReportEmail {
  reportId: string;
  subject: string;
  html: string;
  text: string;
  images: Array<{ cid: string; filename: string; png: Buffer }>;
}

export interface ChannelSender {
  send(notification: Notification, context: SendContext): Promise<Delivery>;
  /** Channels that can carry a report (email) implement this. */
  sendReport?(report: ReportEmail, context: { idempotencyKey: string }): Promise<Delivery>;
  close(): Promise<void>;
}

export interface ChannelFactory<T extends ChannelSpec['type'] = ChannelSpec['type']> {
  type: T;
  /** spec has its `${ENV}` references already resolved. */
  create(id: string, spec: Extract<ChannelSpec, { type: T }>): ChannelSender;
}
