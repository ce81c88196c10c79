// log_offsets, log_events and log_cursors: lines read from log files (read once,
// in order, under a per-source lock) and what each log rule keeps between runs.
import { Tables } from './tables.js';

export interface LogOffset {
  inode: string;
  position: number;
}

export class LogTables extends Tables {
  /**
   * Reads new log lines under a per-source lock: `read` gets the saved offsets
   * and returns new events and offsets, which are stored in one transaction —
   * a crash before the commit reads the same lines again, never twice, never
   * skipping any.
   */
  async ingestLogs(
    source: string,
    read: (
      offsets: Map<string, LogOffset>,
      emit: (events: Array<{ ts: Date; doc: unknown }>) => Promise<void>,
    ) => Promise<Array<{ file: string } & LogOffset>>,
  ): Promise<number> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pipewatch-logs:${this.schema}:${source}`]);
      const { rows } = await client.query<{ file: string; inode: string; position: string }>(
        `SELECT file, inode, position FROM ${this.s}.log_offsets WHERE source = $1`,
        [source],
      );
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
  async *logEvents(
    source: string,
    from: Date,
    to: Date,
    batch = 5_000,
  ): AsyncIterable<Array<{ seq: string; ts: Date; doc: Record<string, unknown> }>> {
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
  async logEventsAfter(
    source: string,
    seq: string,
    until: Date,
    limit: number,
  ): Promise<Array<{ seq: string; ts: Date; doc: Record<string, unknown> }>> {
    const { rows } = await this.pool.query(
      `SELECT seq, ts, doc FROM ${this.s}.log_events WHERE source = $1 AND seq > $2 AND ts < $3 ORDER BY seq LIMIT $4`,
      [source, seq, until, limit],
    );
    return rows;
  }

  async lastLogSeq(source: string): Promise<string> {
    const { rows } = await this.pool.query<{ s: string | null }>(
      `SELECT max(seq)::text AS s FROM ${this.s}.log_events WHERE source = $1`,
      [source],
    );
    return rows[0]?.s ?? '0';
  }

  async logCursor(monitorId: string): Promise<unknown> {
    const { rows } = await this.pool.query(`SELECT cursor FROM ${this.s}.log_cursors WHERE monitor_id = $1`, [
      monitorId,
    ]);
    return rows[0]?.cursor;
  }

  async saveLogCursor(monitorId: string, cursor: unknown): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.log_cursors (monitor_id, cursor) VALUES ($1, $2) ON CONFLICT (monitor_id) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
      [monitorId, JSON.stringify(cursor)],
    );
  }
}
