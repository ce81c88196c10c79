// A TCP proxy in front of a real server, to take that server away from its
// clients without stopping it for everyone else on the machine: `cut()`
// resets every open connection and refuses new ones (what a client sees when
// PostgreSQL stops), `restore()` listens again on the same port.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './ports.js';

export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted since start, across cuts. */
  connections = 0;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  get up(): boolean {
    return this.server !== undefined;
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      this.connections++;
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}
