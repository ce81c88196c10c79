// The dependency graph a pipeline's config implies (evaluation/graph.ts) and the correlation of its
// alerts into causes and symptoms (evaluation/correlation.ts): pure functions, no timers.
import { correlate, causeKey, isUpstream, type CorrelationInput } from '../../evaluation/correlation.js';
import {
  dependsOnCycle,
  graphText,
  pipelineGraph,
  placeMonitor,
  type GraphMonitor,
  type GraphPipeline,
} from '../../evaluation/graph.js';

const example: GraphPipeline = {
  id: 'example',
  stages: [
    { id: 'collected', connector: 'db', dataset: 'example.collected' },
    { id: 'parsed', connector: 'db', dataset: 'example.parsed', runsOn: ['queue'] },
    { id: 'served', connector: 'db', dataset: 'example.served', runsOn: ['api'] },
  ],
};
const mon = (
  id: string,
  perspective: GraphMonitor['perspective'],
  check: GraphMonitor['check'],
  extra: Partial<GraphMonitor> = {},
): GraphMonitor => ({
  id,
  perspective,
  pipeline: 'example',
  check,
  ...extra,
});

describe('placing a monitor on a stage', () => {
  const cases: Array<[string, GraphMonitor, ReturnType<typeof placeMonitor>]> = [
    [
      'declared stage wins',
      mon('m', 'services', { type: 'http' }, { connector: 'api', stage: 'parsed' }),
      { stage: 'parsed', how: 'declared' },
    ],
    [
      'data check on a stage dataset and its store',
      mon('m', 'data', { type: 'freshness', dataset: 'example.parsed' }, { connector: 'db' }),
      { stage: 'parsed', how: 'dataset' },
    ],
    [
      'same dataset name on another connector is not the stage',
      mon('m', 'data', { type: 'freshness', dataset: 'example.parsed' }, { connector: 'other' }),
      {},
    ],
    [
      'connector in one stage runsOn',
      mon('m', 'services', { type: 'queue' }, { connector: 'queue' }),
      { stage: 'parsed', how: 'runsOn' },
    ],
    ['store shared by every stage is ambiguous', mon('m', 'services', { type: 'database' }, { connector: 'db' }), {}],
    ['stageCounts spans the pipeline', mon('m', 'data', { type: 'stageCounts', pipeline: 'example' }), { spans: true }],
    ['nothing to go by', mon('m', 'logs', { type: 'logs' }, { connector: 'logs' }), {}],
  ];
  it.each(cases)('%s', (_, monitor, expected) => expect(placeMonitor(example, monitor)).toEqual(expected));

  it('a store used by exactly one stage places checks on it that read no dataset', () => {
    const p: GraphPipeline = {
      id: 'p',
      stages: [
        { id: 'a', connector: 'db-a', dataset: 'a' },
        { id: 'b', connector: 'db-b', dataset: 'b' },
      ],
    };
    expect(
      placeMonitor(p, { id: 'm', perspective: 'services', connector: 'db-b', check: { type: 'database' } }),
    ).toEqual({ stage: 'b', how: 'store' });
  });
});

describe('the pipeline graph', () => {
  const monitors = [
    mon('parsed-freshness', 'data', { type: 'freshness', dataset: 'example.parsed' }, { connector: 'db' }),
    mon('queue-consumers', 'services', { type: 'http' }, { connector: 'api', stage: 'parsed' }),
    mon('collected-queue', 'services', { type: 'queue' }, { connector: 'queue' }),
    mon('stage-losses', 'data', { type: 'stageCounts', pipeline: 'example' }, { pipeline: undefined }),
    mon('errors', 'logs', { type: 'logs' }, { connector: 'logs', dependsOn: ['queue-consumers'] }),
    {
      id: 'elsewhere',
      perspective: 'data' as const,
      pipeline: 'other',
      connector: 'db',
      check: { type: 'freshness', dataset: 'example.parsed' },
    },
  ];
  const g = pipelineGraph(example, monitors);

  it('puts stages in order with their monitors, root perspective first', () => {
    expect(g.stages.map((s) => [s.id, s.position, s.monitors.map((n) => n.monitor)])).toEqual([
      ['collected', 0, []],
      ['parsed', 1, ['collected-queue', 'queue-consumers', 'parsed-freshness']],
      ['served', 2, []],
    ]);
    expect(g.spanning).toEqual(['stage-losses']);
    expect(g.unplaced).toEqual([{ monitor: 'errors', perspective: 'logs' }]);
    expect(g.dependsOn).toEqual([{ monitor: 'errors', on: 'queue-consumers' }]);
  });

  it('prints upstream first and says how to place what has no stage', () => {
    const text = graphText(g);
    expect(text.indexOf('stage collected')).toBeLessThan(text.indexOf('stage parsed'));
    expect(text).toContain('runs on: queue');
    expect(text).toContain('services   queue-consumers (stage:)');
    expect(text).toContain('data       parsed-freshness (reads its dataset)');
    expect(text).toContain('add "stage: <id>"');
    expect(text).toContain('errors depends on queue-consumers');
    expect(text).not.toContain('elsewhere');
  });

  it('finds dependsOn cycles', () => {
    expect(
      dependsOnCycle([
        { id: 'a', dependsOn: ['b'] },
        { id: 'b', dependsOn: ['c'] },
        { id: 'c', dependsOn: ['a'] },
      ]),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(dependsOnCycle([{ id: 'a', dependsOn: ['a'] }])).toEqual(['a', 'a']);
    expect(
      dependsOnCycle([{ id: 'a', dependsOn: ['b'] }, { id: 'b' }, { id: 'c', dependsOn: ['a', 'b'] }]),
    ).toBeUndefined();
  });
});

// Alerts of the example: position is the stage's place; t in seconds.
const W = 120_000;
const at = (s: number) => s * 1000;
const alert = (
  id: string,
  perspective: CorrelationInput['perspective'],
  position: number | undefined,
  openedS: number,
  extra: Partial<CorrelationInput> = {},
): CorrelationInput => ({
  id,
  perspective,
  node: position === undefined ? undefined : { position },
  firing: true,
  openedAt: at(openedS),
  ...extra,
});

describe('upstream', () => {
  const cases: Array<[string, CorrelationInput, CorrelationInput, boolean]> = [
    ['earlier stage', alert('a', 'data', 0, 0), alert('b', 'data', 1, 0), true],
    ['later stage', alert('a', 'data', 2, 0), alert('b', 'operations', 1, 0), false],
    ['same stage: operations before services', alert('a', 'operations', 1, 0), alert('b', 'services', 1, 0), true],
    ['same stage: services before logs', alert('a', 'services', 1, 0), alert('b', 'logs', 1, 0), true],
    ['same stage: logs before data', alert('a', 'logs', 1, 0), alert('b', 'data', 1, 0), true],
    [
      'same node (stage and perspective): the first to open stands for it',
      alert('a', 'data', 1, 5),
      alert('b', 'data', 1, 0),
      false,
    ],
    ['same node: the later one is listed with the first', alert('b', 'data', 1, 0), alert('a', 'data', 1, 5), true],
    ['same node, opened together: the lower id', alert('a', 'data', 1, 0), alert('b', 'data', 1, 0), true],
    ['no stage: unrelated', alert('a', 'operations', undefined, 0), alert('b', 'data', 1, 0), false],
    [
      'dependsOn overrides stage order',
      alert('a', 'data', 2, 0),
      alert('b', 'data', 0, 0, { node: { position: 0, dependsOn: ['a'] } }),
      true,
    ],
    [
      'dependsOn reversed',
      alert('a', 'data', 0, 0, { node: { position: 0, dependsOn: ['b'] } }),
      alert('b', 'data', 2, 0),
      false,
    ],
    [
      'dependsOn without stages',
      alert('a', 'services', undefined, 0),
      alert('b', 'data', undefined, 0, { node: { dependsOn: ['a'] } }),
      true,
    ],
  ];
  it.each(cases)('%s', (_, up, down, expected) => expect(isUpstream(up, down)).toBe(expected));
});

describe('correlating alerts into causes', () => {
  it('names the most upstream failing node and attaches the rest downstream, upstream first', () => {
    const c = correlate(
      [
        alert('stage-losses', 'data', 1, 70),
        alert('parsed-freshness', 'data', 1, 50),
        alert('queue-consumers', 'services', 1, 40),
        alert('served-api', 'services', 2, 80),
      ],
      W,
      at(90),
    );
    expect(c).toEqual({
      causes: [
        { cause: 'queue-consumers', resolved: false, downstream: ['parsed-freshness', 'stage-losses', 'served-api'] },
      ],
    });
  });

  it('joins a cause that opens after its symptoms, within the window', () => {
    const c = correlate(
      [alert('parsed-freshness', 'data', 1, 0), alert('queue-consumers', 'services', 1, 100)],
      W,
      at(110),
    );
    expect(c.causes).toEqual([{ cause: 'queue-consumers', resolved: false, downstream: ['parsed-freshness'] }]);
  });

  it('does not join a symptom that was firing more than a window before the cause opened', () => {
    const c = correlate(
      [alert('parsed-freshness', 'data', 1, 0), alert('queue-consumers', 'services', 1, 121)],
      W,
      at(130),
    );
    expect(c.causes).toEqual([
      { cause: 'queue-consumers', resolved: false, downstream: [] },
      { cause: 'parsed-freshness', resolved: false, downstream: [] },
    ]);
  });

  it('a symptom alone is its own cause', () => {
    expect(correlate([alert('parsed-freshness', 'data', 1, 0)], W, at(10)).causes).toEqual([
      { cause: 'parsed-freshness', resolved: false, downstream: [] },
    ]);
  });

  it('unrelated alerts are separate causes; one with no stage comes last', () => {
    const c = correlate(
      [alert('disk', 'operations', undefined, 0), alert('b', 'data', 1, 0), alert('a', 'data', 2, 5)],
      W,
      at(10),
    );
    expect(c.causes.map((g) => g.cause)).toEqual(['b', 'disk']);
    const apart = correlate(
      [alert('disk', 'operations', undefined, 0), alert('b', 'data', 1, 0), alert('a', 'operations', 0, 200)],
      W,
      at(210),
    );
    expect(apart.causes.map((g) => g.cause)).toEqual(['a', 'b', 'disk']);
  });

  it('two monitors of one node are one cause: the first to open, the other listed with it', () => {
    const c = correlate(
      [
        alert('collected-queue', 'services', 1, 3),
        alert('queue-consumers', 'services', 1, 1),
        alert('parsed-freshness', 'data', 1, 20),
      ],
      W,
      at(30),
    );
    expect(c.causes).toEqual([
      { cause: 'queue-consumers', resolved: false, downstream: ['collected-queue', 'parsed-freshness'] },
    ]);
  });

  it('goes through a chain: a symptom of a symptom belongs to the root', () => {
    const c = correlate(
      [
        alert('c', 'data', 2, 0),
        alert('b', 'data', undefined, 0, { node: { dependsOn: ['a'] } }),
        alert('a', 'operations', undefined, 0, { node: { dependsOn: [] } }),
      ],
      W,
      at(5),
    );
    // c has a stage, a and b none: c is not downstream of them (no declared edge), b is of a.
    expect(c.causes).toEqual([
      { cause: 'c', resolved: false, downstream: [] },
      { cause: 'a', resolved: false, downstream: ['b'] },
    ]);
    const chained = correlate(
      [alert('x', 'data', 2, 0), alert('y', 'services', 1, 0), alert('z', 'operations', 0, 0)],
      W,
      at(5),
    );
    expect(chained.causes).toEqual([{ cause: 'z', resolved: false, downstream: ['y', 'x'] }]);
  });

  it('a resolved cause keeps explaining its symptoms for one window, then they are re-judged', () => {
    const alerts = [
      alert('queue-consumers', 'services', 1, 0, { firing: false, resolvedAt: at(200) }),
      alert('parsed-freshness', 'data', 1, 30),
    ];
    const during = correlate(alerts, W, at(250));
    expect(during).toEqual({
      causes: [{ cause: 'queue-consumers', resolved: true, downstream: ['parsed-freshness'] }],
      changesAt: at(320),
    });
    const after = correlate(alerts, W, at(320));
    expect(after).toEqual({ causes: [{ cause: 'parsed-freshness', resolved: false, downstream: [] }] });
    expect(causeKey(during)).not.toEqual(causeKey(after));
  });

  it('a resolved alert with nothing firing below it is not a cause', () => {
    expect(correlate([alert('a', 'services', 0, 0, { firing: false, resolvedAt: at(5) })], W, at(6))).toEqual({
      causes: [],
    });
  });

  it('the cause key ignores symptoms joining and leaving', () => {
    const one = correlate([alert('q', 'services', 1, 0)], W, at(5));
    const two = correlate([alert('q', 'services', 1, 0), alert('f', 'data', 1, 3), alert('s', 'data', 2, 4)], W, at(5));
    expect(causeKey(one)).toBe('q');
    expect(causeKey(two)).toBe('q');
  });

  it('is deterministic whatever order the alerts come in', () => {
    const alerts = [
      alert('a', 'data', 1, 0),
      alert('b', 'data', 1, 0),
      alert('c', 'services', 1, 0),
      alert('d', 'logs', undefined, 0),
    ];
    const expected = correlate(alerts, W, at(1));
    for (const shuffled of [[...alerts].reverse(), [alerts[2]!, alerts[0]!, alerts[3]!, alerts[1]!]])
      expect(correlate(shuffled, W, at(1))).toEqual(expected);
  });
});
