// Elasticsearch 8 source (@elastic/elasticsearch 8.19): counts (exact with the
// count API, distinct ids with a cardinality aggregation), freshness with a max
// aggregation, aligned buckets with date_histogram, and sorted distinct ids
// for reconciliation with composite-aggregation paging. Every search has a
// timeout and asks for aggregations only (size 0): no unbounded hit lists.
import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import type { CheckSpec, ConnectorSpec } from '../config/model.js';
import type { Measurement } from '../evaluation/types.js';
import { countRange } from './postgres.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory, type SeriesPoint, type StageSource, type TimeRange } from './types.js';

type ElasticsearchSpec = Extract<ConnectorSpec, { type: 'elasticsearch' }>;

/** Above this many distinct values, cardinality is an estimate (±1–2 %). */
export const CARDINALITY_PRECISION = 40_000;

export function clientOptions(spec: ElasticsearchSpec): ClientOptions {
  return {
    node: spec.node,
    auth: spec.apiKey ? { apiKey: spec.apiKey } : spec.username ? { username: spec.username, password: spec.password ?? '' } : undefined,
    requestTimeout: spec.requestTimeout,
    maxRetries: 1,
    tls: { rejectUnauthorized: spec.rejectUnauthorized },
  };
}

function range(field: string, r: { from?: Date; to?: Date; through?: Date }): Record<string, unknown> {
  return {
    range: {
      [field]: {
        ...(r.from ? { gte: r.from.toISOString() } : {}),
        ...(r.to ? { lt: r.to.toISOString() } : {}),
        ...(r.through ? { lte: r.through.toISOString() } : {}),
        format: 'strict_date_optional_time',
      },
    },
  };
}

export class ElasticsearchConnector implements Connector {
  private readonly searchTimeout: string;

  constructor(
    private readonly id: string,
    spec: ElasticsearchSpec,
    private readonly client: Client,
  ) {
    this.searchTimeout = `${Math.max(1, Math.round(spec.requestTimeout / 1000))}s`;
  }

  private fail(err: unknown): never {
    if (err instanceof CollectError) throw err;
    if (err instanceof errors.ResponseError) {
      const body = err.meta.body as { error?: { type?: string; reason?: string } } | undefined;
      const reason = body?.error ? `${body.error.type ?? 'error'}: ${body.error.reason ?? ''}` : err.message;
      throw new CollectError(`elasticsearch connector "${this.id}": ${err.meta.statusCode} ${reason}`);
    }
    if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError) {
      throw new CollectError(`elasticsearch connector "${this.id}": cannot connect: ${err.message}`);
    }
    if (err instanceof errors.TimeoutError) throw new CollectError(`elasticsearch connector "${this.id}": no answer within the request timeout`);
    throw new CollectError(`elasticsearch connector "${this.id}": ${(err as Error).message}`);
  }

  private async aggregate<T>(index: string, query: Record<string, unknown>, aggs: Record<string, unknown>): Promise<T> {
    try {
      const response = await this.client.search({ index, size: 0, timeout: this.searchTimeout, track_total_hits: false, query, aggs } as never);
      const r = response as unknown as { timed_out?: boolean; aggregations?: T };
      if (r.timed_out) throw new CollectError(`elasticsearch connector "${this.id}": the search timed out (${this.searchTimeout}); partial results are not used`);
      if (!r.aggregations) throw new CollectError(`elasticsearch connector "${this.id}": the response has no aggregations`);
      return r.aggregations;
    } catch (err) {
      this.fail(err);
    }
  }

  private async distinct(index: string, field: string, query: Record<string, unknown>): Promise<number> {
    const aggs = await this.aggregate<{ ids: { value: number } }>(index, query, {
      ids: { cardinality: { field, precision_threshold: CARDINALITY_PRECISION } },
    });
    return aggs.ids.value;
  }

  async collect({ check, at }: CollectRequest): Promise<Measurement> {
    const observedAt = at.toISOString();
    switch (check.type) {
      case 'count': {
        const r = countRange(check, at);
        const query = range(check.timestamp, r);
        let value: number;
        if (check.uniqueId) value = await this.distinct(check.dataset, check.uniqueId, query);
        else {
          try {
            value = (await this.client.count({ index: check.dataset, query } as never)).count;
          } catch (err) {
            this.fail(err);
          }
        }
        return {
          value,
          unit: 'records',
          observedAt: check.bucket ? r.from.toISOString() : observedAt,
          details: { dataset: check.dataset, windowStart: r.from.toISOString(), windowEnd: r.to.toISOString(), distinctBy: check.uniqueId ?? null },
        };
      }
      case 'freshness': {
        const aggs = await this.aggregate<{ newest: { value: number | null } }>(check.dataset, range(check.timestamp, { through: at }), {
          newest: { max: { field: check.timestamp } },
        });
        const newest = aggs.newest.value;
        return {
          value: newest === null ? null : Math.max(0, (at.getTime() - newest) / 1000),
          unit: 'seconds',
          observedAt,
          details: { dataset: check.dataset, newest: newest === null ? null : new Date(newest).toISOString() },
        };
      }
      case 'cluster': {
        try {
          if (check.measure === 'status') {
            const health = (await this.client.cluster.health()) as unknown as { status: string; number_of_nodes: number; unassigned_shards: number };
            const value = { green: 0, yellow: 1, red: 2 }[health.status] ?? 2;
            return { value, unit: 'count', observedAt, details: { status: health.status, nodes: health.number_of_nodes, unassignedShards: health.unassigned_shards } };
          }
          const rows = (await this.client.cat.allocation({ format: 'json' })) as unknown as Array<{ node: string; 'disk.percent'?: string | null }>;
          const nodes = rows.filter((r) => r['disk.percent'] !== null && r['disk.percent'] !== undefined);
          const fullest = nodes.reduce<{ node: string; percent: number } | undefined>((max, r) => {
            const percent = Number(r['disk.percent']);
            return !max || percent > max.percent ? { node: r.node, percent } : max;
          }, undefined);
          return { value: fullest?.percent ?? 0, unit: 'percent', observedAt, details: { fullestNode: fullest?.node ?? null, dataNodes: nodes.length } };
        } catch (err) {
          this.fail(err);
        }
      }
      default:
        throw new CollectError(`elasticsearch connector "${this.id}" cannot run a ${check.type} check`);
    }
  }

  async countDistinct(source: StageSource, r: TimeRange): Promise<number> {
    return this.distinct(source.dataset, source.uniqueId, range(source.timestamp, r));
  }

  /** Composite-aggregation paging: terms come back sorted, a page at a time, with after_key to continue. */
  async *streamIds(source: StageSource, r: TimeRange, batchSize: number): AsyncIterable<string[]> {
    let after: Record<string, unknown> | undefined;
    for (;;) {
      const aggs = await this.aggregate<{ ids: { buckets: Array<{ key: { id: unknown } }>; after_key?: Record<string, unknown> } }>(
        source.dataset,
        range(source.timestamp, r),
        { ids: { composite: { size: Math.max(1, Math.floor(batchSize)), sources: [{ id: { terms: { field: source.uniqueId } } }], ...(after ? { after } : {}) } } },
      );
      const ids = aggs.ids.buckets.map((b) => String(b.key.id));
      if (ids.length > 0) yield ids;
      if (!aggs.ids.after_key || ids.length === 0) return;
      after = aggs.ids.after_key;
    }
  }

  async series(check: Extract<CheckSpec, { type: 'count' }>, r: TimeRange, bucketMs: number): Promise<SeriesPoint[]> {
    const aggs = await this.aggregate<{ buckets: { buckets: Array<{ key: number; doc_count: number; ids?: { value: number } }> } }>(
      check.dataset,
      range(check.timestamp, r),
      {
        buckets: {
          date_histogram: {
            field: check.timestamp,
            fixed_interval: `${bucketMs}ms`,
            min_doc_count: 0,
            extended_bounds: { min: r.from.getTime(), max: r.to.getTime() - 1 },
          },
          ...(check.uniqueId ? { aggs: { ids: { cardinality: { field: check.uniqueId, precision_threshold: CARDINALITY_PRECISION } } } } : {}),
        },
      },
    );
    return aggs.buckets.buckets
      .filter((b) => b.key >= r.from.getTime() && b.key < r.to.getTime())
      .map((b) => ({ at: new Date(b.key).toISOString(), value: check.uniqueId ? (b.ids?.value ?? 0) : b.doc_count }));
  }

  async ping(): Promise<void> {
    try {
      await this.client.info();
    } catch (err) {
      this.fail(err);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export const elasticsearchConnector: ConnectorFactory<'elasticsearch'> = {
  type: 'elasticsearch',
  create: (id, spec) => new ElasticsearchConnector(id, spec, new Client(clientOptions(spec))),
};
