// api_shapes: the accepted and the latest shape of an API's responses, for change
// detection.
import { Tables } from './tables.js';

export interface ApiShape {
  accepted: Record<string, string>;
  acceptedAt: string;
  acceptedBy: string;
  latest: Record<string, string>;
  latestAt: string;
}

export class ApiShapes extends Tables {
  async apiShape(monitorId: string): Promise<ApiShape | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.api_shapes WHERE monitor_id = $1`, [monitorId]);
    const r = rows[0];
    return r
      ? {
          accepted: r.accepted,
          acceptedAt: (r.accepted_at as Date).toISOString(),
          acceptedBy: r.accepted_by,
          latest: r.latest,
          latestAt: (r.latest_at as Date).toISOString(),
        }
      : undefined;
  }

  /** Records the shape just seen; the first one seen is accepted as the baseline. */
  async observeApiShape(monitorId: string, shape: Record<string, string>): Promise<ApiShape> {
    const { rows } = await this.pool.query(
      `INSERT INTO ${this.s}.api_shapes (monitor_id, accepted, accepted_at, accepted_by, latest, latest_at)
       VALUES ($1, $2, now(), 'pipewatch (first response seen)', $2, now())
       ON CONFLICT (monitor_id) DO UPDATE SET latest = EXCLUDED.latest, latest_at = now()
       RETURNING *`,
      [monitorId, JSON.stringify(shape)],
    );
    const r = rows[0];
    return {
      accepted: r.accepted,
      acceptedAt: (r.accepted_at as Date).toISOString(),
      acceptedBy: r.accepted_by,
      latest: r.latest,
      latestAt: (r.latest_at as Date).toISOString(),
    };
  }

  /** An operator accepts the latest shape as the new normal. */
  async acceptApiShape(monitorId: string, by: string): Promise<ApiShape | undefined> {
    await this.pool.query(
      `UPDATE ${this.s}.api_shapes SET accepted = latest, accepted_at = now(), accepted_by = $2 WHERE monitor_id = $1`,
      [monitorId, by],
    );
    return this.apiShape(monitorId);
  }
}
