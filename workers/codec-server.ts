// A codec server (Temporal's remote codec protocol) so authorised people can
// read encrypted payloads in the Web UI (`--ui-codec-endpoint`) or with
// `temporal … --codec-endpoint`: POST /decode and /encode take and return
// {"payloads": [{"metadata": {k: base64}, "data": base64}]}. CORS admits the
// Web UI's origin; with PIPEWATCH_CODEC_TOKEN set, callers must present it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const toPayload = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export interface CodecServer {
  url: string;
  stop(): Promise<void>;
}

export async function startCodecServer(options: {
  codec: PayloadCodec;
  port: number;
  host?: string;
  origins: string[];
  token?: string;
}): Promise<CodecServer> {
  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin && (options.origins.includes(origin) || options.origins.includes('*'))) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader('vary', 'origin');
    }
  };
  const server = createServer((req, res) => {
    cors(req, res);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const route = req.url?.split('?')[0];
    if (req.method !== 'POST' || (route !== '/decode' && route !== '/encode')) return void res.writeHead(404).end();
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`)
      return void res.writeHead(401).end('unauthorised');
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
      if (body.length > 64 * 1024 * 1024) req.destroy();
    });
    req.on('end', async () => {
      try {
        const payloads = ((JSON.parse(body) as { payloads?: JsonPayload[] }).payloads ?? []).map(toPayload);
        const out = route === '/decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payloads: out.map(toJson) }));
      } catch (err) {
        // Never echo payload contents back in an error.
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`cannot ${route?.slice(1)}: ${(err as Error).name}`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
