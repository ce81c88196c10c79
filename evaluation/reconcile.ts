// Where did records go missing? Two sorted streams of distinct ids (one stage
// and the next) are merged like the merge step of merge sort: an id the
// upstream has and the downstream lacks is lost. One batch of each side is in
// memory at a time, whatever the volume and whichever stores they live in.

/** Code-point order: the order PostgreSQL's "C" collation and Elasticsearch keyword terms use. */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogate pairs (astral characters) sort above U+E000–U+FFFF in code-point order.
    if (x >= 0xd800 || y >= 0xd800) return (a.codePointAt(i) ?? x) - (b.codePointAt(i) ?? y);
    return x - y;
  }
  return a.length - b.length;
}

export class OutOfOrderError extends Error {}

/** A cursor over batches that checks the stream really is ascending. */
class SortedCursor {
  private batch: string[] = [];
  private i = 0;
  private last: string | undefined;
  private readonly it: AsyncIterator<string[]>;
  count = 0;

  constructor(
    source: AsyncIterable<string[]>,
    private readonly name: string,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** The current id, or undefined at the end. */
  async peek(): Promise<string | undefined> {
    while (this.i >= this.batch.length) {
      const next = await this.it.next();
      if (next.done) return undefined;
      this.batch = next.value;
      this.i = 0;
    }
    return this.batch[this.i];
  }

  async advance(): Promise<void> {
    const id = await this.peek();
    if (id === undefined) return;
    if (this.last !== undefined && compareIds(this.last, id) >= 0) {
      throw new OutOfOrderError(
        `ids of ${this.name} are not in ascending string order ("${this.last}" before "${id}"): is the id field numeric? Map it as a keyword (or compare it as text)`,
      );
    }
    this.last = id;
    this.count++;
    this.i++;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

export interface SetDifference {
  /** Ids upstream has and downstream lacks. */
  missing: number;
  /** The first `sample` of them, ascending. */
  sample: string[];
  upstream: number;
  downstream: number;
}

export async function missingIds(
  upstream: AsyncIterable<string[]>,
  downstream: AsyncIterable<string[]>,
  options: { sample: number; upstreamName?: string; downstreamName?: string },
): Promise<SetDifference> {
  const a = new SortedCursor(upstream, options.upstreamName ?? 'the upstream stage');
  const b = new SortedCursor(downstream, options.downstreamName ?? 'the downstream stage');
  let missing = 0;
  const sample: string[] = [];
  try {
    for (;;) {
      const x = await a.peek();
      if (x === undefined) break;
      const y = await b.peek();
      const order = y === undefined ? -1 : compareIds(x, y);
      if (order < 0) {
        missing++;
        if (sample.length < options.sample) sample.push(x);
        await a.advance();
      } else if (order > 0) {
        await b.advance();
      } else {
        await a.advance();
        await b.advance();
      }
    }
    // Drain the downstream only to count it.
    while ((await b.peek()) !== undefined) await b.advance();
    return { missing, sample, upstream: a.count, downstream: b.count };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

export interface StageJudgement {
  stage: string;
  count: number;
  /** Records this stage lost against the previous one (0 for the first stage). */
  lost: number;
  /** How lost was measured: by comparing ids, or counts against an expected ratio. */
  method: 'first' | 'ids' | 'ratio';
  /** Within the stage's tolerance. */
  ok: boolean;
  expected?: number;
  sample?: string[];
}

/** A stage judged by its expected ratio to the previous stage (filters, fan-outs). */
export function judgeByRatio(stage: string, previousCount: number, count: number, ratio: number, tolerance: number): StageJudgement {
  const expected = previousCount * ratio;
  const lost = Math.max(0, Math.round(expected - count));
  return { stage, count, lost, method: 'ratio', expected, ok: lost <= expected * tolerance };
}

/** A stage judged by the ids it lacks. */
export function judgeByIds(stage: string, previousCount: number, count: number, diff: SetDifference, tolerance: number): StageJudgement {
  return { stage, count, lost: diff.missing, method: 'ids', expected: previousCount, ok: diff.missing <= previousCount * tolerance, sample: diff.sample };
}
