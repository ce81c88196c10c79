// intervention_audit: who answered a question put to a person, when, and whether
// the answer was taken (never the answer's secret input).
import { Tables } from './tables.js';

export interface InterventionAuditEntry {
  at: string;
  by: string;
  answer: string;
  accepted: boolean;
  reason?: string;
  via: 'update' | 'signal' | 'deadline';
}

export class InterventionAudit extends Tables {
  /** Who answered an intervention, when, with which answer, and whether it was taken. Never the input itself. */
  async recordInterventionAudit(interventionId: string, entry: InterventionAuditEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.intervention_audit (intervention_id, at, by, answer, accepted, reason, via) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING`,
      [interventionId, entry.at, entry.by, entry.answer, entry.accepted, entry.reason ?? null, entry.via],
    );
  }

  async interventionAudit(interventionId: string): Promise<InterventionAuditEntry[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM ${this.s}.intervention_audit WHERE intervention_id = $1 ORDER BY at`,
      [interventionId],
    );
    return rows.map((r) => ({
      at: (r.at as Date).toISOString(),
      by: r.by,
      answer: r.answer,
      accepted: r.accepted,
      reason: r.reason ?? undefined,
      via: r.via,
    }));
  }
}
