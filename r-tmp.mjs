import pg from 'pg';
import { startEmbeddedPostgres } from '/work/main/dist/store/embedded.js';
import { mkdtempSync } from 'node:fs';
const e = await startEmbeddedPostgres({ dataDir: mkdtempSync('/tmp/repro/d-') });
const pool = new pg.Pool({ connectionString: e.url, max: 8 });
await pool.query('CREATE TABLE IF NOT EXISTS t (k int primary key, v int)');
let wrong = 0, errors = 0, expectedErrors = 0;
const t0 = Date.now();
const timer = setTimeout(() => { console.log('HANG after', Date.now() - t0, 'ms; wrong', wrong, 'errors', errors); process.exit(1); }, 20000);
await Promise.all(Array.from({ length: 600 }, async (_, i) => {
  try {
    if (i % 7 === 0) { expectedErrors++; await pool.query('SELECT $1::int AS v', ['not-a-number']); return; }
    if (i % 5 === 0) {
      const c = await pool.connect();
      try { await c.query('BEGIN'); await c.query('INSERT INTO t VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v', [i, i]); const r = await c.query('SELECT v FROM t WHERE k = $1', [i]); if (r.rows[0].v !== i) wrong++; await c.query('COMMIT'); } finally { c.release(); }
      return;
    }
    const r = await pool.query('SELECT $1::int AS v, $2::text AS s', [i, 'x' + i]);
    if (r.rows[0].v !== i || r.rows[0].s !== 'x' + i) wrong++;
  } catch (err) { errors++; if (errors - expectedErrors < 3 && !/invalid input/.test(err.message)) console.log('err', err.message); }
}));
clearTimeout(timer);
console.log('wrong', wrong, 'errors', errors, 'expected errors', expectedErrors, Date.now() - t0, 'ms');
await pool.end(); await e.stop();
