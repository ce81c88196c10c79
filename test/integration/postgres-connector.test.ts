// The PostgreSQL connector against a real server: distinct counts over a
// window, freshness, empty tables, and failures that must read as "could not
// check" (unreachable, missing table, statement timeout).
import pg from 'pg';
import { postgresConnector } from '../../connectors/postgres/index.js';
import type { Connector } from '../../connectors/types.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import { testEnv } from '../support/env.js';

describe('postgres connector', () => {
  let schema: TestSchema;
  let connector: Connector;
  const at = new Date('2026-11-26T12:00:00.000Z');

  beforeAll(async () => {
    schema = await createTestSchema('pgconn');
    await schema.pool.query(`
      CREATE TABLE "${schema.name}".records (record_id text, stored_at timestamptz);
      CREATE TABLE "${schema.name}".naive (record_id text, stored_at timestamp);
      CREATE TABLE "${schema.name}".empty (record_id text, stored_at timestamptz);`);
    // Window [11:00, 12:00): ids a, b, c (b stored twice), one at 11:00 exactly, one at 12:00 (excluded), one before.
    await schema.pool.query(
      `INSERT INTO "${schema.name}".records VALUES
        ('a', '2026-11-26T11:30:00Z'), ('b', '2026-11-26T11:40:00Z'), ('b', '2026-11-26T11:41:00Z'),
        ('c', '2026-11-26T11:00:00Z'), ('d', '2026-11-26T12:00:00Z'), ('e', '2026-11-26T10:59:59Z')`,
    );
    await schema.pool.query(`INSERT INTO "${schema.name}".naive VALUES ('a', '2026-11-26 11:50:00')`);
    connector = postgresConnector.create('lake', {
      type: 'postgres',
      url: testEnv().databaseUrl,
      statementTimeout: 1_000,
      connectTimeout: 2_000,
      pool: { max: 2 },
    });
  });

  afterAll(async () => {
    await connector.close();
    await schema.drop();
  });

  const count = (uniqueId?: string, dataset = `${schema.name}.records`) =>
    connector.collect({
      check: { type: 'count', dataset, timestamp: 'stored_at', uniqueId, window: 3_600_000, settle: 0 },
      at,
    });

  it('counts rows in the window [at - window, at)', async () => {
    const m = await count();
    expect(m.value).toBe(4);
    expect(m.unit).toBe('records');
    expect(m.details).toMatchObject({ windowStart: '2026-11-26T11:00:00.000Z', windowEnd: '2026-11-26T12:00:00.000Z' });
  });

  it("counts distinct ids when uniqueId is given (the pipeline's dedup)", async () => {
    expect((await count('record_id')).value).toBe(3);
  });

  it('measures freshness as the age in seconds of the newest record not after the tick', async () => {
    const m = await connector.collect({
      check: { type: 'freshness', dataset: `${schema.name}.records`, timestamp: 'stored_at' },
      at,
    });
    expect(m.value).toBe(0); // the record at 12:00 exactly
    const earlier = await connector.collect({
      check: { type: 'freshness', dataset: `${schema.name}.records`, timestamp: 'stored_at' },
      at: new Date('2026-11-26T11:59:00Z'),
    });
    expect(earlier.value).toBe(18 * 60);
    expect(earlier.details).toMatchObject({ newest: '2026-11-26T11:41:00.000Z' });
  });

  it('reads timestamps without a time zone as UTC', async () => {
    const m = await connector.collect({
      check: { type: 'freshness', dataset: `${schema.name}.naive`, timestamp: 'stored_at' },
      at,
    });
    expect(m.value).toBe(600);
  });

  it('reports an empty table as "no records" (null), not as zero age', async () => {
    const m = await connector.collect({
      check: { type: 'freshness', dataset: `${schema.name}.empty`, timestamp: 'stored_at' },
      at,
    });
    expect(m.value).toBeNull();
    expect((await count(undefined, `${schema.name}.empty`)).value).toBe(0);
  });

  it('runs read-only: a dataset that would write is refused', async () => {
    // A view whose read calls a function that inserts: only a read-only transaction stops it.
    await schema.pool.query(`
      CREATE FUNCTION "${schema.name}".sneaky() RETURNS timestamptz LANGUAGE sql VOLATILE AS
        $$ INSERT INTO "${schema.name}".empty VALUES ('written', now()) RETURNING stored_at $$;
      CREATE VIEW "${schema.name}".writer AS SELECT "${schema.name}".sneaky() AS stored_at;`);
    await expect(
      connector.collect({ check: { type: 'freshness', dataset: `${schema.name}.writer`, timestamp: 'stored_at' }, at }),
    ).rejects.toThrow(/cannot execute INSERT in a read-only transaction/);
    const { rows } = await schema.pool.query(`SELECT count(*)::int AS n FROM "${schema.name}".empty`);
    expect(rows[0].n).toBe(0);
  });

  it('names a missing table', async () => {
    await expect(count(undefined, `${schema.name}.nope`)).rejects.toThrow(
      /postgres connector "lake": relation ".*nope" does not exist/,
    );
  });

  it('gives up at the statement timeout instead of hanging', async () => {
    const locker = new pg.Client({ connectionString: testEnv().databaseUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${schema.name}".records IN ACCESS EXCLUSIVE MODE`);
    try {
      const started = Date.now();
      await expect(count()).rejects.toThrow(
        'postgres connector "lake": query exceeded the statement timeout of 1000 ms',
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  it('says it cannot connect when the server is unreachable', async () => {
    const down = postgresConnector.create('down', {
      type: 'postgres',
      url: 'postgres://postgres@127.0.0.1:1/test',
      statementTimeout: 1_000,
      connectTimeout: 1_000,
      pool: { max: 1 },
    });
    await expect(down.ping()).rejects.toThrow(/postgres connector "down": cannot connect: .*ECONNREFUSED/);
    await down.close();
  });
});
