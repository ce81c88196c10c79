// What a notification says, and the one interface every channel implements.
// Adding a channel type means one module with a ChannelFactory, registered in
// registry.ts.
import type { ChannelSpec, MonitorDefinition } from '../config/model.js';
import type { Status, Verdict } from '../evaluation/types.js';

export type NotificationKind = 'firing' | 'changed' | 'resolved';

/** What a notification says about the monitor behind it. */
export type IncidentSubject = Pick<MonitorDefinition, 'id' | 'description' | 'perspective' | 'pipeline' | 'labels' | 'runbook'>;

export interface Notification {
  kind: NotificationKind;
  incidentId: string;
  monitor: IncidentSubject;
  status: Status;
  verdict: Verdict;
  openedAt: string;
  resolvedAt?: string;
}

export interface Delivery {
  /** The channel's own id for what it sent (SMTP Message-ID …). */
  messageId?: string;
}

export interface ChannelSender {
  /** Sends once; idempotencyKey is stable across retries of the same notification. */
  send(notification: Notification, idempotencyKey: string): Promise<Delivery>;
  close(): Promise<void>;
}

export interface ChannelFactory<T extends ChannelSpec['type'] = ChannelSpec['type']> {
  type: T;
  /** spec has its `${ENV}` references already resolved. */
  create(id: string, spec: Extract<ChannelSpec, { type: T }>): ChannelSender;
}
