// NDJSON log files as a log source, so log rules work without Elasticsearch.
// New lines are read from saved offsets (per file, with its inode) and kept in
// the store for the rules' windows; a rotated file (renamed, a new one in its
// place) is read to its end under its new name before the new file is read
// from the start; a truncated file is read again from the start. Offsets and
// events are saved in one transaction: after a restart nothing is read twice
// and nothing is skipped. A line without its newline yet waits for the next run.
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ConnectorSpec } from '../../config/model.js';
import { globRegExp } from '../../evaluation/glob.js';
import { fieldValue, matchesQuery, parseQuery } from '../../evaluation/lucene.js';
import type { HistoryStore, LogOffset } from '../../store/history.js';
import { termOf, type LogCursor, type LogEvent, type LogsCheck, type LogSource } from '../logs.js';
import { CollectError, type Connector, type ConnectorFactory, type TimeRange } from '../types.js';

type LogFilesSpec = Extract<ConnectorSpec, { type: 'logfiles' }>;

const CHUNK = 1024 * 1024;

/**
 * Complete lines of a file from `position`, a chunk at a time, each with the
 * position after its last line. A truncated file is read again from the start.
 */
export async function* readLines(
  file: string,
  position: number,
): AsyncGenerator<{ lines: string[]; position: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    let offset = size < position ? 0 : position;
    let consumed = offset;
    let carry = Buffer.alloc(0);
    while (offset < size) {
      const buffer = Buffer.alloc(Math.min(CHUNK, size - offset));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      let data = Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
      const lines: string[] = [];
      let nl: number;
      while ((nl = data.indexOf(10)) >= 0) {
        lines.push(data.subarray(0, nl).toString('utf8'));
        consumed += nl + 1;
        data = data.subarray(nl + 1);
      }
      carry = data;
      yield { lines, position: consumed };
    }
    if (consumed === (size < position ? 0 : position)) yield { lines: [], position: consumed };
  } finally {
    await handle.close();
  }
}

class LogFilesConnector implements Connector {
  constructor(
    private readonly id: string,
    private readonly spec: LogFilesSpec,
  ) {}

  private async files(): Promise<Array<{ path: string; inode: string }>> {
    const dir = dirname(this.spec.path);
    const re = globRegExp(basename(this.spec.path));
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      throw new CollectError(
        `logfiles connector "${this.id}": cannot read ${dir} (${(err as NodeJS.ErrnoException).code})`,
      );
    }
    const out: Array<{ path: string; inode: string }> = [];
    for (const name of names.sort()) {
      const path = join(dir, name);
      const s = await stat(path).catch(() => undefined);
      if (s?.isFile()) out.push({ path, inode: String(s.ino) });
    }
    return out.filter((f) => re.test(basename(f.path)));
  }

  private parse(line: string, now: Date): { ts: Date; doc: Record<string, unknown> } | undefined {
    if (!line.trim()) return undefined;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(line) as Record<string, unknown>;
      if (doc === null || typeof doc !== 'object') doc = { message: line };
    } catch {
      doc = { message: line }; // not JSON: kept as a message
    }
    const raw = fieldValue(doc, this.spec.timestampField);
    const ts = raw === undefined ? now : new Date(raw as string | number);
    return { ts: Number.isNaN(ts.getTime()) ? now : ts, doc };
  }

  /** Reads what is new in the files into the store; returns how many events. */
  async ingest(store: HistoryStore): Promise<number> {
    const matched = await this.files();
    // Rotated files keep their inode under a new name: look in the whole directory for them.
    const dir = dirname(this.spec.path);
    const everything = await readdir(dir).then(
      async (names) =>
        Promise.all(
          names.map(async (n) => ({
            path: join(dir, n),
            inode: String((await stat(join(dir, n)).catch(() => undefined))?.ino ?? ''),
          })),
        ),
      () => [] as Array<{ path: string; inode: string }>,
    );
    const now = new Date();
    const count = await store.ingestLogs(this.id, async (offsets: Map<string, LogOffset>, emit) => {
      const next: Array<{ file: string } & LogOffset> = [];
      const take = async (path: string, from: number): Promise<number> => {
        let position = from;
        for await (const chunk of readLines(path, from)) {
          await emit(chunk.lines.flatMap((l) => this.parse(l, now) ?? []));
          position = chunk.position;
        }
        return position;
      };
      for (const file of matched) {
        const saved = offsets.get(file.path);
        let position = 0;
        if (saved && saved.inode === file.inode) position = saved.position;
        else if (saved) {
          // Rotated: finish the old file where it now lives, then start the new one.
          const moved = everything.find((f) => f.inode === saved.inode);
          if (moved) await take(moved.path, saved.position);
        }
        next.push({ file: file.path, inode: file.inode, position: await take(file.path, position) });
      }
      return next;
    });
    await store.pruneLogEvents(this.id, new Date(Date.now() - this.spec.retention));
    return count;
  }

  async logSource(check: LogsCheck, context: { store: HistoryStore }): Promise<LogSource> {
    const { store } = context;
    await this.ingest(store);
    const query = parseQuery(check.query);
    const matching = async function* (r: TimeRange) {
      for await (const batch of store.logEvents(thisId, r.from, r.to)) {
        for (const e of batch) if (matchesQuery(query, e.doc)) yield e;
      }
    };
    const thisId = this.id;
    const toEvent = (e: { seq: string; ts: Date; doc: Record<string, unknown> }): LogEvent => ({
      id: e.seq,
      ts: e.ts.toISOString(),
      doc: e.doc,
    });
    return {
      async counts(r, keyFields) {
        const counts = new Map<string, number>();
        for await (const e of matching(r)) {
          const key = keyFields.length ? termOf(e.doc, keyFields) : '';
          if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        if (!keyFields.length && !counts.has('')) counts.set('', 0);
        return counts;
      },
      async distinct(r, fields, limit, keyFields) {
        const out = new Map<string, Set<string>>();
        for await (const e of matching(r)) {
          const key = keyFields.length ? termOf(e.doc, keyFields) : '';
          const term = termOf(e.doc, fields);
          if (key === undefined || term === undefined) continue;
          const terms = out.get(key) ?? out.set(key, new Set()).get(key)!;
          if (terms.size < limit) terms.add(term);
        }
        return out;
      },
      async metric(r, field, agg, keyFields) {
        const acc = new Map<string, { n: number; v: number }>();
        for await (const e of matching(r)) {
          const key = keyFields.length ? termOf(e.doc, keyFields) : '';
          const raw = fieldValue(e.doc, field);
          const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
          if (key === undefined || Number.isNaN(v)) continue;
          const a = acc.get(key);
          if (!a) acc.set(key, { n: 1, v });
          else
            acc.set(key, {
              n: a.n + 1,
              v: agg === 'min' ? Math.min(a.v, v) : agg === 'max' ? Math.max(a.v, v) : a.v + v,
            });
        }
        return new Map([...acc].map(([k, a]) => [k, agg === 'avg' ? a.v / a.n : a.v]));
      },
      async samples(r, n) {
        const keep: LogEvent[] = [];
        for await (const e of matching(r)) {
          keep.push(toEvent(e));
          if (keep.length > n) keep.shift();
        }
        return keep.reverse();
      },
      async after(cursor: LogCursor | undefined, _bounds: { until: Date; settled: Date }, limit: number) {
        // Files resume in reading order: the cursor holds the last sequence number seen. Reading
        // order is arrival order, so no event slips behind the cursor, however late its timestamp.
        const notBefore = cursor && cursor.seen.length === 0 ? new Date(cursor.ts) : undefined; // first run: from the window
        let last = cursor?.seen[0] ?? '0';
        const events: LogEvent[] = [];
        let more = false;
        scan: for (;;) {
          const rows = await store.logEventsAfter(thisId, last, new Date(8.64e15), 1000);
          if (rows.length === 0) break;
          for (const e of rows) {
            if (events.length === limit) {
              more = true;
              break scan;
            }
            last = e.seq;
            if (notBefore && e.ts < notBefore) continue;
            if (matchesQuery(query, e.doc)) events.push(toEvent(e));
          }
        }
        return {
          events,
          cursor: { ts: events.at(-1)?.ts ?? cursor?.ts ?? new Date().toISOString(), seen: [last] },
          more,
        };
      },
    };
  }

  async collect(): Promise<never> {
    throw new CollectError(`logfiles connector "${this.id}" runs logs checks only`);
  }

  async ping(): Promise<void> {
    await this.files();
  }

  async close(): Promise<void> {}
}

export const logfilesConnector: ConnectorFactory<'logfiles'> = {
  type: 'logfiles',
  create: (id, spec) => new LogFilesConnector(id, spec),
};
