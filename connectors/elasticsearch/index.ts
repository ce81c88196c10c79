// Elasticsearch 8 source (@elastic/elasticsearch 8.19): counts (exact with the
// count API, distinct ids with a cardinality aggregation), freshness with a max
// aggregation, aligned buckets with date_histogram, and sorted distinct ids
// for reconciliation with composite-aggregation paging. Every search has a
// timeout and asks for aggregations only (size 0): no unbounded hit lists.
// Answers are bounded too: in size while they arrive (compressed or not,
// transport.ts), in time over the whole exchange, and in how many hits or
// buckets they hold (calls.ts). Log rules over an index: log-source.ts.
import { Client } from '@elastic/elasticsearch';
import type { CheckSpec } from '../../config/model.js';
import type { Measurement } from '../../evaluation/types.js';
import { countRange } from '../postgres/index.js';
import {
  CollectError,
  type CollectRequest,
  type Connector,
  type ConnectorFactory,
  type SeriesPoint,
  type StageSource,
  type TimeRange,
} from '../types.js';
import type { LogsCheck, LogSource } from '../logs.js';
import { atMost, ClusterCalls, range } from './calls.js';
import { elasticsearchLogSource } from './log-source.js';
import { clientOptions, type ElasticsearchSpec } from './transport.js';

export { clientOptions, MAX_RESPONSE_BYTES } from './transport.js';

/** Above this many distinct values, cardinality is an estimate (±1–2 %). */
export const CARDINALITY_PRECISION = 40_000;

export class ElasticsearchConnector implements Connector {
  private readonly cluster: ClusterCalls;
  private readonly kibanaUrl?: string;

  constructor(
    private readonly id: string,
    spec: ElasticsearchSpec,
    private readonly client: Client,
  ) {
    this.cluster = new ClusterCalls(id, client, spec.requestTimeout);
    this.kibanaUrl = spec.kibanaUrl;
  }

  private async aggregate<T>(index: string, query: Record<string, unknown>, aggs: Record<string, unknown>): Promise<T> {
    try {
      const response = await this.cluster.call((options) =>
        this.client.search(
          { index, size: 0, timeout: this.cluster.searchTimeout, track_total_hits: false, query, aggs } as never,
          options,
        ),
      );
      const r = response as unknown as { timed_out?: boolean; aggregations?: T };
      if (typeof r !== 'object' || r === null)
        throw new CollectError(`elasticsearch connector "${this.id}": the answer is not a JSON search response`);
      if (r.timed_out)
        throw new CollectError(
          `elasticsearch connector "${this.id}": the search timed out (${this.cluster.searchTimeout}); partial results are not used`,
        );
      if (!r.aggregations)
        throw new CollectError(`elasticsearch connector "${this.id}": the response has no aggregations`);
      return r.aggregations;
    } catch (err) {
      this.cluster.fail(err);
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
            value = (
              await this.cluster.call((options) => this.client.count({ index: check.dataset, query } as never, options))
            ).count;
            if (typeof value !== 'number')
              throw new CollectError(`elasticsearch connector "${this.id}": the answer is not a count response`);
          } catch (err) {
            this.cluster.fail(err);
          }
        }
        return {
          value,
          unit: 'records',
          observedAt: check.bucket ? r.from.toISOString() : observedAt,
          details: {
            dataset: check.dataset,
            windowStart: r.from.toISOString(),
            windowEnd: r.to.toISOString(),
            distinctBy: check.uniqueId ?? null,
          },
        };
      }
      case 'freshness': {
        const aggs = await this.aggregate<{ newest: { value: number | null } }>(
          check.dataset,
          range(check.timestamp, { through: at }),
          {
            newest: { max: { field: check.timestamp } },
          },
        );
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
            const health = (await this.cluster.call((options) =>
              this.client.cluster.health({}, options),
            )) as unknown as {
              status: string;
              number_of_nodes: number;
              unassigned_shards: number;
            };
            const value = { green: 0, yellow: 1, red: 2 }[health.status] ?? 2;
            return {
              value,
              unit: 'count',
              observedAt,
              details: {
                status: health.status,
                nodes: health.number_of_nodes,
                unassignedShards: health.unassigned_shards,
              },
            };
          }
          const rows = (await this.cluster.call((options) =>
            this.client.cat.allocation({ format: 'json' }, options),
          )) as unknown as Array<{ node: string; 'disk.percent'?: string | null }>;
          if (!Array.isArray(rows))
            throw new CollectError(`elasticsearch connector "${this.id}": the answer is not a list of nodes`);
          const nodes = rows.filter((r) => r['disk.percent'] !== null && r['disk.percent'] !== undefined);
          const fullest = nodes.reduce<{ node: string; percent: number } | undefined>((max, r) => {
            const percent = Number(r['disk.percent']);
            return !max || percent > max.percent ? { node: r.node, percent } : max;
          }, undefined);
          return {
            value: fullest?.percent ?? 0,
            unit: 'percent',
            observedAt,
            details: { fullestNode: fullest?.node ?? null, dataNodes: nodes.length },
          };
        } catch (err) {
          return this.cluster.fail(err);
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
      const aggs = await this.aggregate<{
        ids: { buckets: Array<{ key: { id: unknown } }>; after_key?: Record<string, unknown> };
      }>(source.dataset, range(source.timestamp, r), {
        ids: {
          composite: {
            size: Math.max(1, Math.floor(batchSize)),
            sources: [{ id: { terms: { field: source.uniqueId } } }],
            ...(after ? { after } : {}),
          },
        },
      });
      const ids = atMost(aggs.ids.buckets, Math.max(1, Math.floor(batchSize)), 'buckets', this.id).map((b) =>
        String(b.key.id),
      );
      if (ids.length > 0) yield ids;
      if (!aggs.ids.after_key || ids.length === 0) return;
      after = aggs.ids.after_key;
    }
  }

  async series(check: Extract<CheckSpec, { type: 'count' }>, r: TimeRange, bucketMs: number): Promise<SeriesPoint[]> {
    const aggs = await this.aggregate<{
      buckets: { buckets: Array<{ key: number; doc_count: number; ids?: { value: number } }> };
    }>(check.dataset, range(check.timestamp, r), {
      buckets: {
        date_histogram: {
          field: check.timestamp,
          fixed_interval: `${bucketMs}ms`,
          min_doc_count: 0,
          extended_bounds: { min: r.from.getTime(), max: r.to.getTime() - 1 },
        },
        ...(check.uniqueId
          ? { aggs: { ids: { cardinality: { field: check.uniqueId, precision_threshold: CARDINALITY_PRECISION } } } }
          : {}),
      },
    });
    return aggs.buckets.buckets
      .filter((b) => b.key >= r.from.getTime() && b.key < r.to.getTime())
      .map((b) => ({ at: new Date(b.key).toISOString(), value: check.uniqueId ? (b.ids?.value ?? 0) : b.doc_count }));
  }

  /** Log rules over an index (log-source.ts). */
  async logSource(check: LogsCheck): Promise<LogSource> {
    return elasticsearchLogSource(this.cluster, check, this.kibanaUrl);
  }

  /**
   * Indexes documents under their ids with one _bulk request: writing the same
   * id again replaces the document, so a retried run leaves one copy. Items
   * Elasticsearch refuses are reported with its reason.
   */
  async writeDocuments(
    index: string,
    docs: Array<{ id: string; doc: Record<string, unknown> }>,
    timeoutMs: number,
  ): Promise<void> {
    if (docs.length === 0) return;
    let response: Awaited<ReturnType<Client['bulk']>>;
    try {
      response = await this.client.bulk(
        { operations: docs.flatMap((d) => [{ index: { _index: index, _id: d.id } }, d.doc]) },
        { requestTimeout: timeoutMs, maxRetries: 0 },
      );
    } catch (err) {
      this.cluster.fail(err);
    }
    if (!response.errors) return;
    const refused = response.items.map((item) => item.index).filter((r) => r?.error);
    const first = refused[0]?.error;
    throw new CollectError(
      `elasticsearch connector "${this.id}": ${refused.length} of ${docs.length} document(s) refused by ${index}${first ? `: ${first.type}: ${first.reason ?? ''}` : ''}`,
    );
  }

  async ping(): Promise<void> {
    try {
      await this.cluster.call((options) => this.client.info({}, options));
    } catch (err) {
      this.cluster.fail(err);
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
