// The slice of the Elasticsearch 8 search API pipewatch uses, over documents in
// memory, served through @elastic/elasticsearch-mock so the real client and
// its error classes do the talking. Responses follow the shapes of the
// Elasticsearch 8 reference: hits.total, aggregations.<name>.value / buckets,
// composite after_key paging, date_histogram with extended_bounds.
// When PIPEWATCH_TEST_ES_URL is set, tests use a real cluster instead.
// Nothing here comes from the code under test: field lookup, keyword order and
// query_string answers are written from the Elasticsearch reference, so a bug
// in pipewatch's own matcher or id order cannot agree with itself here.
import { readFileSync } from 'node:fs';
import { Client, errors } from '@elastic/elasticsearch';
import MockModule from '@elastic/elasticsearch-mock';

// The package is CommonJS with `export default`: under NodeNext the class is the module's .default.
const Mock = (MockModule as unknown as { default: typeof MockModule }).default ?? MockModule;

/**
 * The values of a field in a document, flat ("log.level") or nested, arrays
 * spread — written here rather than borrowed from the matcher under test.
 */
function valuesAt(doc: unknown, path: string): unknown[] {
  if (doc === null || typeof doc !== 'object') return [];
  if (Array.isArray(doc)) return doc.flatMap((d) => valuesAt(d, path));
  const o = doc as Record<string, unknown>;
  const out: unknown[] = [];
  if (path in o) out.push(...[o[path]].flat());
  const parts = path.split('.');
  for (let n = 1; n < parts.length; n++) {
    const head = parts.slice(0, n).join('.');
    if (head in o) out.push(...valuesAt(o[head], parts.slice(n).join('.')));
  }
  return out;
}

/** A field's single value (undefined when absent, the first of several). */
function valueAt(doc: unknown, path: string): unknown {
  return valuesAt(doc, path)[0];
}

/**
 * Keyword order as Elasticsearch sorts terms and composite buckets: by the
 * values' UTF-8 bytes (Lucene's BytesRef order), which is Unicode code-point
 * order — not JavaScript's UTF-16 `<`.
 */
function keywordOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * query_string answers for the queries the integration tests send, written
 * from Elasticsearch's query_string reference on pipewatch's log mapping
 * (docs/logging/logs-template.json) — never pipewatch's own matcher, which is
 * what these tests check. Each is a keyword field compared exactly (a quoted
 * value on a keyword is the whole value). Any other query fails the request
 * loudly: add its answer here, from the reference, when a test needs it.
 */
export const QUERY_STRING_ANSWERS: Record<string, (doc: Doc) => boolean> = {
  'log.level:error': (d) => valuesAt(d, 'log.level').includes('error'),
  'labels.pipeline:intel': (d) => valuesAt(d, 'labels.pipeline').includes('intel'),
  'event.action:stage.failed': (d) => valuesAt(d, 'event.action').includes('stage.failed'),
  'event.action:"archive.password_required"': (d) => valuesAt(d, 'event.action').includes('archive.password_required'),
  'log.level:error AND labels.pipeline:example': (d) =>
    valuesAt(d, 'log.level').includes('error') && valuesAt(d, 'labels.pipeline').includes('example'),
};

type Doc = Record<string, unknown>;
type Body = Record<string, unknown>;

export interface SearchBackend {
  client: Client;
  seed(index: string, docs: Doc[], idField: string, timeField: string): Promise<void>;
  /** Searches answered so far (fake only). */
  requests?: Body[];
  close(): Promise<void>;
}

function matchIndex(pattern: string, name: string): boolean {
  return pattern
    .split(',')
    .some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name));
}

function time(value: unknown): number {
  return typeof value === 'number' ? value : Date.parse(String(value));
}

export class FakeElasticsearch implements SearchBackend {
  readonly indices = new Map<string, Doc[]>();
  readonly requests: Body[] = [];
  readonly client: Client;
  private readonly mock = new (Mock as unknown as new () => import('@elastic/elasticsearch-mock').default)();

  constructor() {
    this.mock.add({ method: 'GET', path: '/' }, () => ({
      name: 'fake',
      cluster_name: 'fake',
      version: { number: '8.19.0' },
      tagline: 'You Know, for Search',
    }));
    const request = (params: { path: string | string[]; body?: unknown }) => ({
      index: decodeURIComponent(String(params.path).split('/')[1]!),
      body: (params.body ?? {}) as Body,
    });
    this.mock.add({ method: ['POST', 'GET'], path: '/:index/_search' }, (params) => {
      const { index, body } = request(params);
      return this.search(index, body) as never;
    });
    this.mock.add({ method: ['POST', 'GET'], path: '/:index/_count' }, (params) => {
      const { index, body } = request(params);
      const docs = this.docs(index);
      if (docs instanceof errors.ResponseError) return docs as never;
      return {
        count: this.filter(docs, body.query as Body | undefined).length,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      };
    });
    this.client = new Client({ node: 'http://localhost:9200', Connection: this.mock.getConnection() });
  }

  async seed(index: string, docs: Doc[]): Promise<void> {
    this.indices.set(index, [...(this.indices.get(index) ?? []), ...docs]);
  }

  async close(): Promise<void> {
    // The mock connection holds no sockets (and does not implement close).
  }

  private docs(pattern: string): Doc[] | errors.ResponseError {
    const names = [...this.indices.keys()].filter((n) => matchIndex(pattern, n));
    if (names.length === 0 && !pattern.includes('*')) {
      return new errors.ResponseError({
        body: { error: { type: 'index_not_found_exception', reason: `no such index [${pattern}]` }, status: 404 },
        statusCode: 404,
        headers: {},
        warnings: null,
        meta: {} as never,
      } as never);
    }
    return names.flatMap((n) => this.indices.get(n)!);
  }

  private filter(docs: Doc[], query: Body | undefined): Doc[] {
    if (!query || 'match_all' in query) return docs;
    if (query.bool) {
      const clauses = ((query.bool as { filter?: Body[] }).filter ?? []) as Body[];
      return clauses.reduce((acc, clause) => this.filter(acc, clause), docs);
    }
    if (query.query_string) {
      const q = query.query_string as { query: string; default_operator?: string; default_field?: string };
      if (q.default_operator !== 'AND' || q.default_field !== '*')
        throw new Error('pipewatch sends query_string with default_field * and default_operator AND');
      const answer = QUERY_STRING_ANSWERS[q.query];
      if (!answer)
        throw new Error(
          `fake Elasticsearch has no answer for query_string ${JSON.stringify(q.query)}: add one to QUERY_STRING_ANSWERS, written from the query_string reference`,
        );
      return docs.filter(answer);
    }
    const range = query.range as Record<string, { gte?: string; lt?: string; lte?: string }> | undefined;
    if (!range) throw new Error(`fake Elasticsearch: unsupported query ${JSON.stringify(query)}`);
    const [field, r] = Object.entries(range)[0]!;
    return docs.filter((d) => {
      const t = time(valueAt(d, field));
      return (
        (r.gte === undefined || t >= Date.parse(r.gte)) &&
        (r.lt === undefined || t < Date.parse(r.lt)) &&
        (r.lte === undefined || t <= Date.parse(r.lte))
      );
    });
  }

  private aggregate(docs: Doc[], aggs: Record<string, Body>): Body {
    const out: Body = {};
    for (const [name, spec] of Object.entries(aggs)) {
      if (spec.cardinality) {
        const field = (spec.cardinality as { field: string }).field;
        out[name] = { value: new Set(docs.map((d) => valueAt(d, field)).filter((v) => v !== undefined)).size };
      } else if (spec.terms) {
        const t = spec.terms as { field: string; size: number };
        const counts = new Map<string, number>();
        for (const d of docs) {
          const v = valueAt(d, t.field);
          if (v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
        }
        // Most documents first, ties by key (the terms aggregation's default order: _count desc, _key asc).
        out[name] = {
          buckets: [...counts.entries()]
            .sort((a, b) => b[1] - a[1] || keywordOrder(a[0], b[0]))
            .slice(0, t.size)
            .map(([key, doc_count]) => ({ key, doc_count })),
        };
      } else if (
        spec.avg ||
        spec.sum ||
        spec.min ||
        (spec.max && !this.isDate(docs, (spec.max as { field: string }).field))
      ) {
        const [agg, cfg] = Object.entries(spec)[0]! as [string, { field: string }];
        const values = docs.map((d) => Number(valueAt(d, cfg.field))).filter((v) => !Number.isNaN(v));
        const value =
          values.length === 0
            ? null
            : agg === 'avg'
              ? values.reduce((a, b) => a + b, 0) / values.length
              : agg === 'sum'
                ? values.reduce((a, b) => a + b, 0)
                : agg === 'min'
                  ? Math.min(...values)
                  : Math.max(...values);
        out[name] = { value };
      } else if (spec.max && this.isDate(docs, (spec.max as { field: string }).field)) {
        const field = (spec.max as { field: string }).field;
        const values = docs.map((d) => time(valueAt(d, field))).filter((v) => !Number.isNaN(v));
        const max = values.length ? Math.max(...values) : null;
        out[name] = max === null ? { value: null } : { value: max, value_as_string: new Date(max).toISOString() };
      } else if (spec.composite) {
        const c = spec.composite as {
          size: number;
          sources: Array<Record<string, { terms: { field: string } }>>;
          after?: Record<string, unknown>;
        };
        const [key, source] = Object.entries(c.sources[0]!)[0]!;
        const field = source.terms.field;
        const counts = new Map<string, number>();
        for (const d of docs) {
          const v = valueAt(d, field);
          if (v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
        }
        const after = c.after ? String(c.after[key]) : undefined;
        const page = [...counts.keys()]
          .sort(keywordOrder)
          .filter((k) => after === undefined || keywordOrder(k, after) > 0)
          .slice(0, c.size);
        out[name] = {
          buckets: page.map((k) => ({ key: { [key]: k }, doc_count: counts.get(k) })),
          ...(page.length ? { after_key: { [key]: page.at(-1) } } : {}),
        };
      } else if (spec.date_histogram) {
        const h = spec.date_histogram as {
          field: string;
          fixed_interval: string;
          extended_bounds?: { min: number; max: number };
        };
        const interval = Number(/^(\d+)ms$/.exec(h.fixed_interval)?.[1]);
        if (!interval) throw new Error(`fake Elasticsearch: unsupported interval ${h.fixed_interval}`);
        const byKey = new Map<number, Doc[]>();
        for (const d of docs) {
          const k = Math.floor(time(valueAt(d, h.field)) / interval) * interval;
          byKey.set(k, [...(byKey.get(k) ?? []), d]);
        }
        const keys = [...byKey.keys()];
        if (h.extended_bounds)
          keys.push(
            Math.floor(h.extended_bounds.min / interval) * interval,
            Math.floor(h.extended_bounds.max / interval) * interval,
          );
        const buckets = [];
        for (let k = Math.min(...keys); k <= Math.max(...keys); k += interval) {
          const inBucket = byKey.get(k) ?? [];
          buckets.push({
            key: k,
            key_as_string: new Date(k).toISOString(),
            doc_count: inBucket.length,
            ...(spec.aggs ? this.aggregate(inBucket, spec.aggs as Record<string, Body>) : {}),
          });
        }
        out[name] = { buckets: keys.length ? buckets : [] };
      } else {
        throw new Error(`fake Elasticsearch: unsupported aggregation ${JSON.stringify(spec)}`);
      }
    }
    return out;
  }

  private isDate(docs: Doc[], field: string): boolean {
    const v = docs.map((d) => valueAt(d, field)).find((x) => x !== undefined);
    return typeof v === 'string' && !Number.isNaN(Date.parse(v));
  }

  /** Answer 429 to searches of indices matching this pattern. */
  overloaded?: RegExp;

  private search(index: string, body: Body): Body | errors.ResponseError {
    this.requests.push({ index, ...body });
    if (this.overloaded?.test(index)) {
      return new errors.ResponseError({
        body: { error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' }, status: 429 },
        statusCode: 429,
        headers: {},
        warnings: null,
        meta: {} as never,
      } as never);
    }
    const all = this.docs(index);
    if (all instanceof errors.ResponseError) return all;
    const size = Number(body.size ?? 10);
    if (size > 10_000) throw new Error('pipewatch must never ask for an unbounded number of hits');
    const docs = this.filter(all, body.query as Body | undefined);
    let hits: Doc[] = [];
    if (size > 0) {
      const sort = ((body.sort as Array<Record<string, string>> | undefined) ?? [])[0];
      const [field, order] = sort ? Object.entries(sort)[0]! : ['@timestamp', 'desc'];
      hits = [...docs]
        .sort((a, b) => (time(valueAt(a, field)) - time(valueAt(b, field))) * (order === 'desc' ? -1 : 1))
        .slice(0, size);
    }
    return {
      took: 1,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: docs.length, relation: 'eq' },
        max_score: null,
        hits: hits.map((d) => ({
          _index: index,
          _id: String(d._id ?? ''),
          _source: Object.fromEntries(Object.entries(d).filter(([k]) => k !== '_id')),
        })),
      },
      ...(body.aggs ? { aggregations: this.aggregate(docs, body.aggs as Record<string, Body>) } : {}),
    };
  }
}

/** A real cluster at url; indices are created with pipewatch's log mapping (docs/logging/logs-template.json), keyword ids and date timestamps. */
export function realElasticsearch(url: string): SearchBackend {
  const client = new Client({ node: url, requestTimeout: 30_000 });
  const created: string[] = [];
  return {
    client,
    async seed(index, docs, idField, timeField) {
      // The documented template (docs/logging/logs-template.json), as an operator installs it.
      const template = JSON.parse(
        readFileSync(new URL('../../docs/logging/logs-template.json', import.meta.url), 'utf8'),
      ) as { template: { mappings: { properties: Record<string, unknown> } } };
      const mappings = template.template.mappings;
      await client.indices.create({
        index,
        mappings: {
          ...mappings,
          properties: { ...mappings.properties, [idField]: { type: 'keyword' }, [timeField]: { type: 'date' } },
        } as never,
      });
      created.push(index);
      if (docs.length)
        await client.bulk({ refresh: true, operations: docs.flatMap((d) => [{ index: { _index: index } }, d]) });
    },
    async close() {
      for (const index of created) await client.indices.delete({ index }).catch(() => undefined);
      await client.close();
    },
  };
}

/** A document write as the recording server received it. */
export interface RecordedWrite {
  index: string;
  id: string;
  doc: Record<string, unknown>;
  authorization?: string;
}

/**
 * An HTTP server that answers the two Elasticsearch 8 calls the results sink
 * makes — GET / (the client's product check reads x-elastic-product) and
 * POST /_bulk with `index` actions — in the shapes of the Bulk API reference
 * (`errors`, per-item `result` created/updated, `_version`, `status`), and
 * keeps every write. `failWith` makes it answer the next requests with an
 * error status; `refuse` refuses documents of an index item by item (HTTP 200
 * with errors: true), as Elasticsearch does for mapping conflicts.
 */
export class RecordingElasticsearch {
  readonly writes: RecordedWrite[] = [];
  readonly stored = new Map<string, { doc: Record<string, unknown>; version: number }>();
  failWith?: { status: number; type: string; reason: string };
  refuse?: { index: string; type: string; reason: string };
  private server?: import('node:http').Server;
  url = '';

  async start(): Promise<this> {
    const { createServer } = await import('node:http');
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => this.answer(req, body, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as import('node:net').AddressInfo).port}`;
    return this;
  }

  docs(index: string): Array<Record<string, unknown> & { _id: string; _version: number }> {
    return [...this.stored.entries()]
      .filter(([k]) => k.startsWith(`${index}\u0000`))
      .map(([k, v]) => ({ ...v.doc, _id: k.split('\u0000')[1]!, _version: v.version }));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(
    req: import('node:http').IncomingMessage,
    body: string,
    res: import('node:http').ServerResponse,
  ): void {
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(JSON.stringify(payload));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/')
      return send(200, {
        name: 'recording',
        cluster_name: 'recording',
        version: { number: '8.19.0' },
        tagline: 'You Know, for Search',
      });
    if (req.method !== 'POST' || path !== '/_bulk')
      return send(404, {
        error: { type: 'unsupported', reason: `${req.method} ${path} is not served here` },
        status: 404,
      });
    if (this.failWith)
      return send(this.failWith.status, {
        error: { type: this.failWith.type, reason: this.failWith.reason },
        status: this.failWith.status,
      });
    const lines = body.split('\n').filter((l) => l.trim() !== '');
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!) as { index?: { _index: string; _id: string } };
      if (!action.index)
        return send(400, {
          error: { type: 'illegal_argument_exception', reason: 'only index actions are served here' },
          status: 400,
        });
      const { _index: index, _id: id } = action.index;
      const doc = JSON.parse(lines[i + 1]!) as Record<string, unknown>;
      this.writes.push({ index, id, doc, authorization: req.headers.authorization });
      if (this.refuse?.index === index) {
        items.push({
          index: { _index: index, _id: id, status: 400, error: { type: this.refuse.type, reason: this.refuse.reason } },
        });
        continue;
      }
      const key = `${index}\u0000${id}`;
      const version = (this.stored.get(key)?.version ?? 0) + 1;
      this.stored.set(key, { doc, version });
      items.push({
        index: {
          _index: index,
          _id: id,
          _version: version,
          result: version === 1 ? 'created' : 'updated',
          _shards: { total: 1, successful: 1, failed: 0 },
          _seq_no: this.writes.length,
          _primary_term: 1,
          status: version === 1 ? 201 : 200,
        },
      });
    }
    send(200, { took: 1, errors: items.some((it) => (it as { index: { error?: unknown } }).index.error), items });
  }
}
