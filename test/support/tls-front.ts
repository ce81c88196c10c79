// Servers that put TLS in front of the plaintext Temporal dev server, which
// has no TLS options of its own (`temporal server start-dev --help` lists
// none in CLI v1.5.1):
//  - TlsTerminator: mutual TLS, as a self-hosted cluster with
//    `tls.frontend.requireClientAuth` does, then raw bytes to the dev server.
//    gRPC is HTTP/2 inside the TLS session, so it passes through unchanged.
//  - ApiKeyGateway: TLS and an `authorization: Bearer <key>` check on every
//    gRPC call, as Temporal Cloud does for API keys, then the call forwarded
//    over HTTP/2 to the dev server. It records the headers it saw.
import http2 from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';

interface Listening {
  listen(port: number, host: string, cb: () => void): unknown;
  address(): unknown;
}

async function listenLocal(server: Listening): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

export interface HandshakeRecord {
  /** The client certificate's common name, when one was verified. */
  clientCn?: string;
  /** Why the handshake was refused (OpenSSL's reason), when it was. */
  error?: string;
}

export class TlsTerminator {
  readonly accepted: HandshakeRecord[] = [];
  readonly rejected: HandshakeRecord[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: TlsServer,
    readonly address: string,
  ) {}

  static async start(options: { target: string; key: Buffer; cert: Buffer; ca: Buffer }): Promise<TlsTerminator> {
    const upstream = splitAddress(options.target);
    const server = createTlsServer({
      key: options.key,
      cert: options.cert,
      ca: options.ca,
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    });
    const terminator = new TlsTerminator(server, await listenLocal(server));
    server.on('secureConnection', (client: TLSSocket) => {
      terminator.accepted.push({ clientCn: String(client.getPeerCertificate().subject?.CN ?? '') });
      const backend = netConnect(upstream.port, upstream.host);
      terminator.track(client);
      terminator.track(backend);
      client.pipe(backend).pipe(client);
      client.on('error', () => backend.destroy());
      backend.on('error', () => client.destroy());
      client.on('close', () => backend.destroy());
      backend.on('close', () => client.destroy());
    });
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      terminator.rejected.push({ error: err.code ?? err.message });
      socket.destroy();
    });
    // A certificate that fails verification is refused after the handshake:
    // Node destroys the socket without an event on the server. The keylog
    // event is the one that hands over every server-side socket during its
    // handshake, so it is where the refusal can be observed.
    const seen = new WeakSet<TLSSocket>();
    server.on('keylog', (_line: Buffer, socket: TLSSocket) => {
      if (seen.has(socket)) return;
      seen.add(socket);
      terminator.track(socket);
      socket.once('close', () => {
        if (socket.authorizationError) terminator.rejected.push({ error: String(socket.authorizationError) });
      });
    });
    return terminator;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export class ApiKeyGateway {
  /** Every call's request headers, with the method path. */
  readonly calls: Array<{ path: string; authorization?: string }> = [];
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  private constructor(
    private readonly server: http2.Http2SecureServer,
    private readonly upstream: http2.ClientHttp2Session,
    readonly address: string,
  ) {}

  static async start(options: { target: string; key: Buffer; cert: Buffer; apiKey: string }): Promise<ApiKeyGateway> {
    const upstream = http2.connect(`http://${options.target}`);
    upstream.on('error', () => undefined);
    const server = http2.createSecureServer({ key: options.key, cert: options.cert, ALPNProtocols: ['h2'] });
    const gateway = new ApiKeyGateway(server, upstream, await listenLocal(server));
    server.on('session', (session) => {
      gateway.sessions.add(session);
      session.on('close', () => gateway.sessions.delete(session));
      session.on('error', () => undefined);
    });
    server.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      const authorization = headers.authorization;
      gateway.calls.push({
        path: String(headers[':path']),
        authorization: authorization === undefined ? undefined : String(authorization),
      });
      if (authorization !== `Bearer ${options.apiKey}`) {
        // A trailers-only gRPC answer, as a server refusing a call sends.
        stream.respond(
          {
            ':status': 200,
            'content-type': 'application/grpc',
            'grpc-status': '16',
            'grpc-message': 'API key not accepted',
          },
          { endStream: true },
        );
        return;
      }
      const forwarded: http2.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(headers)) {
        if (name === 'authorization' || (name.startsWith(':') && name !== ':method' && name !== ':path')) continue;
        forwarded[name] = value;
      }
      const call = upstream.request(forwarded);
      call.on('error', () => stream.destroy());
      stream.on('close', () => call.close());
      let trailers: http2.IncomingHttpHeaders = {};
      call.on('trailers', (t) => (trailers = t));
      call.on('response', (responseHeaders) => {
        const out = Object.fromEntries(
          Object.entries(responseHeaders).filter(([name]) => name === ':status' || !name.startsWith(':')),
        );
        if (responseHeaders['grpc-status'] !== undefined) {
          stream.respond(out, { endStream: true });
          return;
        }
        stream.respond(out, { waitForTrailers: true });
        stream.on('wantTrailers', () =>
          stream.sendTrailers(Object.fromEntries(Object.entries(trailers).filter(([name]) => !name.startsWith(':')))),
        );
        call.pipe(stream);
      });
      stream.pipe(call);
    });
    return gateway;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    this.upstream.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
