// Which side of a queue is likely at fault (connectors/rabbitmq/index.ts), and how a
// pipeline's stage comparisons read (connectors/stages.ts): pure parts, no
// servers. The broker itself is in test/integration/queue-blame.test.ts.
import { likelyFault, type QueueRates } from '../../connectors/rabbitmq/index.js';
import { describeStages } from '../../connectors/stages.js';
import type { StageJudgement } from '../../evaluation/reconcile.js';

const rates = (over: Partial<QueueRates>): QueueRates => ({
  publishRate: 0,
  deliverRate: 0,
  ackRate: 0,
  unacked: 0,
  finished: 0,
  ...over,
});

describe('likely fault of a queue', () => {
  it.each<[string, { depth: number; consumers: number; rates?: QueueRates }, string, RegExp]>([
    ['no consumer', { depth: 5, consumers: 0, rates: rates({}) }, 'consumer', /no consumer is attached/],
    [
      'a consumer holding all 500 unacknowledged, nothing ready',
      { depth: 0, consumers: 1, rates: rates({ unacked: 500 }) },
      'consumer',
      /hold 500 messages unacknowledged/,
    ],
    [
      'attached, taking nothing, 490 ready',
      { depth: 490, consumers: 1, rates: rates({ unacked: 10 }) },
      'consumer',
      /take nothing \(10 held/,
    ],
    [
      'taking but acknowledging none',
      { depth: 0, consumers: 1, rates: rates({ unacked: 300, deliverRate: 40 }) },
      'consumer',
      /acknowledge none/,
    ],
    [
      'falling behind',
      { depth: 900, consumers: 2, rates: rates({ publishRate: 100, deliverRate: 50, ackRate: 50 }) },
      'consumer',
      /faster than they are consumed/,
    ],
    [
      'nothing published, nothing waiting or held',
      { depth: 0, consumers: 1, rates: rates({}) },
      'producer',
      /nothing is being published/,
    ],
    [
      'keeping up',
      { depth: 3, consumers: 1, rates: rates({ publishRate: 10, deliverRate: 10, ackRate: 10 }) },
      'none',
      /keep up/,
    ],
    ['no management API', { depth: 0, consumers: 1 }, 'unknown', /not visible/],
  ])('%s', (_name, q, side, why) => {
    const f = likelyFault(q);
    expect(f.side).toBe(side);
    expect(f.why).toMatch(why);
  });
});

describe('stage comparisons', () => {
  const j = (over: Partial<StageJudgement> & Pick<StageJudgement, 'stage' | 'count'>): StageJudgement => ({
    lost: 0,
    method: 'ids',
    ok: true,
    ...over,
  });

  it("say upstream, arrived, lost and late so that they add up; a stage's own window count apart", () => {
    expect(
      describeStages([
        j({ stage: 'collected', count: 10_000, method: 'first' }),
        j({ stage: 'parsed', count: 9_900, expected: 10_000, lost: 40, late: 80, arrived: 9_880, ok: false }),
        j({ stage: 'served', count: 9_850, expected: 9_900, lost: 0, late: 50, arrived: 9_850 }),
        j({ stage: 'enriched', count: 4_900, expected: 4_925, lost: 25, method: 'ratio' }),
      ]),
    ).toBe(
      'collected 10,000 → parsed 9,880 (lost 40, late 80; 9,900 in its window with 20 of earlier windows); ' +
        'parsed 9,900 → served 9,850 (lost 0, late 50); ' +
        'served 9,850 → enriched 4,900 (expected 4,925 by ratio, lost 25, within tolerance)',
    );
  });
});
