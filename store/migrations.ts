// The history store's schema, as ordered migrations. Append only: a migration
// that has shipped is never edited, a change is a new entry.
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'metric points, monitor state, notification ledger',
    sql: (s) => `
      CREATE TABLE ${s}.metric_points (
        monitor_id   text        NOT NULL,
        run_id       text        NOT NULL,
        observed_at  timestamptz NOT NULL,
        value        double precision,
        status       text        NOT NULL,
        reason       text        NOT NULL,
        details      jsonb,
        recorded_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (monitor_id, run_id)
      );
      CREATE INDEX metric_points_by_time ON ${s}.metric_points (monitor_id, observed_at DESC);

      CREATE TABLE ${s}.monitor_state (
        monitor_id       text        PRIMARY KEY,
        status           text        NOT NULL,
        alerting         boolean     NOT NULL,
        alert_status     text,
        failing_streak   integer     NOT NULL,
        healthy_streak   integer     NOT NULL,
        since            timestamptz NOT NULL,
        last_run_id      text        NOT NULL,
        last_transition  text        NOT NULL,
        updated_at       timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE ${s}.notifications (
        idempotency_key  text        PRIMARY KEY,
        channel_id       text        NOT NULL,
        incident_id      text        NOT NULL,
        kind             text        NOT NULL,
        state            text        NOT NULL CHECK (state IN ('sending', 'sent')),
        attempts         integer     NOT NULL DEFAULT 1,
        first_attempt_at timestamptz NOT NULL DEFAULT now(),
        sent_at          timestamptz,
        message_id       text
      );
    `,
  },
  {
    version: 2,
    name: 'alert labels and incidents per monitor',
    sql: (s) => `
      ALTER TABLE ${s}.monitor_state ADD COLUMN alert_labels jsonb;
      ALTER TABLE ${s}.monitor_state ADD COLUMN incident_ids jsonb;
      CREATE INDEX notifications_by_channel ON ${s}.notifications (channel_id, sent_at);
    `,
  },
  {
    version: 3,
    name: 'distinct records per pipeline stage and window',
    sql: (s) => `
      CREATE TABLE ${s}.stage_counts (
        pipeline     text        NOT NULL,
        stage        text        NOT NULL,
        window_start timestamptz NOT NULL,
        window_end   timestamptz NOT NULL,
        count        bigint      NOT NULL,
        lost         bigint      NOT NULL,
        recorded_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (pipeline, stage, window_start, window_end)
      );
    `,
  },
  {
    version: 4,
    name: 'API response shapes: accepted and latest',
    sql: (s) => `
      CREATE TABLE ${s}.api_shapes (
        monitor_id  text        PRIMARY KEY,
        accepted    jsonb       NOT NULL,
        accepted_at timestamptz NOT NULL,
        accepted_by text        NOT NULL,
        latest      jsonb       NOT NULL,
        latest_at   timestamptz NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'intervention audit',
    sql: (s) => `
      CREATE TABLE ${s}.intervention_audit (
        intervention_id text        NOT NULL,
        at              timestamptz NOT NULL,
        by              text        NOT NULL,
        answer          text        NOT NULL,
        accepted        boolean     NOT NULL,
        reason          text,
        via             text        NOT NULL,
        PRIMARY KEY (intervention_id, at, by, answer)
      );
    `,
  },
  {
    version: 6,
    name: 'log files: offsets, events, cursors of any-rules',
    sql: (s) => `
      CREATE TABLE ${s}.log_offsets (
        source     text        NOT NULL,
        file       text        NOT NULL,
        inode      text        NOT NULL,
        position   bigint      NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, file)
      );
      CREATE TABLE ${s}.log_events (
        source text        NOT NULL,
        seq    bigserial,
        ts     timestamptz NOT NULL,
        doc    jsonb       NOT NULL,
        PRIMARY KEY (source, seq)
      );
      CREATE INDEX log_events_by_time ON ${s}.log_events (source, ts, seq);
      CREATE TABLE ${s}.log_cursors (
        monitor_id text        PRIMARY KEY,
        cursor     jsonb       NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 7,
    name: 'conditions observed over time (how long a pod has crash-looped) and counter samples (restarts over a window)',
    sql: (s) => `
      CREATE TABLE ${s}.observed_conditions (
        monitor_id text        NOT NULL,
        key        text        NOT NULL,
        since      timestamptz NOT NULL,
        last_seen  timestamptz NOT NULL,
        PRIMARY KEY (monitor_id, key)
      );
      CREATE TABLE ${s}.counter_samples (
        monitor_id text        NOT NULL,
        key        text        NOT NULL,
        at         timestamptz NOT NULL,
        value      double precision NOT NULL,
        PRIMARY KEY (monitor_id, key, at)
      );
    `,
  },
  {
    version: 8,
    name: 'incident events (opened, acknowledged, resolved) and saved reports with their chart images',
    sql: (s) => `
      CREATE TABLE ${s}.incident_events (
        incident_id text        NOT NULL,
        opened_at   timestamptz NOT NULL,
        event       text        NOT NULL CHECK (event IN ('opened', 'acknowledged', 'resolved')),
        at          timestamptz NOT NULL,
        by          text,
        receiver    text        NOT NULL,
        severity    text,
        pipelines   text[]      NOT NULL DEFAULT '{}',
        monitors    text[]      NOT NULL DEFAULT '{}',
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, opened_at, event)
      );
      CREATE INDEX incident_events_by_time ON ${s}.incident_events (opened_at);
      CREATE TABLE ${s}.reports (
        report_id    text        PRIMARY KEY,
        pipeline     text        NOT NULL,
        period_start timestamptz NOT NULL,
        period_end   timestamptz NOT NULL,
        summary      jsonb       NOT NULL,
        subject      text        NOT NULL,
        html         text        NOT NULL,
        text         text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX reports_by_pipeline ON ${s}.reports (pipeline, period_end DESC);
      CREATE TABLE ${s}.report_images (
        report_id text    NOT NULL REFERENCES ${s}.reports (report_id) ON DELETE CASCADE,
        name      text    NOT NULL,
        width     integer NOT NULL,
        height    integer NOT NULL,
        png       bytea   NOT NULL,
        PRIMARY KEY (report_id, name)
      );
    `,
  },
];

/**
 * Applies the migrations a schema lacks, on a client inside a transaction. An
 * advisory lock per schema serialises workers that start together: the second
 * waits, then finds every version applied.
 */
export async function applyMigrations(client: pg.PoolClient, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pipewatch-migrate:${schema}`]);
  // PostgreSQL checks CREATE on the database before IF NOT EXISTS looks: a role that only owns a schema made
  // for it would be refused, so the schema is made only when it is missing.
  const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (!rowCount) await client.query(`CREATE SCHEMA ${s}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
  const applied = new Set(rows.map((r) => r.version));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    await client.query(m.sql(s));
    await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
  }
}
