// Log rules over an Elasticsearch index: query_string as the file matcher reads
// it (default_field *, AND), counts, distinct terms and metrics per key with
// size-0 aggregations (composite paging when keyed), and bounded hit lists for
// samples and for events after a cursor (re-read within the buffer, de-duplicated by _id).
import { errors } from '@elastic/elasticsearch';
import { QUERY_STRING_OPTIONS } from '../../evaluation/lucene.js';
import { CollectError, type TimeRange } from '../types.js';
import type { LogCursor, LogEvent, LogsCheck, LogSource } from '../logs.js';
import { atMost, range, type ClusterCalls } from './calls.js';

/** Keys a keyed log rule reads per window at most, and hits per search. */
const MAX_KEYS = 10_000;
const MAX_HITS = 10_000;

/** The log source of a logs check over `check.index`; `kibana` (the connector's kibanaUrl) gives discover links. */
export function elasticsearchLogSource(cluster: ClusterCalls, check: LogsCheck, kibana: string | undefined): LogSource {
  if (!check.index) throw new CollectError(`elasticsearch connector "${cluster.id}": a logs check needs "index"`);
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
      const response = (await cluster.call((options) =>
        cluster.client.search(
          { index, timeout: cluster.searchTimeout, ignore_unavailable: true, allow_no_indices: true, ...body } as never,
          options,
        ),
      )) as unknown as T & { timed_out?: boolean; hits?: { hits?: unknown[] } };
      if (typeof response !== 'object' || response === null || typeof response.hits !== 'object') {
        throw new CollectError(`elasticsearch connector "${cluster.id}": the answer is not a JSON search response`);
      }
      atMost(response.hits.hits ?? [], typeof body.size === 'number' ? body.size : 10, 'hits', cluster.id);
      if (response.timed_out)
        throw new CollectError(
          `elasticsearch connector "${cluster.id}": the search timed out (${cluster.searchTimeout}); partial results are not used`,
        );
      return response;
    } catch (err) {
      if (err instanceof errors.ResponseError && err.meta.statusCode === 429) {
        throw new CollectError(
          `elasticsearch connector "${cluster.id}": Elasticsearch is overloaded (429 Too Many Requests); the check is tried again`,
        );
      }
      cluster.fail(err);
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
      const buckets = atMost(res.aggregations.c.buckets, size, 'buckets', cluster.id);
      for (const b of buckets)
        out.push({ values: fields.map((_, i) => String(b.key[`k${i}`])), doc_count: b.doc_count, sub: b });
      if (!res.aggregations.c.after_key || buckets.length === 0) break;
      after = res.aggregations.c.after_key;
    }
    return out;
  };
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
      const res = await search<{ aggregations: { groups: { buckets: Array<{ key: unknown; doc_count: number }> } } }>({
        size: 0,
        query: filter(r),
        aggs: { groups: { terms: { field: keyFields[0], size: 1000 } } },
      });
      return new Map(
        atMost(res.aggregations.groups.buckets, 1000, 'buckets', cluster.id).map((b) => [String(b.key), b.doc_count]),
      );
    },
    distinct: async (r, fields, limit, keyFields) => {
      // Exact: (key…, term…) pairs paged with a composite aggregation, sorted, a page at a time.
      const out = new Map<string, Set<string>>();
      for (const b of await composite(r, [...keyFields, ...fields], limit * Math.max(1, keyFields.length ? 100 : 1))) {
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
