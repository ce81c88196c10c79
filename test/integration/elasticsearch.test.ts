// The Elasticsearch connector: counts, distinct ids, freshness, buckets, sorted
// id paging, error handling, and reconciliation from PostgreSQL into an index.
// Runs against the in-memory stand-in (test/support/fake-elasticsearch.ts) and,
// with PIPEWATCH_TEST_ES_URL set, the same assertions against a real cluster.
import { ElasticsearchConnector } from '../../connectors/elasticsearch/index.js';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { reconcileStages } from '../../connectors/stages.js';
import type { PipelineStage } from '../../config/model.js';
import { testEnv, uniqueName } from '../support/env.js';
import { FakeElasticsearch, realElasticsearch, type SearchBackend } from '../support/fake-elasticsearch.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';

const realUrl = process.env.PIPEWATCH_TEST_ES_URL;
const T0 = Date.parse('2026-11-20T10:00:00Z');
const spec = {
  type: 'elasticsearch' as const,
  node: realUrl ?? 'http://localhost:9200',
  requestTimeout: 10_000,
  rejectUnauthorized: true,
};

describe(`elasticsearch connector (${realUrl ? `real cluster at ${realUrl}` : 'in-memory Elasticsearch 8 responses'})`, () => {
  let backend: SearchBackend;
  let es: ElasticsearchConnector;
  const index = uniqueName('pw-served').toLowerCase();
  // 50 records in 10:00–11:00, ids with a duplicate, one record at 11:30.
  const docs = [
    ...Array.from({ length: 50 }, (_, i) => ({
      record_id: `rec-${String(i).padStart(3, '0')}`,
      '@timestamp': new Date(T0 + i * 60_000).toISOString(),
    })),
    { record_id: 'rec-000', '@timestamp': new Date(T0 + 59 * 60_000).toISOString() },
    { record_id: 'rec-late', '@timestamp': new Date(T0 + 90 * 60_000).toISOString() },
  ];

  beforeAll(async () => {
    backend = realUrl ? realElasticsearch(realUrl) : new FakeElasticsearch();
    await backend.seed(index, docs, 'record_id', '@timestamp');
    es = new ElasticsearchConnector('search', spec, backend.client);
  });

  afterAll(async () => {
    await backend.close();
  });

  const at = new Date(T0 + 3_600_000);

  it('counts documents, and distinct ids with a cardinality aggregation', async () => {
    const check = { type: 'count' as const, dataset: index, timestamp: '@timestamp', window: 3_600_000, settle: 0 };
    expect((await es.collect({ check, at })).value).toBe(51);
    const distinct = await es.collect({ check: { ...check, uniqueId: 'record_id' }, at });
    expect(distinct).toMatchObject({ value: 50, unit: 'records', details: { distinctBy: 'record_id' } });
  });

  it('measures freshness with a max aggregation, ignoring documents after the tick', async () => {
    const m = await es.collect({ check: { type: 'freshness', dataset: index, timestamp: '@timestamp' }, at });
    expect(m.value).toBe(60);
    expect(m.details).toMatchObject({ newest: new Date(T0 + 59 * 60_000).toISOString() });
  });

  it('counts per aligned bucket with date_histogram', async () => {
    const check = {
      type: 'count' as const,
      dataset: index,
      timestamp: '@timestamp',
      uniqueId: 'record_id',
      bucket: 1_800_000,
      settle: 0,
    };
    const series = await es.series(check, { from: new Date(T0), to: new Date(T0 + 7_200_000) }, 1_800_000);
    expect(series).toEqual([
      { at: '2026-11-20T10:00:00.000Z', value: 30 },
      { at: '2026-11-20T10:30:00.000Z', value: 21 },
      { at: '2026-11-20T11:00:00.000Z', value: 0 },
      { at: '2026-11-20T11:30:00.000Z', value: 1 },
    ]);
  });

  it('pages sorted distinct ids with composite after_key, a bounded page at a time', async () => {
    const pages: string[][] = [];
    const source = { dataset: index, uniqueId: 'record_id', timestamp: '@timestamp', normalise: [] };
    for await (const page of es.streamIds(source, { from: new Date(T0), to: at }, 7)) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    const all = pages.flat();
    expect(all).toEqual([...all].sort());
    expect(new Set(all).size).toBe(50);
    if (backend.requests) {
      // Every search asks for aggregations only, never for hits.
      expect(backend.requests.every((r) => r.size === 0 && typeof r.timeout === 'string')).toBe(true);
    }
  });

  it('says which index is missing', async () => {
    await expect(
      es.collect({ check: { type: 'freshness', dataset: 'pw-no-such-index', timestamp: '@timestamp' }, at }),
    ).rejects.toThrow(
      /elasticsearch connector "search": 404 index_not_found_exception: no such index \[pw-no-such-index\]/,
    );
  });

  describe('reconciling PostgreSQL into Elasticsearch', () => {
    let schema: TestSchema;
    beforeAll(async () => {
      schema = await createTestSchema('esrec');
      await schema.pool.query(`CREATE TABLE "${schema.name}".parsed (record_id text, parsed_at timestamptz)`);
      const rows = Array.from(
        { length: 55 },
        (_, i) => `('rec-${String(i).padStart(3, '0')}', '${new Date(T0 + i * 60_000 - 30_000).toISOString()}')`,
      );
      await schema.pool.query(`INSERT INTO "${schema.name}".parsed VALUES ${rows.join(',')}`);
    });
    afterAll(async () => {
      await schema.drop();
    });

    it('finds the ids the index never received', async () => {
      const lake = {
        id: 'lake',
        type: 'postgres' as const,
        url: testEnv().databaseUrl,
        statementTimeout: 10_000,
        connectTimeout: 5_000,
        pool: { max: 2 },
      };
      const pg = postgresConnector.create('lake', lake);
      const stages: PipelineStage[] = [
        {
          id: 'parsed',
          connector: lake,
          dataset: `${schema.name}.parsed`,
          uniqueId: 'record_id',
          timestamp: 'parsed_at',
          tolerance: 0,
          normalise: [],
        },
        {
          id: 'served',
          connector: { id: 'search', ...spec },
          dataset: index,
          uniqueId: 'record_id',
          timestamp: '@timestamp',
          tolerance: 0,
          normalise: [],
        },
      ];
      try {
        const result = await reconcileStages({
          pipeline: 'cross',
          stages: [
            { stage: stages[0]!, connector: pg },
            { stage: stages[1]!, connector: es },
          ],
          check: { type: 'stageCounts', pipeline: 'cross', window: 3_600_000, settle: 0, sample: 10 },
          at: at.getTime(),
        });
        // 10:00–11:00 in PostgreSQL: rec-001 … rec-060 shifted by 30 s → rec-001..rec-054 (54 ids); the index has rec-000..rec-049.
        expect(result.measurement.details).toMatchObject({
          firstLosingStage: 'served',
          lost: 5,
          sampleMissing: 'rec-050, rec-051, rec-052, rec-053, rec-054',
        });
      } finally {
        await pg.close();
      }
    });
  });
});
