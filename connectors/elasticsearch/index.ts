// Elasticsearch 8 source (@elastic/elasticsearch 8.19): counts (exact with the
// count API, distinct ids with a cardinality aggregation), freshness with a max
// aggregation, aligned buckets with date_histogram, and sorted distinct ids
// for reconciliation with composite-aggregation paging. Every search has a
// timeout and asks for aggregations only (size 0): no unbounded hit lists.
// Answers are bounded too: in size while they arrive (compressed or not), in
// time over the whole exchange, and in how many hits or buckets they hold.
import { gunzipSync, inflateSync } from 'node:zlib';
import { Client, errors, UndiciConnection, type ClientOptions } from '@elastic/elasticsearch';
import type { CheckSpec, ConnectorSpec } from '../../config/model.js';
import type { Measurement } from '../../evaluation/types.js';
import { QUERY_STRING_OPTIONS } from '../../evaluation/lucene.js';
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
import type { LogCursor, LogEvent, LogsCheck, LogSource } from '../logs.js';

/** Keys a keyed log rule reads per window at most, and hits per search. */
const MAX_KEYS = 10_000;
const MAX_HITS = 10_000;

type ElasticsearchSpec = Extract<ConnectorSpec, { type: 'elasticsearch' }>;

/** Above this many distinct values, cardinality is an estimate (±1–2 %). */
export const CARDINALITY_PRECISION = 40_000;

/**
 * The largest answer read. pipewatch asks for aggregations and for hit lists
 * of at most a logs check's maxEvents (500 by default): a few MB. Far more is
 * a broken proxy or server, and holding then parsing it would exhaust the worker.
 */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const MB = MAX_RESPONSE_BYTES / 1024 / 1024;

/**
 * Reads answers itself, within MAX_RESPONSE_BYTES. The client's own limit has
 * two holes: a compressed answer is limited only before it is inflated (a
 * 32 MB gzip bomb inflates to gigabytes), and an answer refused for its
 * declared length is destroyed with nobody listening, so its error event
 * escapes as an uncaught exception that ends the worker.
 */
class BoundedConnection extends UndiciConnection {
  // Loosely typed: the base class overloads request() for streamed and read answers.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one override for both overloads
  override async request(params: any, options: any): Promise<any> {
    if (options?.asStream) return super.request(params, options);
    const response = await super.request(params, { ...options, asStream: true });
    const body = response.body as unknown as import('node:stream').Readable;
    // Failures surface through the reading below; one emitted after it stopped must not go uncaught.
    body.on('error', () => undefined);
    const tooLarge = () =>
      new errors.RequestAbortedError(`The answer is bigger than the maximum allowed string (${MAX_RESPONSE_BYTES})`);
    if (Number(response.headers['content-length']) > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (size > MAX_RESPONSE_BYTES) {
          body.destroy();
          throw tooLarge();
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof errors.RequestAbortedError) throw err;
      // Past the deadline a retry is pointless (the client would back off first, then give up).
      if (options?.signal?.aborted) throw new errors.RequestAbortedError('Request aborted');
      // As the client does: a broken read is a connection error, tried once more.
      throw new errors.ConnectionError((err as Error).message);
    }
    let data = Buffer.concat(chunks);
    const headers = { ...response.headers };
    const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
    if (/gzip|deflate/.test(encoding)) {
      try {
        data = (encoding.includes('gzip') ? gunzipSync : inflateSync)(data, { maxOutputLength: MAX_RESPONSE_BYTES });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
        throw new errors.ConnectionError(`the compressed answer cannot be inflated (${(err as Error).message})`);
      }
      delete headers['content-encoding'];
    }
    // The transport turns a Buffer into text unless the content type is binary.
    return { statusCode: response.statusCode, headers, body: data };
  }
}

export function clientOptions(spec: ElasticsearchSpec): ClientOptions {
  return {
    node: spec.node,
    auth: spec.apiKey
      ? { apiKey: spec.apiKey }
      : spec.username
        ? { username: spec.username, password: spec.password ?? '' }
        : undefined,
    requestTimeout: spec.requestTimeout,
    maxRetries: 1,
    tls: { rejectUnauthorized: spec.rejectUnauthorized },
    // Bounds answers itself: the client's maxResponseSize has the holes described at BoundedConnection.
    Connection: BoundedConnection,
  };
}

/** A hit list or bucket list longer than what was asked for is a server (or proxy) gone wrong, not data. */
function atMost<T>(list: T[], asked: number, what: string, id: string): T[] {
  if (!Array.isArray(list)) throw new CollectError(`elasticsearch connector "${id}": the answer has no ${what} list`);
  if (list.length > asked)
    throw new CollectError(
      `elasticsearch connector "${id}": the answer holds ${list.length} ${what} where at most ${asked} were asked for`,
    );
  return list;
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
  private readonly requestTimeout: number;
  private readonly kibanaUrl?: string;

  constructor(
    private readonly id: string,
    spec: ElasticsearchSpec,
    private readonly client: Client,
  ) {
    this.searchTimeout = `${Math.max(1, Math.round(spec.requestTimeout / 1000))}s`;
    this.requestTimeout = spec.requestTimeout;
    this.kibanaUrl = spec.kibanaUrl;
  }

  /**
   * One client call under a deadline for the whole exchange: the client's own
   * requestTimeout is per attempt and, once headers arrived, only between
   * chunks, so a server trickling its answer would hold the check forever.
   */
  private async call<T>(request: (options: { signal: AbortSignal }) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.requestTimeout);
    try {
      return await request({ signal });
    } catch (err) {
      if (signal.aborted && !(err instanceof CollectError) && !(err instanceof errors.ResponseError)) {
        throw new CollectError(
          `elasticsearch connector "${this.id}": no complete answer within the request timeout (${this.requestTimeout} ms)`,
        );
      }
      throw err;
    }
  }

  private fail(err: unknown): never {
    if (err instanceof CollectError) throw err;
    if (err instanceof errors.RequestAbortedError && /bigger than the maximum allowed/.test(err.message)) {
      throw new CollectError(
        `elasticsearch connector "${this.id}": the answer is larger than ${MB} MB (the limit), so it was not read; a logs check with a large maxEvents over big documents can ask for less`,
      );
    }
    if (err instanceof errors.DeserializationError)
      throw new CollectError(`elasticsearch connector "${this.id}": the answer is not valid JSON`);
    // Reading a field of a part the answer lacks: valid JSON, but not what Elasticsearch sends.
    if (err instanceof TypeError)
      throw new CollectError(
        `elasticsearch connector "${this.id}": the answer is not shaped like an Elasticsearch response (${err.message})`,
      );
    if (err instanceof errors.ResponseError) {
      const body = err.meta.body as { error?: { type?: string; reason?: string } } | undefined;
      // A reason is a sentence; the cut keeps a hostile one out of messages and history.
      const reason = (body?.error ? `${body.error.type ?? 'error'}: ${body.error.reason ?? ''}` : err.message).slice(
        0,
        500,
      );
      throw new CollectError(`elasticsearch connector "${this.id}": ${err.meta.statusCode} ${reason}`);
    }
    if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError) {
      throw new CollectError(`elasticsearch connector "${this.id}": cannot connect: ${err.message}`);
    }
    if (err instanceof errors.TimeoutError)
      throw new CollectError(`elasticsearch connector "${this.id}": no answer within the request timeout`);
    throw new CollectError(`elasticsearch connector "${this.id}": ${(err as Error).message}`);
  }

  private async aggregate<T>(index: string, query: Record<string, unknown>, aggs: Record<string, unknown>): Promise<T> {
    try {
      const response = await this.call((options) =>
        this.client.search(
          { index, size: 0, timeout: this.searchTimeout, track_total_hits: false, query, aggs } as never,
          options,
        ),
      );
      const r = response as unknown as { timed_out?: boolean; aggregations?: T };
      if (typeof r !== 'object' || r === null)
        throw new CollectError(`elasticsearch connector "${this.id}": the answer is not a JSON search response`);
      if (r.timed_out)
        throw new CollectError(
          `elasticsearch connector "${this.id}": the search timed out (${this.searchTimeout}); partial results are not used`,
        );
      if (!r.aggregations)
        throw new CollectError(`elasticsearch connector "${this.id}": the response has no aggregations`);
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
            value = (await this.call((options) => this.client.count({ index: check.dataset, query } as never, options)))
              .count;
            if (typeof value !== 'number')
              throw new CollectError(`elasticsearch connector "${this.id}": the answer is not a count response`);
          } catch (err) {
            this.fail(err);
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
            const health = (await this.call((options) => this.client.cluster.health({}, options))) as unknown as {
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
          const rows = (await this.call((options) =>
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
          return this.fail(err);
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

  /** Log rules over an index: query_string as the file matcher reads it (default_field *, AND), size-0 aggregations, bounded hit lists. */
  async logSource(check: LogsCheck): Promise<LogSource> {
    if (!check.index) throw new CollectError(`elasticsearch connector "${this.id}": a logs check needs "index"`);
    const index = check.index;
    const ts = '@timestamp';
    const filter = (r: { from?: Date; to?: Date; through?: Date }) => ({
      bool: {
        filter: [
          range(ts, r),
          ...(check.query.trim() ? [{ query_string: { query: check.query, ...QUERY_STRING_OPTIONS } }] : []),
        ],
      },
    });
    const search = async <T>(body: Record<string, unknown>): Promise<T> => {
      try {
        const response = (await this.call((options) =>
          this.client.search(
            { index, timeout: this.searchTimeout, ignore_unavailable: true, allow_no_indices: true, ...body } as never,
            options,
          ),
        )) as unknown as T & { timed_out?: boolean; hits?: { hits?: unknown[] } };
        if (typeof response !== 'object' || response === null || typeof response.hits !== 'object') {
          throw new CollectError(`elasticsearch connector "${this.id}": the answer is not a JSON search response`);
        }
        atMost(response.hits.hits ?? [], typeof body.size === 'number' ? body.size : 10, 'hits', this.id);
        if (response.timed_out)
          throw new CollectError(
            `elasticsearch connector "${this.id}": the search timed out (${this.searchTimeout}); partial results are not used`,
          );
        return response;
      } catch (err) {
        if (err instanceof errors.ResponseError && err.meta.statusCode === 429) {
          throw new CollectError(
            `elasticsearch connector "${this.id}": Elasticsearch is overloaded (429 Too Many Requests); the check is tried again`,
          );
        }
        this.fail(err);
      }
    };
    const toEvent = (hit: { _id: string; _source?: Record<string, unknown>; sort?: unknown[] }): LogEvent => ({
      id: hit._id,
      ts: new Date(String(hit._source?.[ts] ?? hit.sort?.[0] ?? 0)).toISOString(),
      doc: hit._source ?? {},
    });
    /** Composite-aggregation paging over several fields (sorted), up to `max` buckets, with sub-aggregations per bucket. */
    const composite = async (r: TimeRange, fields: string[], max: number, aggs?: Record<string, unknown>) => {
      const out: Array<{ values: string[]; doc_count: number; sub: Record<string, unknown> }> = [];
      let after: Record<string, unknown> | undefined;
      while (out.length < max) {
        const size = Math.min(1000, max - out.length);
        const res = await search<{
          aggregations: {
            c: {
              buckets: Array<{ key: Record<string, unknown>; doc_count: number } & Record<string, unknown>>;
              after_key?: Record<string, unknown>;
            };
          };
        }>({
          size: 0,
          query: filter(r),
          aggs: {
            c: {
              composite: {
                size,
                sources: fields.map((field, i) => ({ [`k${i}`]: { terms: { field } } })),
                ...(after ? { after } : {}),
              },
              ...(aggs ? { aggs } : {}),
            },
          },
        });
        const buckets = atMost(res.aggregations.c.buckets, size, 'buckets', this.id);
        for (const b of buckets)
          out.push({ values: fields.map((_, i) => String(b.key[`k${i}`])), doc_count: b.doc_count, sub: b });
        if (!res.aggregations.c.after_key || buckets.length === 0) break;
        after = res.aggregations.c.after_key;
      }
      return out;
    };
    const kibana = this.kibanaUrl;
    return {
      counts: async (r, keyFields) => {
        if (keyFields.length === 0) {
          const res = await search<{ hits: { total: { value: number } } }>({
            size: 0,
            track_total_hits: true,
            query: filter(r),
          });
          return new Map([['', res.hits.total.value]]);
        }
        if (keyFields.length > 1)
          return new Map((await composite(r, keyFields, MAX_KEYS)).map((b) => [b.values.join(','), b.doc_count]));
        const res = await search<{ aggregations: { groups: { buckets: Array<{ key: unknown; doc_count: number }> } } }>(
          {
            size: 0,
            query: filter(r),
            aggs: { groups: { terms: { field: keyFields[0], size: 1000 } } },
          },
        );
        return new Map(
          atMost(res.aggregations.groups.buckets, 1000, 'buckets', this.id).map((b) => [String(b.key), b.doc_count]),
        );
      },
      distinct: async (r, fields, limit, keyFields) => {
        // Exact: (key…, term…) pairs paged with a composite aggregation, sorted, a page at a time.
        const out = new Map<string, Set<string>>();
        for (const b of await composite(
          r,
          [...keyFields, ...fields],
          limit * Math.max(1, keyFields.length ? 100 : 1),
        )) {
          const key = b.values.slice(0, keyFields.length).join(',');
          const terms = out.get(key) ?? out.set(key, new Set()).get(key)!;
          if (terms.size < limit) terms.add(b.values.slice(keyFields.length).join(','));
        }
        return out;
      },
      metric: async (r, field, agg, keyFields) => {
        if (keyFields.length === 0) {
          const res = await search<{ aggregations: { m: { value: number | null } } }>({
            size: 0,
            query: filter(r),
            aggs: { m: { [agg]: { field } } },
          });
          return new Map([['', res.aggregations.m.value]]);
        }
        const buckets = await composite(r, keyFields, MAX_KEYS, { m: { [agg]: { field } } });
        return new Map(
          buckets.map((b) => [b.values.join(','), (b.sub as { m?: { value: number | null } }).m?.value ?? null]),
        );
      },
      samples: async (r, n) => {
        const res = await search<{ hits: { hits: Array<{ _id: string; _source?: Record<string, unknown> }> } }>({
          size: n,
          sort: [{ [ts]: 'desc' }],
          query: filter(r),
        });
        return res.hits.hits.map(toEvent);
      },
      after: async (cursor: LogCursor | undefined, bounds: { until: Date; settled: Date }, limit: number) => {
        // ElastAlert2's buffer_time: each run reads again from where events were still settling (the
        // cursor) up to now, and skips the ids it already reported there, so an event indexed late —
        // within the buffer — is still seen once, and a new one is reported without waiting a buffer.
        const from = cursor ? new Date(cursor.ts) : undefined;
        const reported = new Map<string, string>((cursor?.recent ?? []).map(([t, id]) => [id, t]));
        if (cursor && !cursor.recent) for (const id of cursor.seen) reported.set(id, new Date(cursor.ts).toISOString()); // a cursor saved before the buffer was re-read
        const size = Math.min(MAX_HITS, limit + reported.size);
        const res = await search<{
          hits: { hits: Array<{ _id: string; _source?: Record<string, unknown>; sort?: unknown[] }> };
        }>({
          size,
          sort: [{ [ts]: 'asc' }],
          query: {
            bool: {
              filter: [
                {
                  range: {
                    [ts]: {
                      ...(from ? { gte: from.toISOString() } : {}),
                      lt: bounds.until.toISOString(),
                      format: 'strict_date_optional_time',
                    },
                  },
                },
                ...(check.query.trim() ? [{ query_string: { query: check.query, ...QUERY_STRING_OPTIONS } }] : []),
              ],
            },
          },
        });
        const hits = res.hits.hits.map(toEvent);
        const fresh = hits.filter((e) => !reported.has(e.id));
        const events = fresh.slice(0, limit);
        // More unread: a page that was full, or more fresh events than fit.
        const more = fresh.length > limit || hits.length === size;
        for (const e of events) reported.set(e.id, e.ts);
        // Resume where events may still arrive: the settled edge, or the last event read when the page was cut.
        let next = more && events.length ? events.at(-1)!.ts : bounds.settled.toISOString();
        if (from && Date.parse(next) < from.getTime()) next = from.toISOString();
        const recent = [...reported]
          .filter(([, t]) => Date.parse(t) >= Date.parse(next))
          .map(([id, t]): [string, string] => [t, id]);
        return { events, cursor: { ts: next, seen: [], recent }, more };
      },
      discoverLink: kibana
        ? (r) =>
            `${kibana.replace(/\/+$/, '')}/app/discover#/?_g=(time:(from:'${r.from.toISOString()}',to:'${r.to.toISOString()}'))&_a=(query:(language:lucene,query:'${encodeURIComponent(check.query.replace(/'/g, "!'"))}'))&index=${encodeURIComponent(index)}`
        : undefined,
    };
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
      this.fail(err);
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
      await this.call((options) => this.client.info({}, options));
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
