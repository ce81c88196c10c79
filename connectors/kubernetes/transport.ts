// The HTTP under the generated Kubernetes client, bounded: every answer is
// limited in size (MAX_RESPONSE_BYTES) and in time over the whole exchange,
// and the connection is closed when either limit is passed. The generated
// client's own transport (node-fetch) reads any answer whole and keeps
// reading after the caller gave up.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { formatSpan } from '../../evaluation/kubernetes/shared.js';
import { formatBytes } from './watch.js';

/**
 * The largest API answer read. A page of 500 pods is a few MB (an object is
 * at most ~1.5 MB, etcd's limit); far more is a broken or hostile server, and
 * holding then parsing it would exhaust the worker.
 */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** An answer refused for its size or its slowness; the message is meant for the operator. */
export class AnswerLimitError extends Error {}

function flatHeaders(response: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(response.headers).map(([k, v]) => [
      k.toLowerCase(),
      Array.isArray(v) ? v.join(', ') : String(v ?? ''),
    ]),
  );
}

/** Sends what the generated client prepared (URL, headers, the agent carrying TLS and credentials); calls `onResponse` with the answer's head. */
export function sendRequest(
  request: k8s.RequestContext,
  onResponse: (response: IncomingMessage) => void,
  onError: (err: Error) => void,
): { destroy(): void } {
  const url = new URL(request.getUrl());
  const body = request.getBody();
  const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
    url,
    { method: request.getHttpMethod(), headers: request.getHeaders(), agent: request.getAgent() },
    onResponse,
  );
  req.on('error', onError);
  req.end(typeof body === 'string' ? body : undefined);
  return { destroy: () => req.destroy() };
}

/** The transport: stops at MAX_RESPONSE_BYTES and at the request timeout, closing the connection. */
function boundedHttp(timeoutMs: number): k8s.PromiseHttpLibrary {
  return {
    send: (request) =>
      new Promise((resolve, reject) => {
        let settled = false;
        let received = 0;
        let answered = false;
        const settle = (err: Error | undefined, response?: k8s.ResponseContext) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) {
            exchange.destroy();
            reject(err);
          } else resolve(response!);
        };
        const timer = setTimeout(
          () =>
            settle(
              new AnswerLimitError(
                answered
                  ? `the answer did not end within ${formatSpan(timeoutMs)} (${formatBytes(received)} received)`
                  : `no answer within ${formatSpan(timeoutMs)}`,
              ),
            ),
          timeoutMs,
        );
        const tooLarge = () =>
          new AnswerLimitError(
            `the API server's answer is larger than ${formatBytes(MAX_RESPONSE_BYTES)} (the limit), so it was not read`,
          );
        const exchange = sendRequest(
          request,
          (response) => {
            answered = true;
            if (Number(response.headers['content-length']) > MAX_RESPONSE_BYTES) return settle(tooLarge());
            // Every API pipewatch calls answers JSON; the generated client would read HTML from a proxy as an empty object.
            const type = response.headers['content-type'] ?? '';
            if ((response.statusCode ?? 0) < 300 && !/json/i.test(type)) {
              return settle(
                new AnswerLimitError(
                  `the API server answered with ${type.split(';')[0] || 'no content type'} instead of JSON`,
                ),
              );
            }
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => {
              received += chunk.length;
              if (received > MAX_RESPONSE_BYTES) return settle(tooLarge());
              chunks.push(chunk);
            });
            response.on('end', () => {
              const body = Buffer.concat(chunks);
              settle(
                undefined,
                new k8s.ResponseContext(response.statusCode ?? 0, flatHeaders(response), {
                  text: async () => body.toString('utf8'),
                  binary: async () => body,
                }),
              );
            });
            response.on('error', (err) => settle(err));
          },
          (err) => settle(err),
        );
        request.getSignal()?.addEventListener('abort', () => settle(new AnswerLimitError('the request was cancelled')));
      }),
  };
}

/** An API client of the given type whose every answer is bounded (boundedHttp). */
export function boundedApiClient<T>(
  kc: k8s.KubeConfig,
  type: new (configuration: k8s.Configuration) => T,
  timeoutMs: number,
): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  return new type(
    k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      httpApi: k8s.wrapHttpLibrary(boundedHttp(timeoutMs)),
    }),
  );
}
