// One Kubernetes connector's way to its API server: the client configuration,
// loaded once (config.ts); API clients whose every answer is bounded
// (transport.ts); calls with a time limit whose failures are rebuilt as an
// operator reads them; lists read page by page. Credentials stay inside the
// client: errors are rebuilt from status codes and the server's message, and
// any token or key that still shows up is removed.
import type * as k8s from '@kubernetes/client-node';
import { redactSecrets } from '../../config/env.js';
import { formatSpan } from '../../evaluation/kubernetes/shared.js';
import { CollectError } from '../types.js';
import { loadKubeConfig, type KubeSpec } from './config.js';
import { AnswerLimitError, boundedApiClient } from './transport.js';

/** Items asked for per page of a list. */
export const PAGE = 500;

/** The HTTP status of a failed API call and the message of the Status the server sent, cut to 500 characters. */
export function apiStatus(err: unknown): { status?: number; serverMessage: string } {
  const e = err as { code?: number | string; statusCode?: number; body?: unknown };
  const status = typeof e.code === 'number' ? e.code : e.statusCode;
  try {
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    // A Status message is a sentence; the cut keeps a hostile one out of messages and history.
    return { status, serverMessage: String((body as { message?: string })?.message ?? '').slice(0, 500) };
  } catch {
    return { status, serverMessage: '' };
  }
}

export class KubeClient {
  private kc?: k8s.KubeConfig;
  private secrets: string[] = [];

  constructor(
    private readonly id: string,
    readonly spec: KubeSpec,
  ) {}

  /** An error naming the connector, with any credential removed. */
  fail(message: string): CollectError {
    return new CollectError(redactSecrets(`kubernetes connector "${this.id}": ${message}`, this.secrets));
  }

  /** The client configuration, loaded once. */
  config(): k8s.KubeConfig {
    if (this.kc) return this.kc;
    const { kc, secrets } = loadKubeConfig(this.spec, (message) => this.fail(message));
    this.secrets = secrets;
    this.kc = kc;
    return kc;
  }

  private server(): string {
    return this.config().getCurrentCluster()?.server ?? '(no server)';
  }

  /** A failed API call as an operator reads it: what was asked, what the server said, what to do. */
  apiFailure(err: unknown, what: string): CollectError {
    if (err instanceof CollectError) return err;
    if (err instanceof AnswerLimitError) return this.fail(`${what}: ${err.message}`);
    // The generated client parses a 2xx answer before anything else looks at it.
    if (err instanceof SyntaxError) return this.fail(`${what}: the API server's answer is not valid JSON`);
    const e = err as { code?: number | string; message?: string; cause?: { code?: string } };
    const { status, serverMessage } = apiStatus(err);
    if (status === 401)
      return this.fail(
        `${what}: the API server refused the credentials (401 Unauthorized): the token or certificate is invalid or has expired`,
      );
    if (status === 403)
      return this.fail(
        `${what}: forbidden (403): ${serverMessage || 'RBAC denies it'}; grant get, list and watch on it to the credentials pipewatch uses`,
      );
    if (status === 404) return this.fail(`${what}: not found (404)${serverMessage ? `: ${serverMessage}` : ''}`);
    if (status !== undefined)
      return this.fail(`${what}: the API server answered ${status}${serverMessage ? `: ${serverMessage}` : ''}`);
    const code = e.cause?.code ?? (typeof e.code === 'string' ? e.code : undefined);
    const text = (e.message ?? String(err)).split('\n')[0]!;
    return this.fail(`${what}: cannot reach the API server at ${this.server()} (${code ?? text})`);
  }

  /** One API call within the connector's requestTimeout; any failure becomes a CollectError that says `what` was asked. */
  async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(this.fail(`${what}: no answer from ${this.server()} within ${formatSpan(this.spec.requestTimeout)}`)),
        this.spec.requestTimeout,
      );
    });
    try {
      return await Promise.race([request(), timeout]);
    } catch (err) {
      throw this.apiFailure(err, what);
    } finally {
      clearTimeout(timer);
    }
  }

  /** An API client of the given type (CoreV1Api, BatchV1Api, …) on this connector's configuration, its answers bounded. */
  api<T>(type: new (configuration: k8s.Configuration) => T): T {
    return boundedApiClient(this.config(), type, this.spec.requestTimeout);
  }

  /** Every item of a paged list, page by page (limit + continue), handed to `each` so pages need not be held together. */
  async listAll<T>(
    what: string,
    page: (cont: string | undefined) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
    each: (items: T[]) => void,
  ): Promise<void> {
    let cont: string | undefined;
    do {
      const result = await this.call(what, () => page(cont));
      // A 200 with text, or JSON of another shape, deserializes to something without items.
      if (!Array.isArray(result?.items)) throw this.fail(`${what}: the API server's answer is not a list`);
      each(result.items);
      cont = result.metadata?._continue || undefined;
    } while (cont);
  }
}
