// notifications: the ledger that keeps a retried send from reaching a person twice,
// and what channel rate limits count.
import { Tables } from './tables.js';

export type NotificationClaim = 'new' | 'retry' | 'sent';

export class NotificationLedger extends Tables {
  /** Notifications confirmed on a channel since a moment: what its rate limit counts. */
  async sentSince(channelId: string, since: Date): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.s}.notifications WHERE channel_id = $1 AND state = 'sent' AND sent_at >= $2`,
      [channelId, since],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Claims a notification before it is sent. 'sent' means an earlier attempt
   * delivered it: do not send again. 'retry' means an earlier attempt started
   * and did not confirm (the worker died mid-send): send again.
   */
  async claimNotification(
    key: string,
    meta: { channelId: string; incidentId: string; kind: string },
  ): Promise<NotificationClaim> {
    const { rows } = await this.pool.query<{ state: string; attempts: number }>(
      `INSERT INTO ${this.s}.notifications (idempotency_key, channel_id, incident_id, kind, state)
       VALUES ($1, $2, $3, $4, 'sending')
       ON CONFLICT (idempotency_key) DO UPDATE
         SET attempts = ${this.s}.notifications.attempts + CASE WHEN ${this.s}.notifications.state = 'sent' THEN 0 ELSE 1 END
       RETURNING state, attempts`,
      [key, meta.channelId, meta.incidentId, meta.kind],
    );
    const row = rows[0]!;
    if (row.state === 'sent') return 'sent';
    return row.attempts > 1 ? 'retry' : 'new';
  }

  async markNotificationSent(key: string, messageId: string | undefined): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s}.notifications SET state = 'sent', sent_at = now(), message_id = $2 WHERE idempotency_key = $1`,
      [key, messageId ?? null],
    );
  }

  async notifications(
    incidentId?: string,
  ): Promise<Array<{ key: string; channelId: string; kind: string; state: string; attempts: number }>> {
    const { rows } = await this.pool.query(
      `SELECT idempotency_key, channel_id, kind, state, attempts FROM ${this.s}.notifications
        WHERE $1::text IS NULL OR incident_id = $1 ORDER BY first_attempt_at`,
      [incidentId ?? null],
    );
    return rows.map((r) => ({
      key: r.idempotency_key,
      channelId: r.channel_id,
      kind: r.kind,
      state: r.state,
      attempts: r.attempts,
    }));
  }
}
