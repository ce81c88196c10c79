// A log sink that ships ECS lines straight to Elasticsearch with the _bulk API:
// lines are buffered and sent in batches (every `batchSize` lines or
// `flushInterval` ms), in order; a 429, a 5xx or a network error retries the
// batch with backoff, and items the bulk response rejects with 429 are sent
// again. Memory is bounded by `maxBuffered`: beyond it, the oldest lines are
// dropped and counted (never silently). `flush()` waits until everything
// buffered was accepted, which is what a graceful shutdown calls.
import { Writable } from 'node:stream';

export interface ElasticsearchSinkOptions {
  node: string;
  /** Index or data stream; "create" actions, so data streams work. */
  index: string;
  apiKey?: string;
  username?: string;
  password?: string;
  batchSize?: number;
  flushInterval?: number;
  maxBuffered?: number;
  /** Longest wait between retries. */
  maxBackoff?: number;
  /** Where the sink reports its own trouble (default: stderr). */
  report?: (message: string) => void;
}

export class ElasticsearchSink extends Writable {
  private buffer: string[] = [];
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ending = false;
  /** Lines dropped because the buffer was full. */
  dropped = 0;
  /** Lines Elasticsearch accepted. */
  sent = 0;
  private readonly opts: Required<Omit<ElasticsearchSinkOptions, 'apiKey' | 'username' | 'password'>> &
    ElasticsearchSinkOptions;

  constructor(options: ElasticsearchSinkOptions) {
    super({ decodeStrings: false });
    this.opts = {
      batchSize: 500,
      flushInterval: 1_000,
      maxBuffered: 100_000,
      maxBackoff: 30_000,
      report: (m) => process.stderr.write(`pipewatch/logging: ${m}\n`),
      ...options,
    };
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.buffer.push(line);
    if (this.buffer.length > this.opts.maxBuffered) {
      const excess = this.buffer.length - this.opts.maxBuffered;
      this.buffer.splice(0, excess);
      this.dropped += excess;
      this.opts.report(`buffer full (${this.opts.maxBuffered} lines): dropped the ${excess} oldest`);
    }
    if (this.buffer.length >= this.opts.batchSize) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.opts.flushInterval).unref();
    callback();
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.buffer.length === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
      if (this.buffer.length >= this.opts.batchSize || (this.ending && this.buffer.length)) this.kick();
      else if (this.buffer.length) this.timer ??= setTimeout(() => this.kick(), this.opts.flushInterval).unref();
    });
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/x-ndjson' };
    if (this.opts.apiKey) h.authorization = `ApiKey ${this.opts.apiKey}`;
    else if (this.opts.username)
      h.authorization = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password ?? ''}`).toString('base64')}`;
    return h;
  }

  /** Sends the buffer batch by batch until it is empty, retrying what was not accepted. */
  private async drain(): Promise<void> {
    let backoff = 200;
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, this.opts.batchSize);
      const body = batch.map((line) => `{"create":{"_index":${JSON.stringify(this.opts.index)}}}\n${line}\n`).join('');
      let retry: string[] | undefined;
      try {
        const response = await fetch(`${this.opts.node.replace(/\/+$/, '')}/_bulk`, {
          method: 'POST',
          headers: this.headers(),
          body,
          signal: AbortSignal.timeout(30_000),
        });
        if (response.status === 429 || response.status >= 500) {
          retry = batch;
        } else if (!response.ok) {
          this.opts.report(`_bulk answered ${response.status}; ${batch.length} line(s) kept for a retry`);
          retry = batch;
        } else {
          const result = (await response.json()) as {
            errors?: boolean;
            items?: Array<Record<string, { status: number; error?: { type?: string; reason?: string } }>>;
          };
          if (result.errors && result.items) {
            retry = [];
            result.items.forEach((item, i) => {
              const r = Object.values(item)[0]!;
              if (r.status === 429 || r.status >= 500) retry!.push(batch[i]!);
              else if (r.status >= 300)
                this.opts.report(
                  `a line was rejected (${r.status} ${r.error?.type ?? ''}: ${r.error?.reason ?? ''}) and cannot be fixed by retrying`,
                );
            });
            this.sent += batch.length - retry.length;
            if (retry.length === 0) retry = undefined;
          } else {
            this.sent += batch.length;
          }
        }
      } catch (err) {
        retry = batch;
        this.opts.report(`_bulk failed (${(err as Error).message}); retrying`);
      }
      // Replace the batch in front of the buffer by what must go again, keeping order.
      this.buffer.splice(0, batch.length, ...(retry ?? []));
      if (retry) {
        // Retrying must not keep a finished program alive; flush() is what waits.
        await new Promise((r) => setTimeout(r, backoff).unref());
        backoff = Math.min(this.opts.maxBackoff, backoff * 2);
      } else {
        backoff = 200;
      }
    }
  }

  /** Resolves when every buffered line was accepted (or `timeoutMs` passed: then it rejects, naming how many remain). */
  async flush(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length > 0 || this.sending) {
      this.kick();
      if (Date.now() > deadline)
        throw new Error(`${this.buffer.length} log line(s) not yet accepted by Elasticsearch after ${timeoutMs} ms`);
      await (this.sending ?? new Promise((r) => setTimeout(r, 10)));
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ending = true;
    this.flush().then(() => callback(), callback);
  }
}
