// The HTTP under the Elasticsearch client, bounded: every answer is limited in
// size while it arrives (compressed or not), and a failed read becomes an error
// the client handles instead of an uncaught exception. The connector's client
// options (auth, TLS, timeouts, one retry) are built here too.
import { gunzipSync, inflateSync } from 'node:zlib';
import { errors, UndiciConnection, type ClientOptions } from '@elastic/elasticsearch';
import type { ConnectorSpec } from '../../config/model.js';

export type ElasticsearchSpec = Extract<ConnectorSpec, { type: 'elasticsearch' }>;

/**
 * The largest answer read. pipewatch asks for aggregations and for hit lists
 * of at most a logs check's maxEvents (500 by default): a few MB. Far more is
 * a broken proxy or server, and holding then parsing it would exhaust the worker.
 */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * Reads answers itself, within MAX_RESPONSE_BYTES. The client's own limit has
 * two holes: a compressed answer is limited only before it is inflated (a
 * 32 MB gzip bomb inflates to gigabytes), and an answer refused for its
 * declared length is destroyed with nobody listening, so its error event
 * escapes as an uncaught exception that ends the worker.
 */
class BoundedConnection extends UndiciConnection {
  // Loosely typed: the base class overloads request() for streamed and read answers.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one override for both overloads
  override async request(params: any, options: any): Promise<any> {
    if (options?.asStream) return super.request(params, options);
    const response = await super.request(params, { ...options, asStream: true });
    const body = response.body as unknown as import('node:stream').Readable;
    // Failures surface through the reading below; one emitted after it stopped must not go uncaught.
    body.on('error', () => undefined);
    const tooLarge = () =>
      new errors.RequestAbortedError(`The answer is bigger than the maximum allowed string (${MAX_RESPONSE_BYTES})`);
    if (Number(response.headers['content-length']) > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (size > MAX_RESPONSE_BYTES) {
          body.destroy();
          throw tooLarge();
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof errors.RequestAbortedError) throw err;
      // Past the deadline a retry is pointless (the client would back off first, then give up).
      if (options?.signal?.aborted) throw new errors.RequestAbortedError('Request aborted');
      // As the client does: a broken read is a connection error, tried once more.
      throw new errors.ConnectionError((err as Error).message);
    }
    let data = Buffer.concat(chunks);
    const headers = { ...response.headers };
    const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
    if (/gzip|deflate/.test(encoding)) {
      try {
        data = (encoding.includes('gzip') ? gunzipSync : inflateSync)(data, { maxOutputLength: MAX_RESPONSE_BYTES });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
        throw new errors.ConnectionError(`the compressed answer cannot be inflated (${(err as Error).message})`);
      }
      delete headers['content-encoding'];
    }
    // The transport turns a Buffer into text unless the content type is binary.
    return { statusCode: response.statusCode, headers, body: data };
  }
}

export function clientOptions(spec: ElasticsearchSpec): ClientOptions {
  return {
    node: spec.node,
    auth: spec.apiKey
      ? { apiKey: spec.apiKey }
      : spec.username
        ? { username: spec.username, password: spec.password ?? '' }
        : undefined,
    requestTimeout: spec.requestTimeout,
    maxRetries: 1,
    tls: { rejectUnauthorized: spec.rejectUnauthorized },
    // Bounds answers itself: the client's maxResponseSize has the holes described at BoundedConnection.
    Connection: BoundedConnection,
  };
}
