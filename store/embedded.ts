// The embedded default history store: PGlite (PostgreSQL compiled to WASM)
// persisted under the data directory and served on 127.0.0.1 over the Postgres
// wire protocol, so the same `pg` code runs with or without a database server.
//
// PGlite is one PostgreSQL session; every client connection shares it. The
// session is lent to one connection at a time (SessionQueue) — for a whole
// extended-protocol exchange and for a whole transaction — which the socket
// server of @electric-sql/pglite-socket does not do: it interleaves single
// protocol messages of different connections, so under concurrency a `pg`
// pool got another connection's rows, "unnamed prepared statement does not
// exist", and finally a session that answered nobody (pglite issues #977,
// #1046). Its per-connection handler (message framing, SSL and cancel
// requests) is used as is.
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  maxConnections?: number;
  /** How long a connection may hold the session idle (mid-transaction) while others wait before it is rolled back and closed. */
  idleHolderMs?: number;
  /** Where the store says that it closed a connection. */
  warn?: (message: string) => void;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir });
  const maxConnections = options.maxConnections ?? 32;
  const handlers = new Map<number, PGLiteSocketHandler>();
  const warn = options.warn ?? ((message: string) => process.stderr.write(`pipewatch: embedded store: ${message}\n`));
  const session = new SessionQueue(db, {
    idleHolderMs: options.idleHolderMs ?? 60_000,
    evict: (handlerId, reason) => {
      warn(reason);
      void handlers.get(handlerId)?.detach(true);
    },
  });

  const sockets = new Map<Socket, number>(); // each connection and its handler
  // The handler removes every 'close' listener of a socket it detaches, so closed sockets are found, not told.
  const prune = () => {
    for (const [socket, handlerId] of sockets) {
      if (socket.destroyed) {
        sockets.delete(socket);
        handlers.delete(handlerId);
      }
    }
  };
  const server = createServer((socket) => {
    prune();
    if (sockets.size >= maxConnections) {
      socket.end(fatalError('53300', `too many connections to the embedded store (limit ${maxConnections})`), () =>
        socket.destroy(),
      );
      return;
    }
    // The handler's option type names pglite-socket's own queue class; SessionQueue has its public methods.
    const handler = new PGLiteSocketHandler({
      queryQueue: session as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
    });
    sockets.set(socket, handler.handlerId);
    handlers.set(handler.handlerId, handler);
    handler.attach(socket).catch(() => socket.destroy());
  });

  try {
    await listen(server, options.port ?? 0);
  } catch (err) {
    await db.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `port ${options.port} is in use; the embedded store (data in ${options.dataDir}) may already be running — set PIPEWATCH_STORE_PORT or DATABASE_URL`,
        { cause: err },
      );
    }
    throw err;
  }
  const port = (server.address() as { port: number }).port;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...handlers.values()].map((h) => h.detach(true)));
      handlers.clear();
      for (const socket of sockets.keys()) socket.destroy();
      await closed;
      await session.idle();
      await db.close();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A wire-protocol ErrorResponse of severity FATAL. */
function fatalError(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0, 'ascii');
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: Error) => void;
}

/** Frontend messages after which the backend answers ReadyForQuery: startup (no type byte), Query, Sync, CopyDone, CopyFail. */
const ENDS_EXCHANGE = new Set([0, 0x51, 0x53, 0x63, 0x66]);
const READY_FOR_QUERY = 0x5a;
const IDLE = 0x49;
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/**
 * Lends the one PGlite session to one connection at a time. A connection holds
 * it from its first message until the backend is ready for a query outside a
 * transaction (ReadyForQuery with status idle): so a Parse/Bind/Execute/Sync
 * exchange and a BEGIN…COMMIT run whole, and other connections' messages wait
 * in order. A holder that disconnects has its exchange ended and its
 * transaction rolled back; one that keeps the session idle for idleHolderMs
 * while others wait is rolled back and closed (PostgreSQL's
 * idle_in_transaction_session_timeout), so no client can stop the store.
 */
export class SessionQueue {
  private queue: Pending[] = [];
  private holder: number | undefined;
  private holderSince = 0;
  private processing: Promise<void> | undefined;
  private resetNeeded = false;
  private evicted = new Set<number>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: PGlite,
    private readonly options: { idleHolderMs: number; evict: (handlerId: number, reason: string) => void },
  ) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    if (this.evicted.has(handlerId)) return Promise.reject(new Error('connection closed by the embedded store'));
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      this.kick();
    });
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((p) => {
      if (p.handlerId !== handlerId) return true;
      p.reject(new Error('connection closed'));
      return false;
    });
  }

  /** Called when a connection goes away: if it held the session, end its exchange and transaction. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    this.evicted.delete(handlerId);
    if (this.holder !== handlerId) return;
    this.release(true);
    this.kick();
    await this.processing;
  }

  /** Resolves when nothing is being processed. */
  async idle(): Promise<void> {
    while (this.processing) await this.processing;
  }

  private kick(): void {
    if (!this.processing) {
      this.processing = this.drain().finally(() => {
        this.processing = undefined;
        if (this.queue.length > 0 && this.runnable()) this.kick();
      });
    }
  }

  private runnable(): boolean {
    return this.resetNeeded || this.queue.some((p) => this.holder === undefined || p.handlerId === this.holder);
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.resetNeeded) {
        this.resetNeeded = false;
        await this.resetSession();
      }
      const index =
        this.holder === undefined
          ? this.queue.length > 0
            ? 0
            : -1
          : this.queue.findIndex((p) => p.handlerId === this.holder);
      if (index < 0) {
        this.watchIdleHolder();
        return;
      }
      const [next] = this.queue.splice(index, 1) as [Pending];
      this.holder = next.handlerId;
      this.holderSince = Date.now();
      await this.run(next);
    }
  }

  private async run(p: Pending): Promise<void> {
    let bytes = 0;
    const tail = new Uint8Array(6); // the last six bytes of the answer: ReadyForQuery is 'Z', length 5, status
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(p.message, {
          onRawData: (data: Uint8Array) => {
            bytes += data.length;
            keepTail(tail, data);
            p.onData(data);
          },
        }),
      );
    } catch (err) {
      // Not an SQL error (those are answers): the session's state is unknown, so it is reset and the connection closed by its handler.
      this.release(true);
      p.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.holderSince = Date.now();
    const ended =
      ENDS_EXCHANGE.has(p.message[0] ?? 0) && tail[0] === READY_FOR_QUERY && tail[4] === 5 && tail[5] === IDLE;
    if (ended) this.release(false);
    p.resolve(bytes);
  }

  private release(reset: boolean): void {
    this.holder = undefined;
    if (reset) this.resetNeeded = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Ends an unfinished extended-protocol exchange and rolls back an open transaction. */
  private async resetSession(): Promise<void> {
    try {
      await this.db.runExclusive(() => this.db.execProtocolRawStream(SYNC, { onRawData: () => undefined }));
      if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    } catch {
      // A session that cannot even be synced has nothing left to roll back.
    }
  }

  /** The holder has no message waiting: if others are, give it idleHolderMs before taking the session back. */
  private watchIdleHolder(): void {
    if (this.holder === undefined || this.queue.length === 0 || this.idleTimer) return;
    const holder = this.holder;
    const wait = Math.max(0, this.holderSince + this.options.idleHolderMs - Date.now());
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.holder !== holder || this.queue.some((p) => p.handlerId === holder)) return;
      if (Date.now() - this.holderSince < this.options.idleHolderMs) return this.watchIdleHolder(); // it was busy meanwhile
      const waiting = new Set(this.queue.map((p) => p.handlerId)).size;
      this.evicted.add(holder);
      this.clearQueueForHandler(holder);
      this.release(true);
      this.kick();
      this.options.evict(
        holder,
        `a connection kept a transaction open and idle for ${Math.round(this.options.idleHolderMs / 1000)} s while ${waiting} other connection(s) waited; it was rolled back and the connection closed`,
      );
    }, wait);
    this.idleTimer.unref();
  }
}

function keepTail(tail: Uint8Array, data: Uint8Array): void {
  if (data.length >= tail.length) {
    tail.set(data.subarray(data.length - tail.length));
  } else {
    tail.copyWithin(0, data.length);
    tail.set(data, tail.length - data.length);
  }
}
