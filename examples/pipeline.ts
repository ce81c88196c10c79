// The example pipeline behind `npm start`: a crawler that stores records in
// example.collected and a parser that copies them to example.parsed, both
// simulated by a timer against the same PostgreSQL the history store uses.
// A fault file under the data directory breaks a stage on demand.
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export const FAULTS = {
  parser: 'the parser stops: example.parsed stops growing while example.collected keeps going',
  collector: 'the crawler stops: nothing new reaches example.collected (and so example.parsed)',
} as const;
export type Fault = keyof typeof FAULTS;

const faultFile = (dataDir: string) => join(dataDir, 'example-fault');

export function setFault(dataDir: string, fault: Fault | null): void {
  mkdirSync(dataDir, { recursive: true });
  if (fault === null) rmSync(faultFile(dataDir), { force: true });
  else writeFileSync(faultFile(dataDir), `${fault}\n`);
}

export function currentFault(dataDir: string): Fault | null {
  try {
    const text = readFileSync(faultFile(dataDir), 'utf8').trim();
    return text in FAULTS ? (text as Fault) : null;
  } catch {
    return null;
  }
}

export async function seedExamplePipeline(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS example;
      CREATE TABLE IF NOT EXISTS example.collected (
        record_id text NOT NULL, source text NOT NULL, collected_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS example.parsed (
        record_id text NOT NULL, victim text, parsed_at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX IF NOT EXISTS collected_at_idx ON example.collected (collected_at);
      CREATE INDEX IF NOT EXISTS parsed_at_idx ON example.parsed (parsed_at);`);
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM example.collected');
    if (Number(rows[0]?.n) === 0) {
      // Thirty minutes of history, one record a minute, so counts have a past.
      await client.query(`
        INSERT INTO example.collected (record_id, source, collected_at)
          SELECT 'seed-' || i, 'leak-site-' || (i % 3), now() - make_interval(mins => i) FROM generate_series(1, 30) AS i;
        INSERT INTO example.parsed (record_id, victim, parsed_at)
          SELECT record_id, 'org-' || record_id, collected_at + interval '5 seconds' FROM example.collected;`);
    }
  } finally {
    await client.end();
  }
}

export interface Feeder {
  stop(): Promise<void>;
}

/** Every interval: the crawler stores two records, the parser parses what it has not yet. */
export function feedExamplePipeline(options: { url: string; dataDir: string; intervalMs?: number }): Feeder {
  const pool = new pg.Pool({ connectionString: options.url, max: 1 });
  pool.on('error', () => undefined);
  let n = Date.now();
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const fault = currentFault(options.dataDir);
    if (fault !== 'collector') {
      await pool.query(`INSERT INTO example.collected (record_id, source) VALUES ($1, 'leak-site-a'), ($2, 'leak-site-b')`, [`r-${n++}`, `r-${n++}`]);
    }
    if (fault === null) {
      await pool.query(`INSERT INTO example.parsed (record_id, victim)
        SELECT c.record_id, 'org-' || c.record_id FROM example.collected c
        WHERE c.collected_at > now() - interval '10 minutes'
          AND NOT EXISTS (SELECT 1 FROM example.parsed p WHERE p.record_id = c.record_id)`);
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick).catch(() => undefined);
  }, options.intervalMs ?? 5_000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await pool.end();
    },
  };
}
