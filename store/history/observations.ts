// observed_conditions and counter_samples: since when a condition has held and how a
// counter moved over a window (the Kubernetes checks' memory between runs).
import { Tables } from './tables.js';

export class Observations extends Tables {
  /**
   * Since when each condition a check sees now has held (a container crash-
   * looping, a pod stuck Pending): the first time pipewatch saw it, or the
   * earlier `since` the source itself reports. Conditions no longer seen are
   * forgotten, so a recurrence starts a new span.
   */
  async observeConditions(
    monitorId: string,
    seen: Array<{ key: string; since?: Date }>,
    at: Date,
  ): Promise<Map<string, Date>> {
    const keys = seen.map((c) => c.key);
    const sinces = seen.map((c) => (c.since && c.since < at ? c.since : at));
    return this.transaction(async (client) => {
      await client.query(
        `DELETE FROM ${this.s}.observed_conditions WHERE monitor_id = $1 AND NOT (key = ANY($2::text[]))`,
        [monitorId, keys],
      );
      const { rows } = await client.query<{ key: string; since: Date }>(
        `INSERT INTO ${this.s}.observed_conditions (monitor_id, key, since, last_seen)
         SELECT $1, k, s, $4 FROM unnest($2::text[], $3::timestamptz[]) AS t(k, s)
         ON CONFLICT (monitor_id, key) DO UPDATE SET since = LEAST(${this.s}.observed_conditions.since, EXCLUDED.since), last_seen = EXCLUDED.last_seen
         RETURNING key, since`,
        [monitorId, keys, sinces, at],
      );
      return new Map(rows.map((r) => [r.key, r.since]));
    });
  }

  /**
   * Records counter values (container restart counts) and returns, per key,
   * the oldest sample inside the window: the increase over the window is the
   * value now minus that one. Samples older than the window are dropped.
   */
  async sampleCounters(
    monitorId: string,
    samples: Array<{ key: string; value: number }>,
    at: Date,
    windowMs: number,
  ): Promise<Map<string, { at: Date; value: number }>> {
    const from = new Date(at.getTime() - windowMs);
    await this.pool.query(`DELETE FROM ${this.s}.counter_samples WHERE monitor_id = $1 AND at < $2`, [monitorId, from]);
    const { rows } = await this.pool.query<{ key: string; at: Date; value: number }>(
      `SELECT DISTINCT ON (key) key, at, value FROM ${this.s}.counter_samples
       WHERE monitor_id = $1 AND key = ANY($2::text[]) AND at >= $3 AND at < $4 ORDER BY key, at`,
      [monitorId, samples.map((c) => c.key), from, at],
    );
    await this.pool.query(
      `INSERT INTO ${this.s}.counter_samples (monitor_id, key, at, value)
       SELECT $1, k, $4, v FROM unnest($2::text[], $3::float8[]) AS t(k, v) ON CONFLICT DO NOTHING`,
      [monitorId, samples.map((c) => c.key), samples.map((c) => c.value), at],
    );
    return new Map(rows.map((r) => [r.key, { at: r.at, value: r.value }]));
  }
}
