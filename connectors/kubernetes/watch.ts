// List-then-watch of one Kubernetes collection, as client-go's reflector does:
// a paged list gives the objects and a resourceVersion; a watch from that
// version streams every change after it. When the stream ends (the server's
// timeout, an API server restart) the watch resumes from the last version
// seen, which bookmarks keep fresh; when the server answers 410 Gone (that
// version was compacted away) the collection is listed afresh and compared
// with what is held, so nothing is missed and nothing is reported twice.
// Memory is bounded: at most `max` objects are kept, the oldest dropped first.

export interface ListPage {
  items: unknown[];
  resourceVersion: string;
  continue?: string;
}

export interface WatchHandle {
  abort(): void;
}

export interface ListWatchSource {
  /** One page of the collection: the first when `continueToken` is undefined. */
  list(continueToken: string | undefined, limit: number): Promise<ListPage>;
  /** Streams changes after resourceVersion until the server closes the stream (done(undefined)) or fails (done(err)). */
  watch(
    resourceVersion: string,
    onEvent: (type: string, object: unknown) => void,
    done: (err?: unknown) => void,
  ): Promise<WatchHandle>;
}

export type Change = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ListWatchOptions<T> {
  /** The object's identity and version: a change is reported once per (key, version). */
  key(object: T): string | undefined;
  version(object: T): string;
  /** Copies what is kept of an object (a compact record), or undefined to ignore it. */
  keep(object: unknown): T | undefined;
  onChange?(change: Change, object: T): void;
  max: number;
  pageSize?: number;
  /** What the watch is of, for messages: "events in namespace pipelines". */
  what: string;
  /** Delay before the n-th consecutive retry. */
  backoff?(attempt: number): number;
}

/**
 * Splits a watch stream into its lines (one JSON object each) without letting
 * a line grow past `maxBytes`: a stream that never sends a newline would
 * otherwise be held whole, as Node's readline does.
 */
export class LineSplitter {
  // The unfinished line, in one buffer that doubles as it fills: a stream of
  // one-byte chunks costs no more than one of large ones.
  private buffer = Buffer.alloc(0);
  private used = 0;

  constructor(readonly maxBytes: number) {}

  /** The lines this chunk completes; throws when the unfinished line passes maxBytes. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.append(chunk.subarray(start, nl));
      const text = this.buffer.toString('utf8', 0, this.used).trim();
      this.used = 0;
      // One huge object should not pin its buffer for the life of the watch.
      if (this.buffer.length > 1024 * 1024) this.buffer = Buffer.alloc(0);
      if (text) lines.push(text);
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
    return lines;
  }

  private append(part: Buffer): void {
    const needed = this.used + part.length;
    if (needed > this.maxBytes) {
      this.buffer = Buffer.alloc(0);
      this.used = 0;
      throw new Error(
        `the watch stream sent a line longer than ${formatBytes(this.maxBytes)} (the limit) without ending it`,
      );
    }
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(64 * 1024, needed * 2)));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    part.copy(this.buffer, this.used);
    this.used = needed;
  }
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB`
    : n >= 1024
      ? `${Math.round(n / 1024)} KB`
      : `${n} bytes`;
}

/** 410 Gone, however it arrived: an HTTP status or a Status object in the stream. */
export function isGone(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: number; status?: number; body?: unknown } | undefined;
  return e?.statusCode === 410 || e?.code === 410 || e?.status === 410;
}

export class ListWatch<T> {
  private readonly objects = new Map<string, T>();
  private resourceVersion = '';
  private handle?: WatchHandle;
  private stopped = false;
  private failures = 0;
  private timer?: NodeJS.Timeout;
  /** The last failure of the list or watch; cleared when a watch is established again. */
  lastError?: string;
  /** When the watch was last known to be streaming (established or an event arrived). */
  healthySince?: number;
  /** Lists done so far: the first, and one per 410 Gone. */
  relists = 0;
  readonly ready: Promise<void>;

  constructor(
    private readonly source: ListWatchSource,
    private readonly options: ListWatchOptions<T>,
  ) {
    this.ready = this.relist().then(() => this.watch());
    // A failed first list is reported to whoever awaits `ready`; nothing else retries it.
    this.ready.catch(() => undefined);
  }

  /** The objects held now, oldest first. */
  items(): T[] {
    return [...this.objects.values()];
  }

  get size(): number {
    return this.objects.size;
  }

  get connected(): boolean {
    return this.handle !== undefined && this.lastError === undefined;
  }

  private put(object: T, change: Change): void {
    const key = this.options.key(object);
    if (key === undefined) return;
    const known = this.objects.get(key);
    if (known && this.options.version(known) === this.options.version(object)) return;
    // Re-inserting moves the object to the newest end, so eviction drops the stalest.
    this.objects.delete(key);
    this.objects.set(key, object);
    while (this.objects.size > this.options.max) this.objects.delete(this.objects.keys().next().value!);
    this.options.onChange?.(known ? 'MODIFIED' : change, object);
  }

  private remove(object: T): void {
    const key = this.options.key(object);
    if (key === undefined || !this.objects.has(key)) return;
    this.objects.delete(key);
    this.options.onChange?.('DELETED', object);
  }

  /** Lists the whole collection; objects gone since are reported deleted, changed ones modified. */
  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let token: string | undefined;
    let version: string;
    do {
      const page = await this.source.list(token, this.options.pageSize ?? 500);
      for (const raw of page.items) {
        const kept = this.options.keep(raw);
        const key = kept === undefined ? undefined : this.options.key(kept);
        if (kept !== undefined && key !== undefined) fresh.set(key, kept);
      }
      token = page.continue || undefined;
      version = page.resourceVersion;
    } while (token);
    for (const [key, object] of [...this.objects]) if (!fresh.has(key)) this.remove(object);
    for (const object of fresh.values()) this.put(object, 'ADDED');
    this.resourceVersion = version;
    this.relists++;
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      this.handle = undefined;
      if (this.stopped) return;
      if (err === undefined || err === null) {
        // The server's timeout or a clean close: resume at once from where we are.
        this.failures = 0;
        this.schedule(0, () => this.watch());
      } else if (isGone(err)) {
        this.schedule(0, () => this.recover());
      } else {
        this.lastError = describe(err);
        this.schedule(this.delay(), () => this.watch());
      }
    };
    try {
      const handle = await this.source.watch(
        this.resourceVersion,
        (type, object) => {
          if (settled) return;
          this.healthySince ??= Date.now();
          const o = object as {
            metadata?: { resourceVersion?: string };
            code?: number;
            kind?: string;
            message?: string;
          };
          if (type === 'BOOKMARK') {
            if (o.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
            return;
          }
          if (type === 'ERROR') {
            // A Status in the stream; 410 means our version is gone.
            const current = this.handle;
            finish(
              o.code === 410
                ? { code: 410 }
                : new Error(`${this.options.what}: the watch failed: ${o.message ?? 'error'} (${o.code ?? '?'})`),
            );
            current?.abort();
            return;
          }
          const kept = this.options.keep(object);
          if (kept === undefined) return;
          if (type === 'DELETED') this.remove(kept);
          else this.put(kept, 'ADDED');
          if (o.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
        },
        finish,
      );
      if (settled) {
        handle.abort();
      } else {
        this.handle = handle;
        this.lastError = undefined;
        this.failures = 0;
        this.healthySince = Date.now();
      }
    } catch (err) {
      finish(err);
    }
  }

  /** After 410 Gone: list afresh (reporting only what changed), then watch from the new version. */
  private async recover(): Promise<void> {
    try {
      await this.relist();
      await this.watch();
    } catch (err) {
      this.lastError = describe(err);
      this.schedule(this.delay(), () => this.recover());
    }
  }

  private delay(): number {
    this.failures++;
    return this.options.backoff?.(this.failures) ?? Math.min(30_000, 250 * 2 ** Math.min(this.failures - 1, 7));
  }

  private schedule(ms: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    this.healthySince = undefined;
    this.timer = setTimeout(() => void run(), ms);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.handle?.abort();
    this.handle = undefined;
  }
}

function describe(err: unknown): string {
  const e = err as { message?: string; code?: string | number; statusCode?: number };
  return e?.statusCode ? `HTTP ${e.statusCode}${e.message ? ` ${e.message}` : ''}` : (e?.message ?? String(err));
}
