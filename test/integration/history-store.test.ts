// The history store on a real PostgreSQL, and on the embedded default.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Verdict } from '../../evaluation/types.js';
import { startEmbeddedPostgres } from '../../store/embedded.js';
import { HistoryStore } from '../../store/history.js';
import { MIGRATIONS } from '../../store/migrations.js';
import { testEnv, uniqueName } from '../support/env.js';

/** A password written into config as a literal, made at run time (the tests check such literals are refused). */
const SAMPLE_SECRET = `pw${Math.random().toString(36).slice(2, 10)}`;

const verdict = (status: Verdict['status'], value: number | null, observedAt: string): Verdict => ({
  status,
  value,
  unit: 'records',
  reason: `value ${value}`,
  observedAt,
});
const flap = { failAfter: 2, resolveAfter: 1 };

async function exercise(store: HistoryStore): Promise<void> {
  const m = uniqueName('m');
  const r1 = await store.recordRun({
    monitorId: m,
    runId: 'run-1',
    verdict: verdict('critical', 10, '2026-11-26T10:00:00Z'),
    flap,
  });
  expect(r1.transition).toBe('none');
  const r2 = await store.recordRun({
    monitorId: m,
    runId: 'run-2',
    verdict: verdict('critical', 20, '2026-11-26T10:01:00Z'),
    flap,
  });
  expect(r2.transition).toBe('open');
  // The same run recorded again (an activity retried after it committed) returns the same transition.
  const again = await store.recordRun({
    monitorId: m,
    runId: 'run-2',
    verdict: verdict('critical', 20, '2026-11-26T10:01:00Z'),
    flap,
  });
  expect(again).toEqual(r2);
  expect(await store.lastPoint(m)).toEqual({ value: 20, observedAt: '2026-11-26T10:01:00.000Z' });
  const r3 = await store.recordRun({
    monitorId: m,
    runId: 'run-3',
    verdict: verdict('ok', 30, '2026-11-26T10:02:00Z'),
    flap,
  });
  expect(r3.transition).toBe('resolve');
  expect((await store.recentPoints(m)).map((p) => p.runId)).toEqual(['run-3', 'run-2', 'run-1']);
  expect(await store.monitorState(m)).toMatchObject({ status: 'ok', alerting: false, healthyStreak: 1 });
  await exerciseBatch(store);
}

/** A cadence group's runs in one transaction: each monitor as if recorded alone, a repeated run unchanged. */
async function exerciseBatch(store: HistoryStore): Promise<void> {
  const [a, b, c] = ['a', 'b', 'c'].map((x) => uniqueName(`batch-${x}`));
  const tick = (n: number, statuses: Array<Verdict['status']>) =>
    [a!, b!, c!].map((monitorId, i) => ({
      monitorId,
      runId: `g-${n}#${monitorId}`,
      // Quotes, braces and a backslash: array literals must carry them intact.
      verdict: {
        ...verdict(statuses[i]!, i === 2 ? null : n * 10 + i, `2026-11-26T10:0${n}:00Z`),
        reason: `it's "${monitorId}" {${n}} \\`,
        details: { tick: n, quote: `"{a,b}"` },
      },
      flap,
      labels: { monitor: monitorId },
      incidentIds: [`inc-${monitorId}`],
    }));
  const first = await store.recordRuns(tick(1, ['critical', 'ok', 'critical']));
  expect(first.map((r) => r.transition)).toEqual(['none', 'none', 'none']);
  const second = await store.recordRuns(tick(2, ['critical', 'ok', 'critical']));
  expect(second.map((r) => r.transition)).toEqual(['open', 'none', 'open']);
  expect(second[0]).toMatchObject({ alertLabels: { monitor: a }, incidentIds: [`inc-${a}`] });
  // The same tick again (a retried group run) returns what it recorded, and records nothing more.
  expect(await store.recordRuns(tick(2, ['ok', 'ok', 'ok']))).toEqual(second);
  // The single-run path reads the same state.
  expect(await store.recordRun(tick(3, ['ok', 'ok', 'ok'])[0]!)).toMatchObject({ transition: 'resolve' });
  const points = await store.recentPoints(c!);
  expect(points.map((p) => [p.runId, p.value, p.status, p.reason])).toEqual([
    [`g-2#${c}`, null, 'critical', `it's "${c}" {2} \\`],
    [`g-1#${c}`, null, 'critical', `it's "${c}" {1} \\`],
  ]);
  expect(await store.monitorState(b!)).toMatchObject({ status: 'ok', alerting: false, healthyStreak: 2 });
  await expect(store.recordRuns([...tick(4, ['ok', 'ok', 'ok']), tick(5, ['ok', 'ok', 'ok'])[0]!])).rejects.toThrow(
    /one run per monitor/,
  );
}

describe('history store on PostgreSQL', () => {
  const schema = uniqueName('hist').toLowerCase();
  let store: HistoryStore;

  beforeAll(async () => {
    store = await HistoryStore.open({ url: testEnv().databaseUrl, schema });
  });
  afterAll(async () => {
    await store.close();
    const client = new pg.Client({ connectionString: testEnv().databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
  });

  it('records runs, applies flap control, and is idempotent per run', async () => {
    await exercise(store);
  });

  it('applies migrations once, even when several workers start together', async () => {
    // A schema no one has opened yet: three workers find it missing at the same moment.
    const fresh = uniqueName('histmig').toLowerCase();
    const admin = new pg.Client({ connectionString: testEnv().databaseUrl });
    await admin.connect();
    try {
      const stores = await Promise.all(
        [1, 2, 3].map(() => HistoryStore.open({ url: testEnv().databaseUrl, schema: fresh })),
      );
      await Promise.all(stores.map((s) => s.close()));
      const { rows: applied } = await admin.query<{ version: number; name: string }>(
        `SELECT version, name FROM "${fresh}".schema_migrations ORDER BY version`,
      );
      // Every migration recorded, each once: without the lock two workers would both create the schema and one would fail.
      expect(applied).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      const { rows: tables } = await admin.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [fresh],
      );
      expect(tables.map((t) => t.table_name)).toEqual([
        'api_shapes',
        'counter_samples',
        'incident_events',
        'intervention_audit',
        'log_cursors',
        'log_events',
        'log_offsets',
        'metric_points',
        'monitor_state',
        'notifications',
        'observed_conditions',
        'report_images',
        'reports',
        'schema_migrations',
        'stage_counts',
      ]);
      // A fourth start, after the others: nothing left to apply, nothing applied twice.
      const again = await HistoryStore.open({ url: testEnv().databaseUrl, schema: fresh });
      await again.close();
      const { rows: after } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${fresh}".schema_migrations`,
      );
      expect(after[0]!.n).toBe(MIGRATIONS.length);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
      await admin.end();
    }
  });

  it('serialises concurrent runs of one monitor so no transition is lost', async () => {
    const m = uniqueName('race');
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        store.recordRun({
          monitorId: m,
          runId: `r${i}`,
          verdict: verdict('critical', i, `2026-11-26T10:0${i}:00Z`),
          flap,
        }),
      ),
    );
    expect(results.filter((r) => r.transition === 'open')).toHaveLength(1);
  });

  it('keeps a notification ledger: new, retry after an unconfirmed attempt, then sent', async () => {
    const key = uniqueName('notif');
    const meta = { channelId: 'mail', incidentId: 'inc', kind: 'firing' };
    expect(await store.claimNotification(key, meta)).toBe('new');
    expect(await store.claimNotification(key, meta)).toBe('retry');
    await store.markNotificationSent(key, '<id@pipewatch>');
    expect(await store.claimNotification(key, meta)).toBe('sent');
    expect(await store.notifications('inc')).toEqual(
      expect.arrayContaining([{ key, channelId: 'mail', kind: 'firing', state: 'sent', attempts: 2 }]),
    );
  });

  it('fails with a message that names the server but not the password', async () => {
    await expect(HistoryStore.open({ url: `postgres://pipewatch:${SAMPLE_SECRET}@127.0.0.1:1/none` })).rejects.toThrow(
      /history store at postgres:\/\/pipewatch:\*\*\*@127\.0\.0\.1:1\/none is not usable: .*ECONNREFUSED/,
    );
  });
});

describe('embedded history store (PGlite over the wire protocol)', () => {
  it('runs the same store code and keeps data across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-embedded-'));
    try {
      const first = await startEmbeddedPostgres({ dataDir: dir });
      const store = await HistoryStore.open({ url: first.url, poolMax: 4 });
      await exercise(store);
      await store.recordRun({ monitorId: 'kept', runId: 'x', verdict: verdict('ok', 1, '2026-11-26T10:00:00Z'), flap });
      await store.close();
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir: dir });
      const reopened = await HistoryStore.open({ url: second.url });
      expect(await reopened.lastPoint('kept')).toEqual({ value: 1, observedAt: '2026-11-26T10:00:00.000Z' });
      await reopened.close();
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('one PGlite session shared by many connections', () => {
    let dir: string;
    let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
    let pool: pg.Pool;
    const warnings: string[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pipewatch-embedded-'));
      embedded = await startEmbeddedPostgres({
        dataDir: dir,
        idleHolderMs: 1_000,
        maxConnections: 12,
        warn: (m) => warnings.push(m),
      });
      pool = new pg.Pool({ connectionString: embedded.url, max: 8 });
      await pool.query('CREATE TABLE kv (k int PRIMARY KEY, v int)');
    });
    afterAll(async () => {
      await pool.end();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const connect = async () => {
      const client = new pg.Client({ connectionString: embedded.url });
      client.on('error', () => undefined); // a connection the store closes reports it on its next query
      await client.connect();
      return client;
    };

    // Against pglite-socket's own server this returned other connections' rows, failed with
    // "unnamed prepared statement does not exist" and then stopped answering altogether.
    it('answers each connection its own rows under concurrent queries, transactions and errors', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 300 }, async (_, i) => {
          try {
            if (i % 7 === 0) {
              await pool.query('SELECT $1::int AS v', ['not a number']);
              return 'no error';
            }
            if (i % 5 === 0) {
              const client = await pool.connect();
              try {
                await client.query('BEGIN');
                await client.query('INSERT INTO kv VALUES ($1, $2)', [i, i * 2]);
                const { rows } = await client.query<{ v: number }>('SELECT v FROM kv WHERE k = $1', [i]);
                await client.query('COMMIT');
                return rows[0]?.v === i * 2 ? 'ok' : `transaction ${i} read ${JSON.stringify(rows)}`;
              } finally {
                client.release();
              }
            }
            const { rows } = await pool.query<{ v: number; s: string }>('SELECT $1::int AS v, $2::text AS s', [
              i,
              `row ${i}`,
            ]);
            return rows[0]?.v === i && rows[0]?.s === `row ${i}` ? 'ok' : `query ${i} read ${JSON.stringify(rows)}`;
          } catch (err) {
            return i % 7 === 0 && /invalid input syntax for type integer/.test((err as Error).message)
              ? 'ok'
              : `${i}: ${(err as Error).message}`;
          }
        }),
      );
      expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM kv');
      expect(rows[0]!.n).toBe(
        Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 7 !== 0 && i % 5 === 0).length,
      );
    });

    it('rolls back the transaction of a connection that goes away, and serves the others', async () => {
      const client = await connect();
      await client.query('BEGIN');
      await client.query('INSERT INTO kv VALUES ($1, $2)', [-1, -1]);
      (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      const { rows } = await pool.query('SELECT v FROM kv WHERE k = $1', [-1]);
      expect(rows).toEqual([]);
    });

    it('takes the session back from a connection idle in a transaction while others wait', async () => {
      const idle = await connect();
      await idle.query('BEGIN');
      await idle.query('INSERT INTO kv VALUES ($1, $2)', [-2, -2]);
      const started = Date.now();
      const { rows } = await pool.query('SELECT v FROM kv WHERE k = $1', [-2]);
      expect(rows).toEqual([]); // rolled back, not committed by whoever came next
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(warnings).toEqual([
        expect.stringMatching(
          /kept a transaction open and idle for 1 s while 1 other connection\(s\) waited; it was rolled back and the connection closed/,
        ),
      ]);
      await expect(idle.query('COMMIT')).rejects.toThrow();
      const after = await pool.query('SELECT count(*)::int AS n FROM kv WHERE k = $1', [-2]);
      expect(after.rows[0].n).toBe(0);
    });

    it('refuses a connection beyond its limit with a PostgreSQL error', async () => {
      const held: pg.Client[] = [];
      const busy: pg.PoolClient[] = [];
      try {
        for (let i = 0; i < 12 - 8; i++) held.push(await connect());
        for (let i = 0; i < 8; i++) busy.push(await pool.connect()); // the pool's eight
        await expect(connect()).rejects.toThrow(/too many connections to the embedded store \(limit 12\)/);
      } finally {
        busy.forEach((c) => c.release());
        await Promise.all(held.map((c) => c.end()));
      }
    });
  });
});
