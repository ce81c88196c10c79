// The example pipeline behind `pipewatch demo` (and `npm start`): a collector
// storing leak-site records in a lake table (example.collected) and publishing
// their ids to a queue (RabbitMQ when reachable, else an in-process queue), an
// ETL stage that parses what the queue delivers into example.parsed, and a
// serving table (example.served). The stages are Temporal workflows
// (workflows/demo.ts) on short schedules; these are their activities. They log
// through pipewatch/logging to an NDJSON file under the data directory, so the
// example's log monitors work without Elasticsearch.
//
// Faults are injected through a file under the data directory (`pipewatch demo
// break <fault>`); the activities read it on every run and return what they
// saw, so the workflows decide on it deterministically.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { TextReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import pg from 'pg';
import { createLogger, type PipelineLogger } from '../logging/index.js';
import { demoArchivePassword, demoIncomingDir, demoLogDir, readFaults, type Fault } from './faults.js';
import type { DemoQueue } from './queue.js';

export { FAULTS, type Fault } from './faults.js';

// -------------------------------------------------------------------- tables

export async function seedExamplePipeline(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS example;
      CREATE TABLE IF NOT EXISTS example.collected (
        record_id text NOT NULL, source text NOT NULL, collected_at timestamptz NOT NULL DEFAULT now());
      ALTER TABLE example.collected ADD COLUMN IF NOT EXISTS payload jsonb;
      CREATE TABLE IF NOT EXISTS example.parsed (
        record_id text NOT NULL, victim text, parsed_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS example.served (
        record_id text NOT NULL, victim text, served_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS example.held (
        record_id text PRIMARY KEY, reason text NOT NULL, held_at timestamptz NOT NULL DEFAULT now(),
        outcome text, decided_at timestamptz);
      -- The ETL run that held it: a retried attempt of that run returns it again.
      ALTER TABLE example.held ADD COLUMN IF NOT EXISTS run_id text;
      CREATE UNIQUE INDEX IF NOT EXISTS collected_id_idx ON example.collected (record_id);
      CREATE UNIQUE INDEX IF NOT EXISTS parsed_id_idx ON example.parsed (record_id);
      CREATE UNIQUE INDEX IF NOT EXISTS served_id_idx ON example.served (record_id);
      CREATE INDEX IF NOT EXISTS collected_at_idx ON example.collected (collected_at);
      CREATE INDEX IF NOT EXISTS parsed_at_idx ON example.parsed (parsed_at);
      CREATE INDEX IF NOT EXISTS served_at_idx ON example.served (served_at);`);
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM example.collected');
    if (Number(rows[0]?.n) === 0) {
      // Thirty minutes of history, one record a minute, so counts have a past.
      await client.query(`
        INSERT INTO example.collected (record_id, source, payload, collected_at)
          SELECT 'seed-' || i, 'leak-site-' || (i % 3), jsonb_build_object('format', 'leak-post', 'victim', 'org-seed-' || i), now() - make_interval(mins => i)
          FROM generate_series(1, 30) AS i;
        INSERT INTO example.parsed (record_id, victim, parsed_at)
          SELECT record_id, payload->>'victim', collected_at + interval '5 seconds' FROM example.collected;
        INSERT INTO example.served (record_id, victim, served_at)
          SELECT record_id, victim, parsed_at + interval '5 seconds' FROM example.parsed;`);
    }
  } finally {
    await client.end();
  }
}

async function makeProtectedArchive(file: string, password: string): Promise<void> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { password, encryptionStrength: 3 });
  await writer.add(
    'victims.csv',
    new TextReader('victim,posted\norg-archive-1,2026-11-20\norg-archive-2,2026-11-21\n'),
  );
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, await writer.close());
}

// ---------------------------------------------------------------- activities

export interface DemoActivityDeps {
  url: string;
  dataDir: string;
  queue: DemoQueue;
  /** Records the collector stores per run. */
  batch?: number;
}

export interface CollectResult {
  collected: number;
  /** Set when the run put a password-protected archive into the incoming directory. */
  archive?: string;
  malformed?: string;
  errorsLogged: number;
}

export interface ParseResult {
  taken: number;
  parsed: number;
  dropped: number;
  /** Records of a format the ETL cannot parse, held for an operator. */
  held: string[];
  consumer: 'attached' | 'detached';
}

/** The example pipeline's activities, registered on the `pipewatch demo` worker. */
export function createDemoActivities(deps: DemoActivityDeps) {
  // One connection: the embedded store is a single PGlite session shared by every client, so fewer is kinder.
  const pool = new pg.Pool({ connectionString: deps.url, max: 1 });
  pool.on('error', () => undefined);
  mkdirSync(demoLogDir(deps.dataDir), { recursive: true });
  const log: PipelineLogger = createLogger({
    service: 'example-pipeline',
    pipeline: 'example',
    sinks: [{ kind: 'file', path: join(demoLogDir(deps.dataDir), 'pipeline.ndjson') }],
  });
  const batch = deps.batch ?? 3;
  let seq = 0;

  const activities = {
    /** The faults in effect, read once per workflow run so the workflow decides on what it was given. */
    async demoFaults(): Promise<Fault[]> {
      return Object.keys(readFaults(deps.dataDir).faults) as Fault[];
    },

    async demoCollect(input: { runId: string }): Promise<CollectResult> {
      const state = readFaults(deps.dataDir).faults;
      const run = log.child({ stage: 'collect', runId: input.runId });
      const started = Date.now();
      const ids: string[] = [];
      const values: unknown[] = [];
      const rows: string[] = [];
      // Ids from the run id, so a retried activity stores the same records again (and nothing twice).
      for (let i = 0; i < batch; i++) {
        const id = `${input.runId}-${i}`;
        ids.push(id);
        values.push(
          id,
          `leak-site-${'abc'[(seq + i) % 3]}`,
          JSON.stringify({ format: 'leak-post', victim: `org-${id}` }),
        );
        rows.push(`($${values.length - 2}, $${values.length - 1}, $${values.length}::jsonb)`);
      }
      seq += batch;
      let malformed: string | undefined;
      if (state.malformed) {
        malformed = `malformed-${Date.parse(state.malformed).toString(36)}`;
        ids.push(malformed);
        values.push(malformed, 'leak-site-c', JSON.stringify({ format: 'scanned-pdf', pages: 3 }));
        rows.push(`($${values.length - 2}, $${values.length - 1}, $${values.length}::jsonb)`);
      }
      const inserted = await pool.query<{ record_id: string }>(
        `INSERT INTO example.collected (record_id, source, payload) VALUES ${rows.join(', ')} ON CONFLICT (record_id) DO NOTHING RETURNING record_id`,
        values,
      );
      const stored = inserted.rows.map((r) => r.record_id);
      // Published after the rows are stored, so the ETL never sees an id it cannot read. All of this run's ids, also
      // those an earlier attempt stored: a retry must not lose them (the ETL's writes ignore repeats).
      await deps.queue.publish(ids);
      if (!stored.includes(malformed ?? '')) malformed = undefined;
      let errorsLogged = 0;
      if (state.errors) {
        for (let i = 0; i < 12; i++) {
          run.stageFailed({
            error: new Error('leak site answered 503 Service Unavailable'),
            item: `https://leak-site-${'abc'[i % 3]}.example/page/${i}`,
            code: 'E_FETCH',
          });
          errorsLogged++;
        }
      }
      let archive: string | undefined;
      if (state.archive) {
        const file = join(demoIncomingDir(deps.dataDir), `dump-${Date.parse(state.archive).toString(36)}.zip`);
        if (!existsSync(file)) {
          await makeProtectedArchive(file, demoArchivePassword(deps.dataDir));
          run.archivePasswordRequired({ path: file, source: 'leak-site-b' });
          archive = file;
        }
      }
      run.stageCompleted({ records: stored.length, durationMs: Date.now() - started });
      await log.flush();
      return { collected: stored.length, archive, malformed, errorsLogged };
    },

    async demoParse(input: { runId: string; faults: Fault[]; max: number }): Promise<ParseResult> {
      const run = log.child({ stage: 'parse', runId: input.runId });
      if (input.faults.includes('queue')) {
        if (deps.queue.attached) {
          await deps.queue.detach();
          run.warn('detached from the queue', { queue: { name: deps.queue.name } });
          await log.flush();
        }
        return { taken: 0, parsed: 0, dropped: 0, held: [], consumer: 'detached' };
      }
      if (!deps.queue.attached) {
        await deps.queue.attach();
        run.info('attached to the queue', { queue: { name: deps.queue.name } });
      }
      const deliveries = deps.queue.take(input.max);
      const ids = deliveries.map((d) => d.id);
      let parsed = 0;
      let dropped = 0;
      const held: string[] = [];
      const newlyHeld: string[] = [];
      try {
        if (ids.length > 0) {
          const { rows } = await pool.query<{
            record_id: string;
            payload: { format?: string; victim?: string } | null;
          }>('SELECT record_id, payload FROM example.collected WHERE record_id = ANY($1)', [ids]);
          const good: Array<[string, string]> = [];
          rows.forEach((r, i) => {
            if (r.payload && r.payload.format !== 'leak-post') held.push(r.record_id);
            else if (input.faults.includes('drop') && i % 2 === 0) dropped++;
            else good.push([r.record_id, r.payload?.victim ?? `org-${r.record_id}`]);
          });
          if (good.length) {
            await pool.query(
              `INSERT INTO example.parsed (record_id, victim) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (record_id) DO NOTHING`,
              [good.map((g) => g[0]), good.map((g) => g[1])],
            );
          }
          if (held.length) {
            const { rows: fresh } = await pool.query<{ record_id: string }>(
              `INSERT INTO example.held (record_id, reason, run_id) SELECT id, 'unknown format', $2 FROM unnest($1::text[]) AS id ON CONFLICT DO NOTHING RETURNING record_id`,
              [held, input.runId],
            );
            newlyHeld.push(...fresh.map((r) => r.record_id));
          }
          parsed = good.length;
        }
        for (const d of deliveries) d.ack();
      } catch (err) {
        for (const d of deliveries) d.requeue();
        throw err;
      }
      if (dropped) run.recordsDropped({ count: dropped, reason: 'dropped by the injected fault' });
      for (const id of newlyHeld)
        run.warn(`record ${id} has a format the parser does not know; held for an operator`, { item: id });
      run.stageCompleted({ records: parsed });
      await log.flush();
      // What this run held, in this attempt or an earlier one whose result was lost (it timed out and was retried after
      // taking the deliveries): the workflow starts a question for each (ids deduplicate).
      const { rows: mine } = await pool.query<{ record_id: string }>(
        'SELECT record_id FROM example.held WHERE run_id = $1 AND outcome IS NULL ORDER BY record_id',
        [input.runId],
      );
      return { taken: deliveries.length, parsed, dropped, held: mine.map((r) => r.record_id), consumer: 'attached' };
    },

    /** Copies parsed records to the serving table. */
    async demoServe(input: { runId: string }): Promise<{ served: number }> {
      const { rowCount } = await pool.query(`
        INSERT INTO example.served (record_id, victim)
          SELECT p.record_id, p.victim FROM example.parsed p
          WHERE p.parsed_at > now() - interval '1 hour'
            AND NOT EXISTS (SELECT 1 FROM example.served s WHERE s.record_id = p.record_id)
        ON CONFLICT (record_id) DO NOTHING`);
      if (rowCount) log.child({ stage: 'serve', runId: input.runId }).stageCompleted({ records: rowCount });
      return { served: rowCount ?? 0 };
    },

    /** Parses one held record; fails as MalformedRecord while its format is still unknown. */
    async demoParseHeld(input: { recordId: string }): Promise<{ parsed: true }> {
      const { rows } = await pool.query<{ payload: { format?: string; victim?: string } | null }>(
        'SELECT payload FROM example.collected WHERE record_id = $1',
        [input.recordId],
      );
      const payload = rows[0]?.payload;
      if (!rows[0])
        throw ApplicationFailure.create({
          message: `record ${input.recordId} is not in example.collected`,
          type: 'MissingRecord',
          nonRetryable: true,
        });
      if (payload && payload.format !== 'leak-post') {
        log.child({ stage: 'parse' }).stageFailed({
          error: new Error(`unknown format "${payload.format}"`),
          item: input.recordId,
          code: 'E_FORMAT',
        });
        await log.flush();
        throw ApplicationFailure.create({
          message: `record ${input.recordId} has the unknown format "${payload.format}"`,
          type: 'MalformedRecord',
          nonRetryable: true,
        });
      }
      await pool.query(
        `INSERT INTO example.parsed (record_id, victim) VALUES ($1, $2) ON CONFLICT (record_id) DO NOTHING`,
        [input.recordId, payload?.victim ?? `org-${input.recordId}`],
      );
      await pool.query(`UPDATE example.held SET outcome = 'parsed', decided_at = now() WHERE record_id = $1`, [
        input.recordId,
      ]);
      return { parsed: true };
    },

    /** Records what an operator decided about a held record. */
    async demoRecordDecision(input: { recordId: string; outcome: 'skipped' | 'aborted'; by: string }): Promise<void> {
      await pool.query(`UPDATE example.held SET outcome = $2, decided_at = now() WHERE record_id = $1`, [
        input.recordId,
        input.outcome,
      ]);
      log
        .child({ stage: 'parse' })
        .info(`record ${input.recordId} ${input.outcome} by ${input.by}`, { item: input.recordId });
      await log.flush();
    },
  };
  return {
    activities,
    /** Records served in the last five minutes, for the serving API. */
    async servedRecently(): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM example.served WHERE served_at > now() - interval '5 minutes'`,
      );
      return Number(rows[0]!.n);
    },
    async close() {
      await log.close();
      await pool.end();
    },
  };
}

export type DemoActivities = ReturnType<typeof createDemoActivities>['activities'];
