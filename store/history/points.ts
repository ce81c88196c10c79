// metric_points: the value, status and reason of every monitor run, read back as
// baselines, sparklines and report figures.
import type { PreviousPoint, Status } from '../../evaluation/types.js';
import { Tables } from './tables.js';

export interface StoredPoint {
  runId: string;
  observedAt: string;
  value: number | null;
  status: Status;
  reason: string;
}

export class MetricPoints extends Tables {
  async lastPoint(monitorId: string): Promise<PreviousPoint | undefined> {
    const { rows } = await this.pool.query<{ value: number; observed_at: Date }>(
      `SELECT value, observed_at FROM ${this.s}.metric_points
        WHERE monitor_id = $1 AND value IS NOT NULL
        ORDER BY observed_at DESC LIMIT 1`,
      [monitorId],
    );
    const row = rows[0];
    return row ? { value: row.value, observedAt: row.observed_at.toISOString() } : undefined;
  }

  /** One value per observed time in [from, to), oldest first (the latest recording wins for a bucket judged twice). */
  async pointsBetween(
    monitorId: string,
    from: Date,
    to: Date,
  ): Promise<Array<{ observedAt: string; value: number | null; status: Status }>> {
    const { rows } = await this.pool.query<{ observed_at: Date; value: number | null; status: Status }>(
      `SELECT DISTINCT ON (observed_at) observed_at, value, status FROM ${this.s}.metric_points
        WHERE monitor_id = $1 AND observed_at >= $2 AND observed_at < $3
        ORDER BY observed_at, recorded_at DESC`,
      [monitorId, from, to],
    );
    return rows.map((r) => ({ observedAt: r.observed_at.toISOString(), value: r.value, status: r.status }));
  }

  async recentPoints(monitorId: string, limit = 50): Promise<StoredPoint[]> {
    const { rows } = await this.pool.query<{
      run_id: string;
      observed_at: Date;
      value: number | null;
      status: Status;
      reason: string;
    }>(
      `SELECT run_id, observed_at, value, status, reason FROM ${this.s}.metric_points
        WHERE monitor_id = $1 ORDER BY observed_at DESC LIMIT $2`,
      [monitorId, limit],
    );
    return rows.map((r) => ({
      runId: r.run_id,
      observedAt: r.observed_at.toISOString(),
      value: r.value,
      status: r.status,
      reason: r.reason,
    }));
  }

  /**
   * The latest `limit` points of each monitor, newest first: one query for a
   * whole page of sparklines.
   */
  async recentPointsOf(monitorIds: string[], limit: number): Promise<Map<string, StoredPoint[]>> {
    const { rows } = await this.pool.query<{
      monitor_id: string;
      run_id: string;
      observed_at: Date;
      value: number | null;
      status: Status;
      reason: string;
    }>(
      `SELECT monitor_id, run_id, observed_at, value, status, reason FROM (
         SELECT *, row_number() OVER (PARTITION BY monitor_id ORDER BY observed_at DESC, recorded_at DESC) AS n
           FROM ${this.s}.metric_points WHERE monitor_id = ANY($1)) p
        WHERE n <= $2 ORDER BY monitor_id, observed_at DESC`,
      [monitorIds, limit],
    );
    const out = new Map<string, StoredPoint[]>();
    for (const r of rows) {
      const list = out.get(r.monitor_id) ?? [];
      list.push({
        runId: r.run_id,
        observedAt: r.observed_at.toISOString(),
        value: r.value,
        status: r.status,
        reason: r.reason,
      });
      out.set(r.monitor_id, list);
    }
    return out;
  }

  /** When each monitor last recorded a run. */
  async lastRuns(monitorIds: string[]): Promise<Map<string, Date>> {
    const { rows } = await this.pool.query<{ monitor_id: string; at: Date }>(
      `SELECT monitor_id, max(recorded_at) AS at FROM ${this.s}.metric_points WHERE monitor_id = ANY($1) GROUP BY monitor_id`,
      [monitorIds],
    );
    return new Map(rows.map((r) => [r.monitor_id, r.at]));
  }
}
