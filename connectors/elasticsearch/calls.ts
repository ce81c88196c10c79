// One elasticsearch connector's calls to its cluster: each under a deadline for
// the whole exchange, failures rebuilt as an operator reads them (naming the
// connector), answers refused when they hold more than was asked for; and the
// time-range filter every search uses.
import { errors, type Client } from '@elastic/elasticsearch';
import { CollectError } from '../types.js';
import { MAX_RESPONSE_BYTES } from './transport.js';

const MB = MAX_RESPONSE_BYTES / 1024 / 1024;

/** A hit list or bucket list longer than what was asked for is a server (or proxy) gone wrong, not data. */
export function atMost<T>(list: T[], asked: number, what: string, id: string): T[] {
  if (!Array.isArray(list)) throw new CollectError(`elasticsearch connector "${id}": the answer has no ${what} list`);
  if (list.length > asked)
    throw new CollectError(
      `elasticsearch connector "${id}": the answer holds ${list.length} ${what} where at most ${asked} were asked for`,
    );
  return list;
}

export function range(field: string, r: { from?: Date; to?: Date; through?: Date }): Record<string, unknown> {
  return {
    range: {
      [field]: {
        ...(r.from ? { gte: r.from.toISOString() } : {}),
        ...(r.to ? { lt: r.to.toISOString() } : {}),
        ...(r.through ? { lte: r.through.toISOString() } : {}),
        format: 'strict_date_optional_time',
      },
    },
  };
}

export class ClusterCalls {
  /** The search API's own timeout, in whole seconds: the server stops and says so instead of answering late. */
  readonly searchTimeout: string;

  constructor(
    readonly id: string,
    readonly client: Client,
    readonly requestTimeout: number,
  ) {
    this.searchTimeout = `${Math.max(1, Math.round(requestTimeout / 1000))}s`;
  }

  /**
   * One client call under a deadline for the whole exchange: the client's own
   * requestTimeout is per attempt and, once headers arrived, only between
   * chunks, so a server trickling its answer would hold the check forever.
   */
  async call<T>(request: (options: { signal: AbortSignal }) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.requestTimeout);
    try {
      return await request({ signal });
    } catch (err) {
      if (signal.aborted && !(err instanceof CollectError) && !(err instanceof errors.ResponseError)) {
        throw new CollectError(
          `elasticsearch connector "${this.id}": no complete answer within the request timeout (${this.requestTimeout} ms)`,
        );
      }
      throw err;
    }
  }

  fail(err: unknown): never {
    if (err instanceof CollectError) throw err;
    if (err instanceof errors.RequestAbortedError && /bigger than the maximum allowed/.test(err.message)) {
      throw new CollectError(
        `elasticsearch connector "${this.id}": the answer is larger than ${MB} MB (the limit), so it was not read; a logs check with a large maxEvents over big documents can ask for less`,
      );
    }
    if (err instanceof errors.DeserializationError)
      throw new CollectError(`elasticsearch connector "${this.id}": the answer is not valid JSON`);
    // Reading a field of a part the answer lacks: valid JSON, but not what Elasticsearch sends.
    if (err instanceof TypeError)
      throw new CollectError(
        `elasticsearch connector "${this.id}": the answer is not shaped like an Elasticsearch response (${err.message})`,
      );
    if (err instanceof errors.ResponseError) {
      const body = err.meta.body as { error?: { type?: string; reason?: string } } | undefined;
      // A reason is a sentence; the cut keeps a hostile one out of messages and history.
      const reason = (body?.error ? `${body.error.type ?? 'error'}: ${body.error.reason ?? ''}` : err.message).slice(
        0,
        500,
      );
      throw new CollectError(`elasticsearch connector "${this.id}": ${err.meta.statusCode} ${reason}`);
    }
    if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError) {
      throw new CollectError(`elasticsearch connector "${this.id}": cannot connect: ${err.message}`);
    }
    if (err instanceof errors.TimeoutError)
      throw new CollectError(`elasticsearch connector "${this.id}": no answer within the request timeout`);
    throw new CollectError(`elasticsearch connector "${this.id}": ${(err as Error).message}`);
  }
}
