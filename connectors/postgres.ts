// PostgreSQL source: record counts over a window (distinct by a unique id, as
// the pipeline's own dedup does) and freshness of the newest record. One pool
// per connector; every query runs in a read-only transaction with a statement
// timeout, with names from config validated by the schema and quoted here.
import pg from 'pg';
import type { CheckSpec } from '../config/model.js';
import type { Measurement } from '../evaluation/types.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory } from './types.js';

type PostgresSpec = Extract<import('../config/model.js').ConnectorSpec, { type: 'postgres' }>;

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

  private async readOnly<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new CollectError(`postgres connector "${this.id}": cannot connect: ${(err as Error).message}`);
    }
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(this.spec.statementTimeout))}`);
      // Naive timestamps are read as UTC, whatever the server's default.
      await client.query(`SET LOCAL TIME ZONE 'UTC'`);
      const result = await client.query<T>(sql, params);
      await client.query('COMMIT');
      return result.rows;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      const e = err as Error & { code?: string };
      const why = e.code === '57014' ? `query exceeded the statement timeout of ${this.spec.statementTimeout} ms` : e.message;
      throw new CollectError(`postgres connector "${this.id}": ${why}`);
    } finally {
      client.release();
    }
  }

  async collect({ check, at }: CollectRequest): Promise<Measurement> {
    const observedAt = at.toISOString();
    switch (check.type) {
      case 'count': {
        const from = new Date(at.getTime() - check.window);
        const rows = await this.readOnly<{ n: string }>(countQuery(check), [from, at]);
        return {
          value: Number(rows[0]?.n ?? 0),
          unit: 'records',
          observedAt,
          details: { dataset: check.dataset, windowStart: from.toISOString(), windowEnd: observedAt, distinctBy: check.uniqueId ?? null },
        };
      }
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

  async ping(): Promise<void> {
    await this.readOnly('SELECT 1', []);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export const postgresConnector: ConnectorFactory<'postgres'> = {
  type: 'postgres',
  create: (id, spec) => new PostgresConnector(id, spec),
};
