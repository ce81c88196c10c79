// The history store: metric values per monitor and run, monitor state (with
// flap control applied transactionally), and the notification ledger that
// keeps a retried send from reaching a person twice. PostgreSQL through `pg`;
// the embedded default (embedded.ts) speaks the same protocol.
import pg from 'pg';
import type { FlapControl } from '../config/model.js';
import { nextMonitorState, type MonitorState, type Transition } from '../evaluation/flap.js';
import type { PreviousPoint, Status, Verdict } from '../evaluation/types.js';
import { MIGRATIONS } from './migrations.js';

export interface StoreOptions {
  url: string;
  /** PostgreSQL schema holding pipewatch's tables. */
  schema?: string;
  poolMax?: number;
}

/** One monitor run to record: its verdict, flap settings, and where its alert would go if it opened now. */
export interface RunToRecord {
  monitorId: string;
  runId: string;
  verdict: Verdict;
  flap: FlapControl;
  /** The alert's labels and incidents as they would be if it opened with this run. */
  labels?: Record<string, string>;
  incidentIds?: string[];
}

export interface RecordedRun {
  state: MonitorState;
  transition: Transition;
  /** The alert's labels when it opened, and the incidents it joined; set while alerting. */
  alertLabels?: Record<string, string>;
  incidentIds: string[];
}

export interface LogOffset {
  inode: string;
  position: number;
}

export interface InterventionAuditEntry {
  at: string;
  by: string;
  answer: string;
  accepted: boolean;
  reason?: string;
  via: 'update' | 'signal' | 'deadline';
}

export interface ApiShape {
  accepted: Record<string, string>;
  acceptedAt: string;
  acceptedBy: string;
  latest: Record<string, string>;
  latestAt: string;
}

export interface ActiveAlertRow {
  monitorId: string;
  labels: Record<string, string>;
  status: Status;
}

export type NotificationClaim = 'new' | 'retry' | 'sent';

export interface StoredPoint {
  runId: string;
  observedAt: string;
  value: number | null;
  status: Status;
  reason: string;
}

/** One step in the life of an incident's firing period, as the incident workflow's messages and state show it. */
export interface IncidentEvent {
  incidentId: string;
  /** When the firing period began: with incidentId, what identifies it (a reopened incident starts a new one). */
  openedAt: string;
  event: 'opened' | 'acknowledged' | 'resolved';
  at: string;
  by?: string;
  receiver: string;
  severity?: string;
  pipelines: string[];
  monitors: string[];
}

/** A firing period of an incident with its first acknowledgement and its resolution. */
export interface IncidentPeriod {
  incidentId: string;
  receiver: string;
  openedAt: string;
  severity?: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
}

export interface SavedReport {
  reportId: string;
  pipeline: string;
  periodStart: string;
  periodEnd: string;
  summary: unknown;
  subject: string;
  html: string;
  text: string;
  images: Array<{ name: string; width: number; height: number; png: Buffer }>;
}

export const DEFAULT_STORE_SCHEMA = 'pipewatch';

export class HistoryStore {
  private constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
  ) {}

  /** Connects and applies pending migrations (serialised across workers by an advisory lock). */
  static async open(options: StoreOptions): Promise<HistoryStore> {
    const schema = options.schema ?? DEFAULT_STORE_SCHEMA;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`invalid store schema name "${schema}": use lowercase letters, digits and "_"`);
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 4,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 30_000,
    });
    // An idle client losing its server must not crash the worker; the next query reports it.
    pool.on('error', () => undefined);
    const store = new HistoryStore(pool, schema);
    try {
      await store.migrate();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new Error(`history store at ${describeUrl(options.url)} is not usable: ${(err as Error).message}`);
    }
    return store;
  }

  private get s(): string {
    return `"${this.schema}"`;
  }

  /** Runs work in one transaction on one connection: committed when it returns, rolled back when it throws. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async migrate(): Promise<void> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pipewatch-migrate:${this.schema}`]);
      // PostgreSQL checks CREATE on the database before IF NOT EXISTS looks: a role that only owns a schema made
      // for it would be refused, so the schema is made only when it is missing.
      const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
      if (!rowCount) await client.query(`CREATE SCHEMA ${this.s}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.s}.schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${this.s}.schema_migrations`);
      const applied = new Set(rows.map((r) => r.version));
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query(m.sql(this.s));
        await client.query(`INSERT INTO ${this.s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      }
    });
  }

  async lastPoint(monitorId: string): Promise<PreviousPoint | undefined> {
    const { rows } = await this.pool.query<{ value: number; observed_at: Date }>(
      `SELECT value, observed_at FROM ${this.s}.metric_points
        WHERE monitor_id = $1 AND value IS NOT NULL
        ORDER BY observed_at DESC LIMIT 1`,
      [monitorId],
    );
    const row = rows[0];
    return row ? { value: row.value, observedAt: row.observed_at.toISOString() } : undefined;
  }

  /** One value per observed time in [from, to), oldest first (the latest recording wins for a bucket judged twice). */
  async pointsBetween(monitorId: string, from: Date, to: Date): Promise<Array<{ observedAt: string; value: number | null; status: Status }>> {
    const { rows } = await this.pool.query<{ observed_at: Date; value: number | null; status: Status }>(
      `SELECT DISTINCT ON (observed_at) observed_at, value, status FROM ${this.s}.metric_points
        WHERE monitor_id = $1 AND observed_at >= $2 AND observed_at < $3
        ORDER BY observed_at, recorded_at DESC`,
      [monitorId, from, to],
    );
    return rows.map((r) => ({ observedAt: r.observed_at.toISOString(), value: r.value, status: r.status }));
  }

  async recordStageCounts(pipeline: string, window: { from: Date; to: Date }, stages: Array<{ stage: string; count: number; lost: number }>): Promise<void> {
    for (const st of stages) {
      await this.pool.query(
        `INSERT INTO ${this.s}.stage_counts (pipeline, stage, window_start, window_end, count, lost) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (pipeline, stage, window_start, window_end) DO UPDATE SET count = EXCLUDED.count, lost = EXCLUDED.lost, recorded_at = now()`,
        [pipeline, st.stage, window.from, window.to, st.count, st.lost],
      );
    }
  }

  async stageCounts(pipeline: string, limit = 100): Promise<Array<{ stage: string; windowStart: string; count: number; lost: number }>> {
    const { rows } = await this.pool.query(
      `SELECT stage, window_start, count, lost FROM ${this.s}.stage_counts WHERE pipeline = $1 ORDER BY window_start DESC, stage LIMIT $2`,
      [pipeline, limit],
    );
    return rows.map((r) => ({ stage: r.stage, windowStart: (r.window_start as Date).toISOString(), count: Number(r.count), lost: Number(r.lost) }));
  }

  /** Counts per stage of the windows that ended in (from, to], oldest first. */
  async stageCountsBetween(pipeline: string, from: Date, to: Date): Promise<Array<{ stage: string; windowStart: string; windowEnd: string; count: number; lost: number }>> {
    const { rows } = await this.pool.query(
      `SELECT stage, window_start, window_end, count, lost FROM ${this.s}.stage_counts
        WHERE pipeline = $1 AND window_end > $2 AND window_end <= $3 ORDER BY window_start, window_end, stage`,
      [pipeline, from, to],
    );
    return rows.map((r) => ({
      stage: r.stage,
      windowStart: (r.window_start as Date).toISOString(),
      windowEnd: (r.window_end as Date).toISOString(),
      count: Number(r.count),
      lost: Number(r.lost),
    }));
  }

  /** Counts per stage of the window(s) that started at windowStart, as a stageCounts run recorded them. */
  async stageCountsOfWindow(pipeline: string, windowStart: Date): Promise<Array<{ stage: string; windowStart: string; windowEnd: string; count: number; lost: number }>> {
    const { rows } = await this.pool.query(
      `SELECT stage, window_start, window_end, count, lost FROM ${this.s}.stage_counts WHERE pipeline = $1 AND window_start = $2 ORDER BY window_end, stage`,
      [pipeline, windowStart],
    );
    return rows.map((r) => ({
      stage: r.stage,
      windowStart: (r.window_start as Date).toISOString(),
      windowEnd: (r.window_end as Date).toISOString(),
      count: Number(r.count),
      lost: Number(r.lost),
    }));
  }

  /**
   * Records what is known about incidents' firing periods. Idempotent, and
   * order-free: the earliest acknowledgement or resolution seen wins, the
   * severity an incident opened with stays, pipelines and monitors accumulate.
   */
  async recordIncidentEvents(events: IncidentEvent[]): Promise<void> {
    for (const e of events) {
      await this.pool.query(
        `INSERT INTO ${this.s}.incident_events AS x (incident_id, opened_at, event, at, by, receiver, severity, pipelines, monitors)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (incident_id, opened_at, event) DO UPDATE SET
           by = CASE WHEN EXCLUDED.at < x.at THEN EXCLUDED.by ELSE x.by END,
           at = LEAST(x.at, EXCLUDED.at),
           severity = COALESCE(x.severity, EXCLUDED.severity),
           pipelines = ARRAY(SELECT DISTINCT p FROM unnest(x.pipelines || EXCLUDED.pipelines) AS p ORDER BY p),
           monitors = ARRAY(SELECT DISTINCT m FROM unnest(x.monitors || EXCLUDED.monitors) AS m ORDER BY m)`,
        [e.incidentId, e.openedAt, e.event, e.at, e.by ?? null, e.receiver, e.severity ?? null, e.pipelines, e.monitors],
      );
    }
  }

  /** Firing periods of a pipeline's incidents (by pipeline or by monitor) that overlap [from, to), oldest first. */
  async incidentPeriods(filter: { pipeline: string; monitors: string[]; from: Date; to: Date }): Promise<IncidentPeriod[]> {
    const { rows } = await this.pool.query(
      `SELECT incident_id, opened_at, max(receiver) AS receiver,
              max(severity) FILTER (WHERE event = 'opened') AS severity,
              min(at) FILTER (WHERE event = 'acknowledged') AS acknowledged_at,
              max(by) FILTER (WHERE event = 'acknowledged') AS acknowledged_by,
              min(at) FILTER (WHERE event = 'resolved') AS resolved_at,
              max(by) FILTER (WHERE event = 'resolved') AS resolved_by
         FROM ${this.s}.incident_events
        GROUP BY incident_id, opened_at
       HAVING bool_or($1 = ANY(pipelines) OR monitors && $2::text[])
          AND opened_at < $4
          AND (min(at) FILTER (WHERE event = 'resolved') IS NULL OR min(at) FILTER (WHERE event = 'resolved') >= $3)
        ORDER BY opened_at, incident_id`,
      [filter.pipeline, filter.monitors, filter.from, filter.to],
    );
    const iso = (d: Date | null) => (d ? d.toISOString() : undefined);
    return rows.map((r) => ({
      incidentId: r.incident_id,
      receiver: r.receiver,
      openedAt: (r.opened_at as Date).toISOString(),
      severity: r.severity ?? undefined,
      acknowledgedAt: iso(r.acknowledged_at),
      acknowledgedBy: r.acknowledged_by ?? undefined,
      resolvedAt: iso(r.resolved_at),
      resolvedBy: r.resolved_by ?? undefined,
    }));
  }

  /** Saves a report and its images once; a report saved before under the same id is kept as it was. */
  async saveReport(report: SavedReport): Promise<void> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO ${this.s}.reports (report_id, pipeline, period_start, period_end, summary, subject, html, text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (report_id) DO NOTHING`,
        [report.reportId, report.pipeline, report.periodStart, report.periodEnd, JSON.stringify(report.summary), report.subject, report.html, report.text],
      );
      if (rowCount) {
        for (const img of report.images) {
          await client.query(`INSERT INTO ${this.s}.report_images (report_id, name, width, height, png) VALUES ($1, $2, $3, $4, $5)`, [
            report.reportId, img.name, img.width, img.height, img.png,
          ]);
        }
      }
    });
  }

  async report(reportId: string): Promise<SavedReport | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.reports WHERE report_id = $1`, [reportId]);
    const r = rows[0];
    if (!r) return undefined;
    const images = await this.pool.query(`SELECT name, width, height, png FROM ${this.s}.report_images WHERE report_id = $1 ORDER BY name`, [reportId]);
    return {
      reportId: r.report_id,
      pipeline: r.pipeline,
      periodStart: (r.period_start as Date).toISOString(),
      periodEnd: (r.period_end as Date).toISOString(),
      summary: r.summary,
      subject: r.subject,
      html: r.html,
      text: r.text,
      images: images.rows.map((i) => ({ name: i.name, width: i.width, height: i.height, png: i.png as Buffer })),
    };
  }

  /** The latest reports of a pipeline, newest first, without their images. */
  async reports(pipeline: string, limit = 20): Promise<Array<{ reportId: string; periodStart: string; periodEnd: string; subject: string }>> {
    const { rows } = await this.pool.query(
      `SELECT report_id, period_start, period_end, subject FROM ${this.s}.reports WHERE pipeline = $1 ORDER BY period_end DESC LIMIT $2`,
      [pipeline, limit],
    );
    return rows.map((r) => ({ reportId: r.report_id, periodStart: (r.period_start as Date).toISOString(), periodEnd: (r.period_end as Date).toISOString(), subject: r.subject }));
  }

  /** When each monitor last recorded a run. */
  async lastRuns(monitorIds: string[]): Promise<Map<string, Date>> {
    const { rows } = await this.pool.query<{ monitor_id: string; at: Date }>(
      `SELECT monitor_id, max(recorded_at) AS at FROM ${this.s}.metric_points WHERE monitor_id = ANY($1) GROUP BY monitor_id`,
      [monitorIds],
    );
    return new Map(rows.map((r) => [r.monitor_id, r.at]));
  }

  /** Who answered an intervention, when, with which answer, and whether it was taken. Never the input itself. */
  async recordInterventionAudit(interventionId: string, entry: InterventionAuditEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.intervention_audit (intervention_id, at, by, answer, accepted, reason, via) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING`,
      [interventionId, entry.at, entry.by, entry.answer, entry.accepted, entry.reason ?? null, entry.via],
    );
  }

  async interventionAudit(interventionId: string): Promise<InterventionAuditEntry[]> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.intervention_audit WHERE intervention_id = $1 ORDER BY at`, [interventionId]);
    return rows.map((r) => ({ at: (r.at as Date).toISOString(), by: r.by, answer: r.answer, accepted: r.accepted, reason: r.reason ?? undefined, via: r.via }));
  }

  /**
   * Reads new log lines under a per-source lock: `read` gets the saved offsets
   * and returns new events and offsets, which are stored in one transaction —
   * a crash before the commit reads the same lines again, never twice, never
   * skipping any.
   */
  async ingestLogs(
    source: string,
    read: (offsets: Map<string, LogOffset>, emit: (events: Array<{ ts: Date; doc: unknown }>) => Promise<void>) => Promise<Array<{ file: string } & LogOffset>>,
  ): Promise<number> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pipewatch-logs:${this.schema}:${source}`]);
      const { rows } = await client.query<{ file: string; inode: string; position: string }>(`SELECT file, inode, position FROM ${this.s}.log_offsets WHERE source = $1`, [source]);
      const offsets = new Map(rows.map((r) => [r.file, { inode: r.inode, position: Number(r.position) }]));
      let count = 0;
      // Events arrive in batches while the files are read: memory holds one batch, not the file.
      const next = await read(offsets, async (batch) => {
        if (batch.length === 0) return;
        count += batch.length;
        await client.query(
          `INSERT INTO ${this.s}.log_events (source, ts, doc) SELECT $1, t, d FROM unnest($2::timestamptz[], $3::jsonb[]) AS u(t, d)`,
          [source, batch.map((e) => e.ts), batch.map((e) => JSON.stringify(e.doc))],
        );
      });
      for (const o of next) {
        await client.query(
          `INSERT INTO ${this.s}.log_offsets (source, file, inode, position) VALUES ($1, $2, $3, $4)
           ON CONFLICT (source, file) DO UPDATE SET inode = EXCLUDED.inode, position = EXCLUDED.position, updated_at = now()`,
          [source, o.file, o.inode, o.position],
        );
      }
      return count;
    });
  }

  async pruneLogEvents(source: string, before: Date): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.log_events WHERE source = $1 AND ts < $2`, [source, before]);
  }

  /** Events of a source in [from, to), in time order, a batch at a time (keyset on time and sequence). */
  async *logEvents(source: string, from: Date, to: Date, batch = 5_000): AsyncIterable<Array<{ seq: string; ts: Date; doc: Record<string, unknown> }>> {
    let afterTs = new Date(from.getTime() - 1);
    let afterSeq = '9223372036854775807';
    for (;;) {
      const { rows } = await this.pool.query<{ seq: string; ts: Date; doc: Record<string, unknown> }>(
        `SELECT seq, ts, doc FROM ${this.s}.log_events
          WHERE source = $1 AND (ts, seq) > ($2, $3::bigint) AND ts >= $4 AND ts < $5 ORDER BY ts, seq LIMIT $6`,
        [source, afterTs, afterSeq, from, to, batch],
      );
      if (rows.length === 0) return;
      yield rows;
      afterTs = rows.at(-1)!.ts;
      afterSeq = rows.at(-1)!.seq;
    }
  }

  /** Events read after sequence number `seq` (in reading order), with timestamps before `until`. */
  async logEventsAfter(source: string, seq: string, until: Date, limit: number): Promise<Array<{ seq: string; ts: Date; doc: Record<string, unknown> }>> {
    const { rows } = await this.pool.query(
      `SELECT seq, ts, doc FROM ${this.s}.log_events WHERE source = $1 AND seq > $2 AND ts < $3 ORDER BY seq LIMIT $4`,
      [source, seq, until, limit],
    );
    return rows;
  }

  async lastLogSeq(source: string): Promise<string> {
    const { rows } = await this.pool.query<{ s: string | null }>(`SELECT max(seq)::text AS s FROM ${this.s}.log_events WHERE source = $1`, [source]);
    return rows[0]?.s ?? '0';
  }

  async logCursor(monitorId: string): Promise<unknown> {
    const { rows } = await this.pool.query(`SELECT cursor FROM ${this.s}.log_cursors WHERE monitor_id = $1`, [monitorId]);
    return rows[0]?.cursor;
  }

  async saveLogCursor(monitorId: string, cursor: unknown): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.log_cursors (monitor_id, cursor) VALUES ($1, $2) ON CONFLICT (monitor_id) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
      [monitorId, JSON.stringify(cursor)],
    );
  }

  /**
   * Since when each condition a check sees now has held (a container crash-
   * looping, a pod stuck Pending): the first time pipewatch saw it, or the
   * earlier `since` the source itself reports. Conditions no longer seen are
   * forgotten, so a recurrence starts a new span.
   */
  async observeConditions(monitorId: string, seen: Array<{ key: string; since?: Date }>, at: Date): Promise<Map<string, Date>> {
    const keys = seen.map((c) => c.key);
    const sinces = seen.map((c) => (c.since && c.since < at ? c.since : at));
    return this.transaction(async (client) => {
      await client.query(`DELETE FROM ${this.s}.observed_conditions WHERE monitor_id = $1 AND NOT (key = ANY($2::text[]))`, [monitorId, keys]);
      const { rows } = await client.query<{ key: string; since: Date }>(
        `INSERT INTO ${this.s}.observed_conditions (monitor_id, key, since, last_seen)
         SELECT $1, k, s, $4 FROM unnest($2::text[], $3::timestamptz[]) AS t(k, s)
         ON CONFLICT (monitor_id, key) DO UPDATE SET since = LEAST(${this.s}.observed_conditions.since, EXCLUDED.since), last_seen = EXCLUDED.last_seen
         RETURNING key, since`,
        [monitorId, keys, sinces, at],
      );
      return new Map(rows.map((r) => [r.key, r.since]));
    });
  }

  /**
   * Records counter values (container restart counts) and returns, per key,
   * the oldest sample inside the window: the increase over the window is the
   * value now minus that one. Samples older than the window are dropped.
   */
  async sampleCounters(monitorId: string, samples: Array<{ key: string; value: number }>, at: Date, windowMs: number): Promise<Map<string, { at: Date; value: number }>> {
    const from = new Date(at.getTime() - windowMs);
    await this.pool.query(`DELETE FROM ${this.s}.counter_samples WHERE monitor_id = $1 AND at < $2`, [monitorId, from]);
    const { rows } = await this.pool.query<{ key: string; at: Date; value: number }>(
      `SELECT DISTINCT ON (key) key, at, value FROM ${this.s}.counter_samples
       WHERE monitor_id = $1 AND key = ANY($2::text[]) AND at >= $3 AND at < $4 ORDER BY key, at`,
      [monitorId, samples.map((c) => c.key), from, at],
    );
    await this.pool.query(
      `INSERT INTO ${this.s}.counter_samples (monitor_id, key, at, value)
       SELECT $1, k, $4, v FROM unnest($2::text[], $3::float8[]) AS t(k, v) ON CONFLICT DO NOTHING`,
      [monitorId, samples.map((c) => c.key), samples.map((c) => c.value), at],
    );
    return new Map(rows.map((r) => [r.key, { at: r.at, value: r.value }]));
  }

  async apiShape(monitorId: string): Promise<ApiShape | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.api_shapes WHERE monitor_id = $1`, [monitorId]);
    const r = rows[0];
    return r
      ? { accepted: r.accepted, acceptedAt: (r.accepted_at as Date).toISOString(), acceptedBy: r.accepted_by, latest: r.latest, latestAt: (r.latest_at as Date).toISOString() }
      : undefined;
  }

  /** Records the shape just seen; the first one seen is accepted as the baseline. */
  async observeApiShape(monitorId: string, shape: Record<string, string>): Promise<ApiShape> {
    const { rows } = await this.pool.query(
      `INSERT INTO ${this.s}.api_shapes (monitor_id, accepted, accepted_at, accepted_by, latest, latest_at)
       VALUES ($1, $2, now(), 'pipewatch (first response seen)', $2, now())
       ON CONFLICT (monitor_id) DO UPDATE SET latest = EXCLUDED.latest, latest_at = now()
       RETURNING *`,
      [monitorId, JSON.stringify(shape)],
    );
    const r = rows[0];
    return { accepted: r.accepted, acceptedAt: (r.accepted_at as Date).toISOString(), acceptedBy: r.accepted_by, latest: r.latest, latestAt: (r.latest_at as Date).toISOString() };
  }

  /** An operator accepts the latest shape as the new normal. */
  async acceptApiShape(monitorId: string, by: string): Promise<ApiShape | undefined> {
    await this.pool.query(`UPDATE ${this.s}.api_shapes SET accepted = latest, accepted_at = now(), accepted_by = $2 WHERE monitor_id = $1`, [monitorId, by]);
    return this.apiShape(monitorId);
  }

  async recentPoints(monitorId: string, limit = 50): Promise<StoredPoint[]> {
    const { rows } = await this.pool.query<{ run_id: string; observed_at: Date; value: number | null; status: Status; reason: string }>(
      `SELECT run_id, observed_at, value, status, reason FROM ${this.s}.metric_points
        WHERE monitor_id = $1 ORDER BY observed_at DESC LIMIT $2`,
      [monitorId, limit],
    );
    return rows.map((r) => ({ runId: r.run_id, observedAt: r.observed_at.toISOString(), value: r.value, status: r.status, reason: r.reason }));
  }

  /**
   * The latest `limit` points of each monitor, newest first: one query for a
   * whole page of sparklines.
   */
  async recentPointsOf(monitorIds: string[], limit: number): Promise<Map<string, StoredPoint[]>> {
    const { rows } = await this.pool.query<{ monitor_id: string; run_id: string; observed_at: Date; value: number | null; status: Status; reason: string }>(
      `SELECT monitor_id, run_id, observed_at, value, status, reason FROM (
         SELECT *, row_number() OVER (PARTITION BY monitor_id ORDER BY observed_at DESC, recorded_at DESC) AS n
           FROM ${this.s}.metric_points WHERE monitor_id = ANY($1)) p
        WHERE n <= $2 ORDER BY monitor_id, observed_at DESC`,
      [monitorIds, limit],
    );
    const out = new Map<string, StoredPoint[]>();
    for (const r of rows) {
      const list = out.get(r.monitor_id) ?? [];
      list.push({ runId: r.run_id, observedAt: r.observed_at.toISOString(), value: r.value, status: r.status, reason: r.reason });
      out.set(r.monitor_id, list);
    }
    return out;
  }

  /** Current state of each monitor that has run, with its last run and the incidents an open alert joined. */
  async monitorStates(monitorIds: string[]): Promise<Map<string, MonitorState & { lastRunId: string; incidentIds: string[]; updatedAt: string }>> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.monitor_state WHERE monitor_id = ANY($1)`, [monitorIds]);
    return new Map(
      rows.map((r) => [
        r.monitor_id as string,
        { ...rowToState(r), lastRunId: r.last_run_id as string, incidentIds: (r.incident_ids as string[] | null) ?? [], updatedAt: (r.updated_at as Date).toISOString() },
      ]),
    );
  }

  async monitorState(monitorId: string): Promise<MonitorState | undefined> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.monitor_state WHERE monitor_id = $1`, [monitorId]);
    return rows[0] ? rowToState(rows[0]) : undefined;
  }

  /**
   * Records one run's verdict and advances the monitor's state. Idempotent per
   * runId: an activity retried after it committed gets the same transition back
   * instead of a second one (or none, which would lose the alert).
   */
  async recordRun(input: RunToRecord): Promise<RecordedRun> {
    return (await this.recordRuns([input]))[0]!;
  }

  /**
   * Several monitors' runs in one transaction (a cadence group's tick): the
   * same per-monitor logic as one run, in seven statements whatever their
   * number. States are locked in monitor id order, so concurrent batches
   * cannot deadlock. A run already recorded (same run id) changes nothing and
   * returns what it recorded then.
   */
  async recordRuns(inputs: RunToRecord[]): Promise<RecordedRun[]> {
    if (inputs.length === 0) return [];
    const ids = inputs.map((i) => i.monitorId);
    if (new Set(ids).size !== ids.length) throw new Error('recordRuns: one run per monitor in a batch');
    return this.transaction(async (client) => {
      await client.query(
        `INSERT INTO ${this.s}.monitor_state (monitor_id, status, alerting, failing_streak, healthy_streak, since, last_run_id, last_transition)
         SELECT id, 'ok', false, 0, 0, now(), '', 'none' FROM unnest($1::text[]) AS id ON CONFLICT (monitor_id) DO NOTHING`,
        [ids],
      );
      const { rows } = await client.query(`SELECT * FROM ${this.s}.monitor_state WHERE monitor_id = ANY($1) ORDER BY monitor_id FOR UPDATE`, [ids]);
      const rowOf = new Map(rows.map((r) => [r.monitor_id as string, r]));
      const points: unknown[][] = [[], [], [], [], [], [], []];
      const states: unknown[][] = [[], [], [], [], [], [], [], [], [], [], []];
      const push = (columns: unknown[][], values: unknown[]) => values.forEach((v, i) => columns[i]!.push(v));
      const recorded = inputs.map((input): RecordedRun => {
        const { monitorId, runId, verdict, flap } = input;
        const row = rowOf.get(monitorId)!;
        if (row.last_run_id === runId) {
          return { state: rowToState(row), transition: row.last_transition as Transition, alertLabels: row.alert_labels ?? undefined, incidentIds: row.incident_ids ?? [] };
        }
        const previous = row.last_run_id === '' ? undefined : rowToState(row);
        const { state, transition } = nextMonitorState(previous, verdict.status, verdict.observedAt, flap);
        // An alert keeps the labels and incidents it opened with until it resolves.
        const alertLabels = transition === 'open' ? (input.labels ?? {}) : (row.alert_labels ?? undefined);
        const incidentIds: string[] = transition === 'open' ? (input.incidentIds ?? []) : (row.incident_ids ?? []);
        push(points, [monitorId, runId, verdict.observedAt, verdict.value ?? null, verdict.status, verdict.reason, verdict.details ? JSON.stringify(verdict.details) : null]);
        push(states, [
          monitorId, state.status, state.alerting, state.alertStatus ?? null, state.failingStreak, state.healthyStreak, state.since, runId, transition,
          alertLabels ? JSON.stringify(alertLabels) : null, JSON.stringify(incidentIds),
        ]);
        return { state, transition, alertLabels, incidentIds };
      });
      if (points[0]!.length > 0) {
        await client.query(
          `INSERT INTO ${this.s}.metric_points (monitor_id, run_id, observed_at, value, status, reason, details)
           SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[], $6::text[], $7::jsonb[])
           ON CONFLICT (monitor_id, run_id) DO NOTHING`,
          points,
        );
        await client.query(
          `UPDATE ${this.s}.monitor_state AS m SET status = v.status, alerting = v.alerting, alert_status = v.alert_status,
             failing_streak = v.failing_streak, healthy_streak = v.healthy_streak, since = v.since, last_run_id = v.last_run_id,
             last_transition = v.last_transition, alert_labels = v.alert_labels, incident_ids = v.incident_ids, updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::bool[], $4::text[], $5::int[], $6::int[], $7::timestamptz[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[])
             AS v(monitor_id, status, alerting, alert_status, failing_streak, healthy_streak, since, last_run_id, last_transition, alert_labels, incident_ids)
           WHERE m.monitor_id = v.monitor_id`,
          states,
        );
      }
      return recorded;
    });
  }

  /** Alerts that are open now, with their labels: what inhibition rules compare against. */
  async activeAlerts(): Promise<ActiveAlertRow[]> {
    const { rows } = await this.pool.query(
      `SELECT monitor_id, alert_labels, alert_status FROM ${this.s}.monitor_state WHERE alerting ORDER BY monitor_id`,
    );
    return rows.map((r) => ({ monitorId: r.monitor_id, labels: r.alert_labels ?? {}, status: r.alert_status }));
  }

  /**
   * An operator resolved the incident by hand: the monitors stop alerting and
   * start counting failures afresh, so one that is still failing opens a new
   * incident after failAfter more runs instead of never again.
   */
  async stopAlerting(monitorIds: string[]): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s}.monitor_state SET alerting = false, alert_status = NULL, failing_streak = 0, alert_labels = NULL,
         incident_ids = '[]'::jsonb, updated_at = now() WHERE monitor_id = ANY($1)`,
      [monitorIds],
    );
  }

  /** Notifications confirmed on a channel since a moment: what its rate limit counts. */
  async sentSince(channelId: string, since: Date): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.s}.notifications WHERE channel_id = $1 AND state = 'sent' AND sent_at >= $2`,
      [channelId, since],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Claims a notification before it is sent. 'sent' means an earlier attempt
   * delivered it: do not send again. 'retry' means an earlier attempt started
   * and did not confirm (the worker died mid-send): send again.
   */
  async claimNotification(key: string, meta: { channelId: string; incidentId: string; kind: string }): Promise<NotificationClaim> {
    const { rows } = await this.pool.query<{ state: string; attempts: number }>(
      `INSERT INTO ${this.s}.notifications (idempotency_key, channel_id, incident_id, kind, state)
       VALUES ($1, $2, $3, $4, 'sending')
       ON CONFLICT (idempotency_key) DO UPDATE
         SET attempts = ${this.s}.notifications.attempts + CASE WHEN ${this.s}.notifications.state = 'sent' THEN 0 ELSE 1 END
       RETURNING state, attempts`,
      [key, meta.channelId, meta.incidentId, meta.kind],
    );
    const row = rows[0]!;
    if (row.state === 'sent') return 'sent';
    return row.attempts > 1 ? 'retry' : 'new';
  }

  async markNotificationSent(key: string, messageId: string | undefined): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s}.notifications SET state = 'sent', sent_at = now(), message_id = $2 WHERE idempotency_key = $1`,
      [key, messageId ?? null],
    );
  }

  async notifications(incidentId?: string): Promise<Array<{ key: string; channelId: string; kind: string; state: string; attempts: number }>> {
    const { rows } = await this.pool.query(
      `SELECT idempotency_key, channel_id, kind, state, attempts FROM ${this.s}.notifications
        WHERE $1::text IS NULL OR incident_id = $1 ORDER BY first_attempt_at`,
      [incidentId ?? null],
    );
    return rows.map((r) => ({ key: r.idempotency_key, channelId: r.channel_id, kind: r.kind, state: r.state, attempts: r.attempts }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function rowToState(row: Record<string, unknown>): MonitorState {
  return {
    status: row.status as Status,
    alerting: row.alerting as boolean,
    alertStatus: (row.alert_status as Status | null) ?? undefined,
    failingStreak: row.failing_streak as number,
    healthyStreak: row.healthy_streak as number,
    since: (row.since as Date).toISOString(),
  };
}

/** A connection URL without its password, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}
