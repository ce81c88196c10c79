// incident_events: when each firing period of an incident opened, was
// acknowledged and resolved, for reports.
import { Tables } from './tables.js';

/** One step in the life of an incident's firing period, as the incident workflow's messages and state show it. */
export interface IncidentEvent {
  incidentId: string;
  /** When the firing period began: with incidentId, what identifies it (a reopened incident starts a new one). */
  openedAt: string;
  event: 'opened' | 'acknowledged' | 'resolved';
  at: string;
  by?: string;
  receiver: string;
  severity?: string;
  pipelines: string[];
  monitors: string[];
}

/** A firing period of an incident with its first acknowledgement and its resolution. */
export interface IncidentPeriod {
  incidentId: string;
  receiver: string;
  openedAt: string;
  severity?: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
}

export class IncidentEvents extends Tables {
  /**
   * Records what is known about incidents' firing periods. Idempotent, and
   * order-free: the earliest acknowledgement or resolution seen wins, the
   * severity an incident opened with stays, pipelines and monitors accumulate.
   */
  async recordIncidentEvents(events: IncidentEvent[]): Promise<void> {
    for (const e of events) {
      await this.pool.query(
        `INSERT INTO ${this.s}.incident_events AS x (incident_id, opened_at, event, at, by, receiver, severity, pipelines, monitors)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (incident_id, opened_at, event) DO UPDATE SET
           by = CASE WHEN EXCLUDED.at < x.at THEN EXCLUDED.by ELSE x.by END,
           at = LEAST(x.at, EXCLUDED.at),
           severity = COALESCE(x.severity, EXCLUDED.severity),
           pipelines = ARRAY(SELECT DISTINCT p FROM unnest(x.pipelines || EXCLUDED.pipelines) AS p ORDER BY p),
           monitors = ARRAY(SELECT DISTINCT m FROM unnest(x.monitors || EXCLUDED.monitors) AS m ORDER BY m)`,
        [
          e.incidentId,
          e.openedAt,
          e.event,
          e.at,
          e.by ?? null,
          e.receiver,
          e.severity ?? null,
          e.pipelines,
          e.monitors,
        ],
      );
    }
  }

  /** Firing periods of a pipeline's incidents (by pipeline or by monitor) that overlap [from, to), oldest first. */
  async incidentPeriods(filter: {
    pipeline: string;
    monitors: string[];
    from: Date;
    to: Date;
  }): Promise<IncidentPeriod[]> {
    const { rows } = await this.pool.query(
      `SELECT incident_id, opened_at, max(receiver) AS receiver,
              max(severity) FILTER (WHERE event = 'opened') AS severity,
              min(at) FILTER (WHERE event = 'acknowledged') AS acknowledged_at,
              max(by) FILTER (WHERE event = 'acknowledged') AS acknowledged_by,
              min(at) FILTER (WHERE event = 'resolved') AS resolved_at,
              max(by) FILTER (WHERE event = 'resolved') AS resolved_by
         FROM ${this.s}.incident_events
        GROUP BY incident_id, opened_at
       HAVING bool_or($1 = ANY(pipelines) OR monitors && $2::text[])
          AND opened_at < $4
          AND (min(at) FILTER (WHERE event = 'resolved') IS NULL OR min(at) FILTER (WHERE event = 'resolved') >= $3)
        ORDER BY opened_at, incident_id`,
      [filter.pipeline, filter.monitors, filter.from, filter.to],
    );
    const iso = (d: Date | null) => (d ? d.toISOString() : undefined);
    return rows.map((r) => ({
      incidentId: r.incident_id,
      receiver: r.receiver,
      openedAt: (r.opened_at as Date).toISOString(),
      severity: r.severity ?? undefined,
      acknowledgedAt: iso(r.acknowledged_at),
      acknowledgedBy: r.acknowledged_by ?? undefined,
      resolvedAt: iso(r.resolved_at),
      resolvedBy: r.resolved_by ?? undefined,
    }));
  }
}
