// The HTTP side of a watch: one streaming GET with ?watch=true, read line by
// line with each line bounded (LineSplitter). The client library's Watch keeps
// an unfinished line without limit and skips lines that are not JSON, so a
// broken stream would grow or go silently deaf; here either ends the stream
// with an error, and the ListWatch (watch.ts) then retries.
import { STATUS_CODES } from 'node:http';
import * as k8s from '@kubernetes/client-node';
import { formatSpan } from '../../evaluation/kubernetes/shared.js';
import { sendRequest } from './transport.js';
import { LineSplitter, type WatchHandle } from './watch.js';

/** The longest line of a watch stream: one event object. */
export const MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;

/** Opens a watch of `path` with `params`; settles once the stream is open (a 200 head) or has failed (`done` was called first). */
export async function watchStream(
  kc: k8s.KubeConfig,
  path: string,
  params: Record<string, string | number | boolean>,
  options: { what: string; requestTimeout: number },
  onEvent: (type: string, object: unknown) => void,
  done: (err?: unknown) => void,
): Promise<WatchHandle> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const url = new URL(cluster.server + path);
  url.searchParams.set('watch', 'true');
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  const request = new k8s.RequestContext(url.toString(), k8s.HttpMethod.GET);
  await kc.applySecurityAuthentication(request);
  // Settles once the stream is open (a 200 head) or has failed (done was called first), as the client's Watch does.
  return new Promise((resolve) => {
    let ended = false;
    const handle: WatchHandle = { abort: () => end() };
    const end = (err?: unknown) => {
      clearTimeout(headTimer);
      if (ended) return;
      ended = true;
      exchange.destroy();
      done(err);
      resolve(handle);
    };
    // Only the head is timed: a healthy watch then streams for minutes.
    const headTimer = setTimeout(
      () => end(new Error(`${options.what}: no answer within ${formatSpan(options.requestTimeout)}`)),
      options.requestTimeout,
    );
    const exchange = sendRequest(
      request,
      (response) => {
        clearTimeout(headTimer);
        if (response.statusCode !== 200) {
          response.resume();
          return end(
            Object.assign(new Error(STATUS_CODES[response.statusCode ?? 0] ?? 'error'), {
              statusCode: response.statusCode,
            }),
          );
        }
        resolve(handle);
        const lines = new LineSplitter(MAX_WATCH_LINE_BYTES);
        response.on('data', (chunk: Buffer) => {
          if (ended) return;
          let complete: string[];
          try {
            complete = lines.push(chunk);
          } catch (err) {
            return end(new Error(`${options.what}: ${(err as Error).message}`));
          }
          for (const line of complete) {
            let event: { type?: unknown; object?: unknown };
            try {
              event = JSON.parse(line) as typeof event;
            } catch {
              return end(new Error(`${options.what}: the watch stream sent a line that is not JSON`));
            }
            if (typeof event?.type !== 'string')
              return end(new Error(`${options.what}: the watch stream sent a line that is not a watch event`));
            onEvent(event.type, event.object);
            if (ended) return;
          }
        });
        response.on('end', () => end());
        response.on('close', () => end());
        response.on('error', (err) => end(err));
      },
      (err) => end(err),
    );
  });
}
