// A real HTTP server standing in for Slack and webhook endpoints. It records
// the requests it accepted (answered 2xx while the sender still listened),
// can fail on purpose, and can hold a request to kill a sender mid-send.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

export class HttpReceiver {
  readonly accepted: ReceivedRequest[] = [];
  /** Every request that arrived, accepted or not. */
  attempts = 0;
  /** Answer this status instead of 200 (e.g. 500 for an outage). */
  failWith: number | undefined;
  private holding = false;
  private held: Array<() => void> = [];
  private server?: Server;

  private constructor(readonly port: number) {}

  static async start(): Promise<HttpReceiver> {
    const r = new HttpReceiver(await freePort());
    await r.listen();
    return r;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        this.attempts++;
        const answer = () => {
          if (res.socket?.destroyed || req.socket.destroyed) return;
          if (this.failWith) {
            res.writeHead(this.failWith).end('failing on purpose');
            return;
          }
          this.accepted.push({ path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw || '{}') });
          res.writeHead(200).end('ok');
        };
        if (this.holding) this.held.push(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const answer of this.held.splice(0)) answer();
  }

  async waitForHeld(timeoutMs = 60_000): Promise<void> {
    await waitFor(() => this.held.length > 0, 'a request held mid-send', timeoutMs);
  }

  /** Accepted requests on a path whose JSON has this kind (webhook bodies). */
  ofKind(kind: string, path = '/hook'): ReceivedRequest[] {
    return this.accepted.filter((r) => r.path === path && r.body.kind === kind);
  }

  async waitForKind(kind: string, count: number, timeoutMs = 30_000, path = '/hook'): Promise<ReceivedRequest[]> {
    return waitFor(
      () => (this.ofKind(kind, path).length >= count ? this.ofKind(kind, path) : undefined),
      `${count} "${kind}" request(s) on ${path}`,
      timeoutMs,
      100,
    );
  }
}
