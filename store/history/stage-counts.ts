// stage_counts: distinct records per pipeline stage and window, and how many each
// stage lost (stageCounts runs write them; reports and the results sink read them).
import { Tables } from './tables.js';

export class StageCounts extends Tables {
  async recordStageCounts(
    pipeline: string,
    window: { from: Date; to: Date },
    stages: Array<{ stage: string; count: number; lost: number }>,
  ): Promise<void> {
    for (const st of stages) {
      await this.pool.query(
        `INSERT INTO ${this.s}.stage_counts (pipeline, stage, window_start, window_end, count, lost) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (pipeline, stage, window_start, window_end) DO UPDATE SET count = EXCLUDED.count, lost = EXCLUDED.lost, recorded_at = now()`,
        [pipeline, st.stage, window.from, window.to, st.count, st.lost],
      );
    }
  }

  async stageCounts(
    pipeline: string,
    limit = 100,
  ): Promise<Array<{ stage: string; windowStart: string; count: number; lost: number }>> {
    const { rows } = await this.pool.query(
      `SELECT stage, window_start, count, lost FROM ${this.s}.stage_counts WHERE pipeline = $1 ORDER BY window_start DESC, stage LIMIT $2`,
      [pipeline, limit],
    );
    return rows.map((r) => ({
      stage: r.stage,
      windowStart: (r.window_start as Date).toISOString(),
      count: Number(r.count),
      lost: Number(r.lost),
    }));
  }

  /** Counts per stage of the windows that ended in (from, to], oldest first. */
  async stageCountsBetween(
    pipeline: string,
    from: Date,
    to: Date,
  ): Promise<Array<{ stage: string; windowStart: string; windowEnd: string; count: number; lost: number }>> {
    const { rows } = await this.pool.query(
      `SELECT stage, window_start, window_end, count, lost FROM ${this.s}.stage_counts
        WHERE pipeline = $1 AND window_end > $2 AND window_end <= $3 ORDER BY window_start, window_end, stage`,
      [pipeline, from, to],
    );
    return rows.map((r) => ({
      stage: r.stage,
      windowStart: (r.window_start as Date).toISOString(),
      windowEnd: (r.window_end as Date).toISOString(),
      count: Number(r.count),
      lost: Number(r.lost),
    }));
  }

  /** Counts per stage of the window(s) that started at windowStart, as a stageCounts run recorded them. */
  async stageCountsOfWindow(
    pipeline: string,
    windowStart: Date,
  ): Promise<Array<{ stage: string; windowStart: string; windowEnd: string; count: number; lost: number }>> {
    const { rows } = await this.pool.query(
      `SELECT stage, window_start, window_end, count, lost FROM ${this.s}.stage_counts WHERE pipeline = $1 AND window_start = $2 ORDER BY window_end, stage`,
      [pipeline, windowStart],
    );
    return rows.map((r) => ({
      stage: r.stage,
      windowStart: (r.window_start as Date).toISOString(),
      windowEnd: (r.window_end as Date).toISOString(),
      count: Number(r.count),
      lost: Number(r.lost),
    }));
  }
}
