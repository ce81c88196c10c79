// Least privilege on a real PostgreSQL, with the grants of docs/LEAST-PRIVILEGE.md:
// every PostgreSQL-backed check runs through the worker's collect activities
// as a role that may only CONNECT, use one schema and SELECT its tables, and
// gives the right value. The other side is shown with real errors: that role
// cannot write; a data-modifying `sql` check is stopped by the read-only
// transaction even for a role that may DELETE; a slow query is cancelled at
// the statement timeout; replication details need pg_read_all_stats; and the
// history store migrates and writes as a role that owns only its own schema.
//
// A database of its own rather than a schema in the shared test database: the
// role must have nothing from PUBLIC (CONNECT and TEMPORARY on the database),
// and revoking those on the shared database would change it for every test.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pg from 'pg';
import { createActivities } from '../../activities/index.js';
import { channelCache } from '../../channels/registry.js';
import { ConfigError, parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { connectorCache } from '../../connectors/registry.js';
import type { Measurement } from '../../evaluation/types.js';
import { HistoryStore } from '../../store/history.js';
import { testEnv, uniqueName } from '../support/env.js';

const AT = new Date('2026-11-26T12:30:00.000Z');

describe('a monitored PostgreSQL source read by a role that may only SELECT', () => {
  const env = testEnv();
  const db = uniqueName('pw_lp').toLowerCase();
  const roles = { reader: `${db}_reader`, writer: `${db}_writer`, stats: `${db}_stats`, store: `${db}_store` };
  const passwords = {
    reader: randomBytes(16).toString('hex'),
    writer: randomBytes(16).toString('hex'),
    stats: randomBytes(16).toString('hex'),
    store: randomBytes(16).toString('hex'),
  };
  // Only the worker sees these: config holds ${ENV} references.
  const secrets = { LP_READER_PASSWORD: passwords.reader, LP_WRITER_PASSWORD: passwords.writer };
  const server = new URL(env.databaseUrl);
  const urlFor = (user: string, database = db, password?: string) =>
    `postgres://${user}${password ? `:${password}` : ''}@${server.hostname}:${server.port || 5432}/${database}`;

  const admin = new pg.Pool({ connectionString: env.databaseUrl, max: 2 });
  let adminDb: pg.Pool;
  let adminUser: string;
  let store: HistoryStore;
  let monitors: Record<string, MonitorDefinition>;
  let configText: string;
  const connectors = connectorCache(secrets);
  let activities: ReturnType<typeof createActivities>;
  // The failures below are expected: keep the SDK's per-failure warnings out of the output.
  const activityEnv = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

  const collect = (id: string, at = AT): Promise<Measurement> => {
    const m = monitors[id]!;
    if (m.check.type === 'stageCounts') {
      return activityEnv.run(activities.collectStages, {
        monitorId: m.id,
        pipeline: m.check.pipeline,
        stages: m.stages!,
        check: m.check,
        at: at.toISOString(),
      });
    }
    return activityEnv.run(activities.collect, {
      monitorId: m.id,
      connector: m.connector!,
      check: m.check,
      at: at.toISOString(),
    });
  };

  /** A plain session as one of the test's roles, for what the connector never does (writes). */
  const sessionAs = async (role: keyof typeof roles) => {
    const client = new pg.Client({ connectionString: urlFor(roles[role]), password: passwords[role] });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    adminUser = (await admin.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
    await admin.query(`CREATE DATABASE "${db}"`);
    await admin.query(`REVOKE ALL ON DATABASE "${db}" FROM PUBLIC`);
    for (const role of Object.keys(roles) as Array<keyof typeof roles>) {
      await admin.query(
        `CREATE ROLE "${roles[role]}" LOGIN PASSWORD '${passwords[role]}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
      );
    }
    adminDb = new pg.Pool({ connectionString: urlFor(adminUser), max: 2 });
    // pool.end() resolves before its sockets close; DROP DATABASE … (FORCE) may terminate them then.
    adminDb.on('error', () => undefined);
    await adminDb.query(`
      REVOKE ALL ON SCHEMA public FROM PUBLIC;
      CREATE SCHEMA lake;
      CREATE TABLE lake.records (record_id text, stored_at timestamptz);
      CREATE TABLE lake.collected (record_id text, collected_at timestamptz);
      CREATE TABLE lake.victims (id int);

      -- docs/LEAST-PRIVILEGE.md, "A monitored PostgreSQL source"
      GRANT CONNECT ON DATABASE "${db}" TO "${roles.reader}";
      GRANT USAGE ON SCHEMA lake TO "${roles.reader}";
      GRANT SELECT ON ALL TABLES IN SCHEMA lake TO "${roles.reader}";
      ALTER DEFAULT PRIVILEGES FOR ROLE "${adminUser}" IN SCHEMA lake GRANT SELECT ON TABLES TO "${roles.reader}";

      -- A role that may delete, to show that the read-only transaction protects by itself.
      GRANT CONNECT ON DATABASE "${db}" TO "${roles.writer}";
      GRANT USAGE ON SCHEMA lake TO "${roles.writer}";
      GRANT SELECT, DELETE ON lake.victims TO "${roles.writer}";

      -- The reader's grants plus pg_read_all_stats: what replication details need.
      GRANT CONNECT ON DATABASE "${db}" TO "${roles.stats}";
      GRANT pg_read_all_stats TO "${roles.stats}";

      -- docs/LEAST-PRIVILEGE.md, "The history store"
      GRANT CONNECT, CREATE ON DATABASE "${db}" TO "${roles.store}";

      -- Created after the grants: readable through the default privileges alone.
      CREATE TABLE lake.parsed (record_id text, parsed_at timestamptz);`);

    // In [11:30, 12:30): a, b (twice), d; in the bucket [11:00, 12:00): a, b (twice), c.
    await adminDb.query(`INSERT INTO lake.records VALUES
      ('a', '2026-11-26T11:30:00Z'), ('b', '2026-11-26T11:40:00Z'), ('b', '2026-11-26T11:41:00Z'),
      ('c', '2026-11-26T11:00:00Z'), ('d', '2026-11-26T12:00:00Z'), ('e', '2026-11-26T10:59:59Z')`);
    // Ten records collected in [11:00, 12:00); the parser writes ids padded and upper-cased and drops r04 and r07.
    await adminDb.query(
      `INSERT INTO lake.collected SELECT 'r' || lpad(i::text, 2, '0'), timestamptz '2026-11-26T11:00:00Z' + i * interval '3 minutes' FROM generate_series(1, 10) i`,
    );
    await adminDb.query(
      `INSERT INTO lake.parsed SELECT ' ' || upper(record_id) || ' ', collected_at + interval '2 minutes' FROM lake.collected WHERE record_id NOT IN ('r04', 'r07')`,
    );
    await adminDb.query(`INSERT INTO lake.victims SELECT generate_series(1, 5)`);

    store = await HistoryStore.open({ url: urlFor(roles.store, db, passwords.store), schema: 'pipewatch', poolMax: 2 });
    activities = createActivities({
      store,
      connectors,
      channels: channelCache(secrets),
      client: undefined as unknown as Client, // collecting never talks to Temporal
      taskQueue: 'least-privilege',
      env: secrets,
    });

    const source = (role: string) => `"${urlFor(role)}"`;
    configText = `version: 1
defaults: { schedule: { every: 1h } }
connectors:
  lake: { type: postgres, url: ${source(roles.reader)}, password: "\${LP_READER_PASSWORD}", statementTimeout: 1s, connectTimeout: 5s }
  lake-writer: { type: postgres, url: ${source(roles.writer)}, password: "\${LP_WRITER_PASSWORD}", statementTimeout: 1s, connectTimeout: 5s }
pipelines:
  flow:
    stages:
      - { id: collected, connector: lake, dataset: lake.collected, uniqueId: record_id, timestamp: collected_at }
      - { id: parsed, connector: lake, dataset: lake.parsed, uniqueId: record_id, timestamp: parsed_at, normalise: [trim, lowercase] }
monitors:
  - { id: count-window, connector: lake, check: { type: count, dataset: lake.records, timestamp: stored_at, window: 1h }, rules: [{ below: 1 }] }
  - { id: count-bucket, connector: lake, check: { type: count, dataset: lake.records, timestamp: stored_at, uniqueId: record_id, bucket: 1h, settle: 10m }, rules: [{ below: 1 }] }
  - { id: freshness, connector: lake, check: { type: freshness, dataset: lake.records, timestamp: stored_at }, rules: [{ above: 1h }] }
  - { id: sql-window, connector: lake, check: { type: sql, query: "SELECT count(DISTINCT record_id) FROM lake.records WHERE stored_at >= $1 AND stored_at < $2", window: 2h }, rules: [{ below: 1 }] }
  - { id: sql-whoami, connector: lake, check: { type: sql, query: "SELECT (current_user = '${roles.reader}' AND NOT rolsuper)::int FROM pg_roles WHERE rolname = current_user" }, rules: [{ below: 1 }] }
  - { id: stages, check: { type: stageCounts, pipeline: flow, window: 1h, settle: 5m }, rules: [{ above: 0 }] }
  - { id: db-connections, connector: lake, check: { type: database, measure: connections }, rules: [{ above: 90 }] }
  - { id: db-size, connector: lake, check: { type: database, measure: size }, rules: [{ above: 1000000000000 }] }
  - { id: db-replication, connector: lake, check: { type: database, measure: replicationLag }, rules: [{ above: 5m }] }
  - { id: sql-delete, connector: lake-writer, check: { type: sql, query: "WITH d AS (DELETE FROM lake.victims RETURNING 1) SELECT count(*) FROM d" }, rules: [{ above: 0 }] }
  - { id: sql-sleep, connector: lake, check: { type: sql, query: "SELECT count(*) FROM pg_sleep(5)" }, rules: [{ above: 0 }] }
`;
    monitors = Object.fromEntries(
      parseConfig(configText, 'least-privilege.yaml', { env: secrets }).monitors.map((m) => [m.id, m]),
    );
  });

  afterAll(async () => {
    await connectors.closeAll();
    await store?.close().catch(() => undefined);
    await adminDb?.end().catch(() => undefined);
    // The roles' grants and default privileges live in this database: it goes first, then the roles.
    await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
    for (const role of Object.values(roles)) await admin.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
    await admin.end();
  });

  it('the reader has CONNECT, USAGE on lake and SELECT on its tables, and nothing else', async () => {
    const { rows } = await adminDb.query(
      `SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
              (SELECT count(*)::int FROM pg_auth_members WHERE member = r.oid) AS memberships,
              has_database_privilege(r.rolname, current_database(), 'CONNECT') AS connect,
              has_database_privilege(r.rolname, current_database(), 'CREATE') AS create_schema,
              has_database_privilege(r.rolname, current_database(), 'TEMPORARY') AS temporary,
              has_schema_privilege(r.rolname, 'lake', 'USAGE') AS lake_usage,
              has_schema_privilege(r.rolname, 'lake', 'CREATE') AS lake_create,
              has_schema_privilege(r.rolname, 'public', 'USAGE') OR has_schema_privilege(r.rolname, 'public', 'CREATE') AS public_schema,
              (SELECT bool_and(has_table_privilege(r.rolname, c.oid, 'SELECT')) FROM pg_class c WHERE c.relnamespace = 'lake'::regnamespace AND c.relkind = 'r') AS select_all,
              (SELECT bool_or(has_table_privilege(r.rolname, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')) FROM pg_class c WHERE c.relnamespace = 'lake'::regnamespace) AS anything_else
         FROM pg_roles r WHERE r.rolname = $1`,
      [roles.reader],
    );
    expect(rows[0]).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolreplication: false,
      rolbypassrls: false,
      memberships: 0,
      connect: true,
      create_schema: false,
      temporary: false,
      lake_usage: true,
      lake_create: false,
      public_schema: false,
      select_all: true,
      anything_else: false,
    });
  });

  it('runs every PostgreSQL-backed check through the collect activities as that role, with the right values', async () => {
    // The connector really is the reader, not a superuser.
    expect((await collect('sql-whoami')).value).toBe(1);

    const window = await collect('count-window');
    expect(window).toMatchObject({
      value: 4,
      unit: 'records',
      details: { windowStart: '2026-11-26T11:30:00.000Z', windowEnd: '2026-11-26T12:30:00.000Z' },
    });

    const bucket = await collect('count-bucket');
    expect(bucket).toMatchObject({
      value: 3,
      observedAt: '2026-11-26T11:00:00.000Z',
      details: { windowEnd: '2026-11-26T12:00:00.000Z', distinctBy: 'record_id' },
    });

    expect(await collect('freshness')).toMatchObject({
      value: 1800,
      unit: 'seconds',
      details: { newest: '2026-11-26T12:00:00.000Z' },
    });
    expect((await collect('sql-window')).value).toBe(5);

    // Stage counts: counts and id streams (server-side cursor) from both stages, on a
    // table readable through the default privileges only; the result written to the store.
    const stages = await collect('stages');
    expect(stages.value).toBe(2);
    expect(stages.details).toMatchObject({
      firstLosingStage: 'parsed',
      lost: 2,
      comparedBy: 'missing ids',
      sampleMissing: 'r04, r07',
    });
    const recorded = await adminDb.query(
      `SELECT stage, count::int, lost::int FROM pipewatch.stage_counts WHERE pipeline = 'flow' ORDER BY stage`,
    );
    expect(recorded.rows).toEqual([
      { stage: 'collected', count: 10, lost: 0 },
      { stage: 'parsed', count: 8, lost: 2 },
    ]);

    const maxConnections = Number((await adminDb.query('SHOW max_connections')).rows[0].max_connections);
    const connections = await collect('db-connections');
    const used = Number(connections.details!.used);
    expect(used).toBeGreaterThanOrEqual(1);
    expect(connections.details!.max).toBe(maxConnections);
    expect(connections.value).toBeCloseTo((used * 100) / maxConnections, 10);

    const size = await collect('db-size');
    const actualSize = Number((await adminDb.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n);
    expect(size.unit).toBe('bytes');
    expect(Math.abs(size.value! - actualSize)).toBeLessThan(1024 * 1024);

    // This server is a primary without standbys: no lag, and not an error.
    expect(await collect('db-replication')).toMatchObject({ value: 0, unit: 'seconds', details: { replica: false } });

    // Backtests and `pipewatch doctor` reach the same connector: series and ping.
    const lake = connectors.get(monitors['count-window']!.connector!).value;
    await expect(lake.ping()).resolves.toBeUndefined();
    const check = monitors['count-window']!.check as Extract<MonitorDefinition['check'], { type: 'count' }>;
    const series = await lake.series!(
      check,
      { from: new Date('2026-11-26T10:00:00Z'), to: new Date('2026-11-26T13:00:00Z') },
      3_600_000,
    );
    expect(series).toEqual([
      { at: '2026-11-26T10:00:00.000Z', value: 1 },
      { at: '2026-11-26T11:00:00.000Z', value: 4 },
      { at: '2026-11-26T12:00:00.000Z', value: 1 },
    ]);
  });

  it('counts every session for the connections measure: pg_stat_activity rows do not depend on privileges', async () => {
    // One transaction reads one snapshot of the backend table, so the two counts compare exactly.
    const client = await adminDb.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE "${roles.reader}"`);
      const sql = `SELECT count(*)::int AS n, count(*) FILTER (WHERE query = '<insufficient privilege>')::int AS hidden FROM pg_stat_activity`;
      const asReader = (await client.query<{ n: number; hidden: number }>(sql)).rows[0]!;
      await client.query('RESET ROLE');
      const asSuperuser = (await client.query<{ n: number; hidden: number }>(sql)).rows[0]!;
      await client.query('COMMIT');
      expect(asReader.n).toBe(asSuperuser.n);
      // Other roles' sessions (this one's own, at least) are there with their details hidden, not left out.
      expect(asReader.hidden).toBeGreaterThanOrEqual(1);
      expect(asSuperuser.hidden).toBe(0);
    } finally {
      client.release();
    }
  });

  it('cannot write: INSERT, CREATE TABLE and temporary tables are refused', async () => {
    const reader = await sessionAs('reader');
    try {
      await expect(reader.query(`INSERT INTO lake.records VALUES ('z', now())`)).rejects.toThrow(
        'permission denied for table records',
      );
      await expect(reader.query('CREATE TABLE lake.mine (x int)')).rejects.toThrow('permission denied for schema lake');
      await expect(reader.query('CREATE TEMP TABLE mine (x int)')).rejects.toThrow(
        `permission denied to create temporary tables in database "${db}"`,
      );
    } finally {
      await reader.end();
    }
    const { rows } = await adminDb.query(`SELECT count(*)::int AS n FROM lake.records WHERE record_id = 'z'`);
    expect(rows[0].n).toBe(0);
  });

  it('stops a data-modifying sql check with the read-only transaction, even for a role allowed to DELETE', async () => {
    // The grant alone would let it delete: shown in a transaction that is rolled back.
    const writer = await sessionAs('writer');
    try {
      await writer.query('BEGIN');
      expect((await writer.query('DELETE FROM lake.victims')).rowCount).toBe(5);
      await writer.query('ROLLBACK');
    } finally {
      await writer.end();
    }
    // PostgreSQL names the statement, a SELECT carrying a data-modifying WITH.
    await expect(collect('sql-delete')).rejects.toThrow(
      'postgres connector "lake-writer": cannot execute SELECT in a read-only transaction',
    );
    const { rows } = await adminDb.query('SELECT count(*)::int AS n FROM lake.victims');
    expect(rows[0].n).toBe(5);
  });

  it('cancels a query at the statement timeout, on the server too', async () => {
    const started = Date.now();
    const failure = await collect('sql-sleep').then(
      () => undefined,
      (err: Error) => err,
    );
    const elapsed = Date.now() - started;
    expect(failure?.message).toBe('postgres connector "lake": query exceeded the statement timeout of 1000 ms');
    expect(failure?.message).not.toContain(passwords.reader);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4_000);
    // Not merely abandoned by the client: no session of the reader is still sleeping.
    const { rows } = await adminDb.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state = 'active' AND query LIKE '%pg_sleep%'`,
      [roles.reader],
    );
    expect(rows[0].n).toBe(0);
  });

  it('needs pg_read_all_stats to see replication details on a primary (replicationLag)', async () => {
    // A logical-replication connection is a WAL sender: it appears in pg_stat_replication (state "startup").
    const walSender = new pg.Client({
      connectionString: urlFor(adminUser),
      replication: 'database',
    } as pg.ClientConfig);
    await walSender.connect();
    const reader = await sessionAs('reader');
    const stats = await sessionAs('stats');
    try {
      const pid = (await walSender.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const state = async (client: pg.Client) =>
        (await client.query<{ state: string | null }>('SELECT state FROM pg_stat_replication WHERE pid = $1', [pid]))
          .rows;
      // Without it the sender is listed with every detail NULL, lag included: it would read as "no lag".
      expect(await state(reader)).toEqual([{ state: null }]);
      expect(await state(stats)).toEqual([{ state: 'startup' }]);
      // So the check refuses to read the hidden standby's lag as 0 s, and names the grant.
      await expect(collect('db-replication')).rejects.toThrow(
        /1 standby\(s\) in pg_stat_replication are hidden from this role, so their lag cannot be read; GRANT pg_read_all_stats/,
      );
    } finally {
      await Promise.all([walSender.end(), reader.end(), stats.end()]);
    }
  });

  it('lets the history store migrate and write as a role that owns only its own schema', async () => {
    const { rows } = await adminDb.query(
      `SELECT pg_get_userbyid(n.nspowner) AS schema_owner,
              (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'pipewatch') AS tables,
              (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'pipewatch' AND tableowner <> $1) AS owned_by_others,
              (SELECT max(version) FROM pipewatch.schema_migrations) AS version,
              (SELECT rolsuper FROM pg_roles WHERE rolname = $1) AS superuser
         FROM pg_namespace n WHERE n.nspname = 'pipewatch'`,
      [roles.store],
    );
    expect(rows[0]).toMatchObject({ schema_owner: roles.store, owned_by_others: 0, superuser: false });
    expect(rows[0].tables).toBeGreaterThanOrEqual(10);
    expect(rows[0].version).toBeGreaterThanOrEqual(7);
    // Writes went through above (stage_counts). Reopening re-runs the migration check.
    const again = await HistoryStore.open({
      url: urlFor(roles.store, db, passwords.store),
      schema: 'pipewatch',
      poolMax: 1,
    });
    await again.close();
  });

  it('runs on a schema made for it with no CREATE on the database, and is refused a schema it may not make', async () => {
    const role = `${db}_owner_only`;
    await admin.query(`CREATE ROLE "${role}" LOGIN NOSUPERUSER`);
    try {
      await adminDb.query(
        `GRANT CONNECT ON DATABASE "${db}" TO "${role}"; CREATE SCHEMA owned AUTHORIZATION "${role}"`,
      );
      const store = await HistoryStore.open({ url: urlFor(role), schema: 'owned', poolMax: 1 });
      try {
        const recorded = await store.recordRun({
          monitorId: 'owned-schema',
          runId: 'run-1',
          verdict: { status: 'ok', value: 1, unit: 'records', reason: 'ok', observedAt: new Date().toISOString() },
          flap: { failAfter: 1, resolveAfter: 1 },
        });
        expect(recorded.transition).toBe('none');
        expect(await store.lastPoint('owned-schema')).toMatchObject({ value: 1 });
      } finally {
        await store.close();
      }
      const { rows } = await adminDb.query<{ owner: string }>(
        `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'owned'`,
      );
      expect(rows.map((r) => r.owner)).toEqual([role]);
      // A schema that does not exist yet still needs CREATE on the database, and the refusal says so.
      await expect(HistoryStore.open({ url: urlFor(role), schema: 'elsewhere', poolMax: 1 })).rejects.toThrow(
        `is not usable: permission denied for database ${db}`,
      );
    } finally {
      await adminDb.query(`DROP SCHEMA IF EXISTS owned CASCADE; REVOKE ALL ON DATABASE "${db}" FROM "${role}"`);
      await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    }
  });

  it('refuses, at load, a pipeline stage whose table name tries to break out of its quotes', () => {
    // Monitors' check.dataset is covered in test/unit/config.test.ts; stages are checked by another path.
    const text = configText.replace('dataset: lake.collected', `dataset: 'x"; DROP TABLE lake.records; --'`);
    let error: unknown;
    try {
      parseConfig(text, 'least-privilege.yaml', { env: secrets });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /^least-privilege\.yaml:\d+:\d+: pipelines\.flow\.stages\[0\]\.dataset: "x"; DROP TABLE lake\.records; --" is not a table or column name \(letters, digits, "_", optionally schema-qualified like lake\.records\)$/,
    );
  });
});
