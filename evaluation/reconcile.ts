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

export interface SetDifference {
  /** Ids upstream has and downstream lacks (in its window and in the late range). */
  missing: number;
  /** The first `sample` of them, ascending. */
  sample: string[];
  upstream: number;
  /** Distinct ids downstream has in its own window. */
  downstream: number;
  /** Ids upstream has that reached downstream only after the window's end (in the late range); absent without one. */
  late?: number;
}

/** Pulls batches from a stream and checks that ids ascend strictly across them. */
class SortedBatches {
  batch: string[] = [];
  i = 0;
  done = false;
  count = 0;
  private last: string | undefined;
  private readonly it: AsyncIterator<string[]>;

  constructor(
    source: AsyncIterable<string[]>,
    private readonly name: string,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Makes the current batch non-empty, or marks the stream done. */
  async fill(): Promise<void> {
    while (!this.done && this.i >= this.batch.length) {
      const next = await this.it.next();
      if (next.done) {
        this.done = true;
        this.batch = [];
      } else {
        this.batch = next.value;
        this.i = 0;
        this.check();
      }
    }
  }

  private check(): void {
    let prev = this.last;
    for (const id of this.batch) {
      if (prev !== undefined && compareIds(prev, id) >= 0) {
        throw new OutOfOrderError(
          `ids of ${this.name} are not in ascending string order ("${prev}" before "${id}"): is the id field numeric? Map it as a keyword (or compare it as text)`,
        );
      }
      prev = id;
    }
    this.last = prev;
    this.count += this.batch.length;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/**
 * The merge step of merge sort over two ascending streams. Ids are compared
 * batch against batch without waiting per id; memory is one batch a side.
 */
export async function missingIds(
  upstream: AsyncIterable<string[]>,
  downstream: AsyncIterable<string[]>,
  options: { sample: number; upstreamName?: string; downstreamName?: string },
): Promise<SetDifference> {
  const a = new SortedBatches(upstream, options.upstreamName ?? 'the upstream stage');
  const b = new SortedBatches(downstream, options.downstreamName ?? 'the downstream stage');
  let missing = 0;
  const sample: string[] = [];
  const lost = (id: string) => {
    missing++;
    if (sample.length < options.sample) sample.push(id);
  };
  try {
    for (;;) {
      await a.fill();
      if (a.done) break;
      await b.fill();
      const A = a.batch;
      const B = b.batch;
      if (b.done) {
        for (; a.i < A.length; a.i++) lost(A[a.i]!);
        continue;
      }
      while (a.i < A.length && b.i < B.length) {
        const order = compareIds(A[a.i]!, B[b.i]!);
        if (order < 0) lost(A[a.i++]!);
        else if (order > 0) b.i++;
        else {
          a.i++;
          b.i++;
        }
      }
    }
    // Drain the downstream only to count it.
    for (;;) {
      b.i = b.batch.length;
      await b.fill();
      if (b.done) break;
    }
    return { missing, sample, upstream: a.count, downstream: b.count };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

export interface StageJudgement {
  stage: string;
  /** Distinct records of this stage in its own window. */
  count: number;
  /** Records this stage lost against the previous one (0 for the first stage). */
  lost: number;
  /** Records of the previous stage's window that reached this stage after the window's end (compared by ids). */
  late?: number;
  /**
   * Compared by ids: records of the previous stage's window that reached this stage within the window — always
   * `expected − lost − late` (expected: the previous stage's count). `count` may be larger: records of earlier windows
   * that arrived in this one.
   */
  arrived?: number;
  /** How lost was measured: by comparing ids, or counts against an expected ratio. */
  method: 'first' | 'ids' | 'ratio';
  /** Within the stage's tolerance. */
  ok: boolean;
  expected?: number;
  sample?: string[];
}

/** A stage judged by its expected ratio to the previous stage (filters, fan-outs). */
export function judgeByRatio(
  stage: string,
  previousCount: number,
  count: number,
  ratio: number,
  tolerance: number,
): StageJudgement {
  const expected = previousCount * ratio;
  const lost = Math.max(0, Math.round(expected - count));
  return { stage, count, lost, method: 'ratio', expected, ok: lost <= expected * tolerance };
}

/** A stage judged by the ids it lacks. */
export function judgeByIds(
  stage: string,
  previousCount: number,
  count: number,
  diff: SetDifference,
  tolerance: number,
): StageJudgement {
  const late = diff.late ?? 0;
  return {
    stage,
    count,
    lost: diff.missing,
    late,
    arrived: previousCount - diff.missing - late,
    method: 'ids',
    expected: previousCount,
    ok: diff.missing <= previousCount * tolerance,
    sample: diff.sample,
  };
}
