// PostgreSQL source: record counts over a window (distinct by a unique id, as
// the pipeline's own dedup does) and freshness of the newest record. One pool
// per connector; every query runs in a read-only transaction with a statement
// timeout, with names from config validated by the schema and quoted here.
import pg from 'pg';
import type { CheckSpec } from '../../config/model.js';
import type { Measurement } from '../../evaluation/types.js';
import type { SetDifference } from '../../evaluation/reconcile.js';
import { bucketWindow } from '../../evaluation/windows.js';
import {
  CollectError,
  type CollectRequest,
  type Connector,
  type ConnectorFactory,
  type SeriesPoint,
  type StageSource,
  type TimeRange,
} from '../types.js';

type PostgresSpec = Extract<import('../../config/model.js').ConnectorSpec, { type: 'postgres' }>;

/** "lake.records" → "lake"."records"; the schema already restricts names to [A-Za-z0-9_$]. */
export function quoteIdentifier(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

export function countQuery(check: Extract<CheckSpec, { type: 'count' }>): string {
  const counted = check.uniqueId ? `count(DISTINCT ${quoteIdentifier(check.uniqueId)})` : 'count(*)';
  const ts = quoteIdentifier(check.timestamp);
  return `SELECT ${counted}::bigint AS n FROM ${quoteIdentifier(check.dataset)} WHERE ${ts} >= $1 AND ${ts} < $2`;
}

/** The id as the pipeline compares it: text, with the stage's normalisation. */
export function idExpression(source: StageSource): string {
  let expr = `${quoteIdentifier(source.uniqueId)}::text`;
  if (source.normalise.includes('trim')) expr = `btrim(${expr})`;
  if (source.normalise.includes('lowercase')) expr = `lower(${expr})`;
  return expr;
}

/** Values per aligned bucket in one query: generate the buckets, count into them. */
export function seriesQuery(check: Extract<CheckSpec, { type: 'count' }>): string {
  const counted = check.uniqueId ? `count(DISTINCT r.${quoteIdentifier(check.uniqueId)})` : 'count(r.*)';
  const ts = quoteIdentifier(check.timestamp);
  return `SELECT b.start, ${counted}::bigint AS n
    FROM generate_series($1::timestamptz, $2::timestamptz - make_interval(secs => $3::double precision / 1000), make_interval(secs => $3::double precision / 1000)) AS b(start)
    LEFT JOIN ${quoteIdentifier(check.dataset)} r ON r.${ts} >= b.start AND r.${ts} < b.start + make_interval(secs => $3::double precision / 1000)
    GROUP BY b.start ORDER BY b.start`;
}

export function freshnessQuery(check: Extract<CheckSpec, { type: 'freshness' }>): string {
  const ts = quoteIdentifier(check.timestamp);
  return `SELECT max(${ts}) AS newest FROM ${quoteIdentifier(check.dataset)} WHERE ${ts} <= $1`;
}

class PostgresConnector implements Connector {
  private readonly pool: pg.Pool;

  constructor(
    private readonly id: string,
    private readonly spec: PostgresSpec,
  ) {
    this.pool = new pg.Pool({
      connectionString: spec.url,
      password: spec.password,
      max: spec.pool.max,
      connectionTimeoutMillis: spec.connectTimeout,
      idleTimeoutMillis: 60_000,
      ssl: spec.ssl,
      application_name: 'pipewatch',
    });
    this.pool.on('error', () => undefined);
  }

  /** Runs work in a read-only transaction with the statement timeout, naive timestamps read as UTC. */
  private async inReadOnly<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new CollectError(`postgres connector "${this.id}": cannot connect: ${(err as Error).message}`);
    }
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(this.spec.statementTimeout))}`);
      await client.query(`SET LOCAL TIME ZONE 'UTC'`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (err instanceof CollectError) throw err;
      const e = err as Error & { code?: string };
      const why =
        e.code === '57014' ? `query exceeded the statement timeout of ${this.spec.statementTimeout} ms` : e.message;
      throw new CollectError(`postgres connector "${this.id}": ${why}`);
    } finally {
      client.release();
    }
  }

  private async readOnly<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
    return this.inReadOnly(async (client) => (await client.query<T>(sql, params)).rows);
  }

  async collect({ check, at }: CollectRequest): Promise<Measurement> {
    const observedAt = at.toISOString();
    switch (check.type) {
      case 'count': {
        const { from, to } = countRange(check, at);
        const rows = await this.readOnly<{ n: string }>(countQuery(check), [from, to]);
        return {
          value: Number(rows[0]?.n ?? 0),
          unit: 'records',
          // A completed bucket is recorded at its start, so history lines up by bucket.
          observedAt: check.bucket ? from.toISOString() : observedAt,
          details: {
            dataset: check.dataset,
            windowStart: from.toISOString(),
            windowEnd: to.toISOString(),
            distinctBy: check.uniqueId ?? null,
          },
        };
      }
      case 'sql': {
        const from = new Date(at.getTime() - check.window);
        const params = /\$2\b/.test(check.query) ? [from, at] : /\$1\b/.test(check.query) ? [from] : [];
        const rows = await this.inReadOnly(
          async (client) =>
            (await client.query({ text: check.query, values: params, rowMode: 'array' })).rows as unknown[][],
        );
        const first = rows[0]?.[0];
        const value = first === null || first === undefined ? null : Number(first);
        if (value !== null && !Number.isFinite(value))
          throw new CollectError(
            `postgres connector "${this.id}": the query returned ${JSON.stringify(first)}, not a number`,
          );
        return {
          value,
          unit: check.unit,
          observedAt,
          details: { windowStart: from.toISOString(), windowEnd: observedAt },
        };
      }
      case 'database': {
        const sql = {
          connections: `SELECT (SELECT count(*) FROM pg_stat_activity)::float8 * 100 / current_setting('max_connections')::float8 AS v,
                          (SELECT count(*) FROM pg_stat_activity)::int AS used, current_setting('max_connections')::int AS max`,
          size: `SELECT pg_database_size(current_database())::float8 AS v, current_database() AS db`,
          replicationLag: `SELECT CASE WHEN pg_is_in_recovery() THEN COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
                                ELSE COALESCE((SELECT max(extract(epoch FROM replay_lag)) FROM pg_stat_replication), 0) END::float8 AS v,
                           pg_is_in_recovery() AS replica,
                           (SELECT count(*) FROM pg_stat_replication)::int AS standbys,
                           (SELECT count(*) FROM pg_stat_replication WHERE state IS NULL)::int AS hidden`,
        }[check.measure];
        const rows = await this.readOnly<{ v: number } & Record<string, unknown>>(sql, []);
        const { v, hidden, ...details } = rows[0]!;
        // Without pg_read_all_stats (or superuser) a role sees its standbys' rows with every column
        // NULL, and a lag of NULL would read as 0 s: healthy. Say so instead of reporting it.
        if (check.measure === 'replicationLag' && Number(hidden) > 0) {
          throw new CollectError(
            `postgres connector "${this.id}": ${hidden} standby(s) in pg_stat_replication are hidden from this role, so their lag cannot be read; GRANT pg_read_all_stats TO <the connector's role> (docs/LEAST-PRIVILEGE.md)`,
          );
        }
        return {
          value: Number(v),
          unit: check.measure === 'connections' ? 'percent' : check.measure === 'size' ? 'bytes' : 'seconds',
          observedAt,
          details: details as Measurement['details'],
        };
      }
      default:
        throw new CollectError(`postgres connector "${this.id}" cannot run a ${check.type} check`);
      case 'freshness': {
        const rows = await this.readOnly<{ newest: Date | null }>(freshnessQuery(check), [at]);
        const newest = rows[0]?.newest ?? null;
        return {
          value: newest === null ? null : Math.max(0, (at.getTime() - newest.getTime()) / 1000),
          unit: 'seconds',
          observedAt,
          details: { dataset: check.dataset, newest: newest?.toISOString() ?? null },
        };
      }
    }
  }

  async countDistinct(source: StageSource, range: TimeRange): Promise<number> {
    const ts = quoteIdentifier(source.timestamp);
    const rows = await this.readOnly<{ n: string }>(
      `SELECT count(DISTINCT ${idExpression(source)})::bigint AS n FROM ${quoteIdentifier(source.dataset)} WHERE ${ts} >= $1 AND ${ts} < $2`,
      [range.from, range.to],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** A server-side cursor over the sorted distinct ids: one sort, fetched a batch at a time. */
  async *streamIds(source: StageSource, range: TimeRange, batchSize: number): AsyncIterable<string[]> {
    const ts = quoteIdentifier(source.timestamp);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new CollectError(`postgres connector "${this.id}": cannot connect: ${(err as Error).message}`);
    }
    let open = false;
    try {
      await client.query('BEGIN READ ONLY');
      open = true;
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(this.spec.statementTimeout))}`);
      await client.query(`SET LOCAL TIME ZONE 'UTC'`);
      await client.query(
        `DECLARE pipewatch_ids NO SCROLL CURSOR FOR
           SELECT DISTINCT ${idExpression(source)} COLLATE "C" AS id FROM ${quoteIdentifier(source.dataset)}
           WHERE ${ts} >= $1 AND ${ts} < $2 AND ${quoteIdentifier(source.uniqueId)} IS NOT NULL ORDER BY 1`,
        [range.from, range.to],
      );
      for (;;) {
        const { rows } = await client.query<{ id: string }>(
          `FETCH ${Math.max(1, Math.floor(batchSize))} FROM pipewatch_ids`,
        );
        if (rows.length === 0) break;
        yield rows.map((r) => r.id);
      }
      await client.query('COMMIT');
      open = false;
    } catch (err) {
      const e = err as Error & { code?: string };
      const why =
        e.code === '57014' ? `query exceeded the statement timeout of ${this.spec.statementTimeout} ms` : e.message;
      throw new CollectError(`postgres connector "${this.id}": ${why}`);
    } finally {
      // Also when the consumer stopped early: never hand a client back inside a transaction.
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  /**
   * Both stages in this database: EXCEPT in the server, one statement. It moves counts and a sample instead of
   * every id (less than half the worker's memory, about the streamed merge's time: BENCHMARKS.md), and holds no
   * cursor open while another stage is read — which one PostgreSQL session shared by every client (the embedded
   * store) cannot serve.
   */
  async missingIds(
    upstream: StageSource,
    upstreamRange: TimeRange,
    downstream: StageSource,
    downstreamRange: TimeRange,
    sample: number,
    lateRange?: TimeRange,
  ): Promise<SetDifference> {
    const ids = (s: StageSource, from: string, to: string) =>
      `SELECT DISTINCT ${idExpression(s)} COLLATE "C" AS id FROM ${quoteIdentifier(s.dataset)}
         WHERE ${quoteIdentifier(s.timestamp)} >= ${from} AND ${quoteIdentifier(s.timestamp)} < ${to} AND ${quoteIdentifier(s.uniqueId)} IS NOT NULL`;
    // Not in the downstream window: arrived late when found after it, else lost. Without a late range, none is late.
    const late = lateRange ?? { from: downstreamRange.to, to: downstreamRange.to };
    const rows = await this.readOnly<{
      upstream: string;
      downstream: string;
      missing: string;
      late: string;
      sample: string[];
    }>(
      `WITH up AS MATERIALIZED (${ids(upstream, '$1', '$2')}),
            down AS MATERIALIZED (${ids(downstream, '$3', '$4')}),
            absent AS MATERIALIZED (SELECT id FROM up EXCEPT SELECT id FROM down),
            gone AS MATERIALIZED (SELECT id FROM absent EXCEPT ${ids(downstream, '$6', '$7')})
       SELECT (SELECT count(*) FROM up)::bigint AS upstream, (SELECT count(*) FROM down)::bigint AS downstream,
              (SELECT count(*) FROM gone)::bigint AS missing, ((SELECT count(*) FROM absent) - (SELECT count(*) FROM gone))::bigint AS late,
              ARRAY(SELECT id FROM gone ORDER BY id LIMIT $5) AS sample`,
      [
        upstreamRange.from,
        upstreamRange.to,
        downstreamRange.from,
        downstreamRange.to,
        Math.max(0, Math.floor(sample)),
        late.from,
        late.to,
      ],
    );
    const r = rows[0]!;
    return {
      upstream: Number(r.upstream),
      downstream: Number(r.downstream),
      missing: Number(r.missing),
      sample: r.sample,
      ...(lateRange ? { late: Number(r.late) } : {}),
    };
  }

  async series(
    check: Extract<CheckSpec, { type: 'count' }>,
    range: TimeRange,
    bucketMs: number,
  ): Promise<SeriesPoint[]> {
    const rows = await this.readOnly<{ start: Date; n: string }>(seriesQuery(check), [range.from, range.to, bucketMs]);
    return rows.map((r) => ({ at: r.start.toISOString(), value: Number(r.n) }));
  }

  async ping(): Promise<void> {
    await this.readOnly('SELECT 1', []);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The range a count check covers at `at`: a sliding window, or the last completed (settled) bucket. */
export function countRange(check: Extract<CheckSpec, { type: 'count' }>, at: Date): TimeRange {
  if (check.bucket) return bucketWindow(at.getTime(), check.bucket, check.settle);
  return { from: new Date(at.getTime() - check.window!), to: at };
}

export const postgresConnector: ConnectorFactory<'postgres'> = {
  type: 'postgres',
  create: (id, spec) => new PostgresConnector(id, spec),
};
