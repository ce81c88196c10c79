// sinks.elasticsearch: validated at load and carried by every monitor; the
// ECS documents a run becomes.
import { parseConfig } from '../../config/load.js';
import { eventOutcome, resultDocuments } from '../../activities/results.js';

const base = (
  sinks: string,
  connectors = `search: { type: elasticsearch, node: "http://es:9200", apiKey: "\${ES_KEY}" }`,
) => `version: 1
connectors:
  lake: { type: postgres, url: "postgres://r@db/lake" }
  ${connectors}
channels: { dev: { type: console } }
defaults: { schedule: { every: 1m }, notify: [dev] }
${sinks}
monitors:
  - id: fresh
    connector: lake
    check: { type: freshness, dataset: t, timestamp: ts }
    rules: [{ above: 1h }]
`;

describe('sinks.elasticsearch', () => {
  it('gives every monitor the sink, with pipewatch-results as the default index and the reference unresolved', () => {
    const [m] = parseConfig(base('sinks: { elasticsearch: { connector: search } }'), 'a.yaml', { env: false }).monitors;
    expect(m!.sink).toEqual({
      index: 'pipewatch-results',
      connector: {
        id: 'search',
        type: 'elasticsearch',
        node: 'http://es:9200',
        apiKey: '${ES_KEY}',
        requestTimeout: expect.any(Number),
        rejectUnauthorized: true,
      },
    });
  });

  it('leaves monitors and their versions as they were without a sink', () => {
    const without = parseConfig(base(''), 'a.yaml', { env: false }).monitors[0]!;
    expect(without.sink).toBeUndefined();
    expect('sink' in without).toBe(false);
    const withSink = parseConfig(base('sinks: { elasticsearch: { connector: search, index: results } }'), 'a.yaml', {
      env: false,
    }).monitors[0]!;
    expect(withSink.version).not.toBe(without.version);
  });

  it('refuses an unknown connector, a connector of another type and an invalid index name, naming the field', () => {
    expect(() => parseConfig(base('sinks: { elasticsearch: { connector: serch } }'), 'a.yaml', { env: false })).toThrow(
      /a\.yaml:\d+:\d+: sinks\.elasticsearch\.connector: unknown connector "serch".*search/,
    );
    expect(() => parseConfig(base('sinks: { elasticsearch: { connector: lake } }'), 'a.yaml', { env: false })).toThrow(
      /sinks\.elasticsearch\.connector: connector "lake" is a postgres connector; monitor results go to an elasticsearch connector/,
    );
    expect(() =>
      parseConfig(base('sinks: { elasticsearch: { connector: search, index: Results } }'), 'a.yaml', { env: false }),
    ).toThrow(/sinks\.elasticsearch\.index: .*lowercase/);
    expect(() => parseConfig(base('sinks: { kafka: {} }'), 'a.yaml', { env: false })).toThrow(/sinks/);
  });
});

describe('result documents', () => {
  const verdict = {
    status: 'warning' as const,
    value: 12,
    unit: 'records' as const,
    reason: 'too few',
    observedAt: '2026-11-26T10:00:00.000Z',
  };
  const labels = {
    team: 'lake',
    stage: 'analysis',
    monitor: 'm',
    perspective: 'data',
    pipeline: 'intel',
    check: 'count',
    severity: 'warning',
  };

  it('maps statuses to ECS outcomes: could-not-check is unknown, never a success or a data failure', () => {
    expect(['ok', 'info', 'warning', 'critical', 'error'].map((s) => eventOutcome(s as never))).toEqual([
      'success',
      'success',
      'failure',
      'failure',
      'unknown',
    ]);
  });

  it('puts pipewatch labels in their own fields and the monitor labels under labels', () => {
    const [doc, ...rest] = resultDocuments(
      { monitorId: 'm', runId: 'r1', verdict, labels },
      { state: { alerting: false } as never, transition: 'none' },
    );
    expect(rest).toEqual([]);
    expect(doc!.id).toBe('r1');
    expect(doc!.doc).toMatchObject({
      '@timestamp': verdict.observedAt,
      event: { kind: 'metric', dataset: 'pipewatch.run', outcome: 'failure' },
      pipewatch: {
        monitor: { id: 'm', check: 'count', perspective: 'data' },
        pipeline: 'intel',
        stage: 'analysis',
        value: 12,
        status: 'warning',
      },
      labels: { team: 'lake', stage: 'analysis' },
    });
  });

  it('adds one document per stage, the losing one a failure, under ids derived from the run', () => {
    const docs = resultDocuments(
      {
        monitorId: 's',
        runId: 'r2',
        verdict: {
          ...verdict,
          status: 'critical',
          value: 3,
          details: { pipeline: 'intel', firstLosingStage: 'serving' },
        },
        labels: { monitor: 's', perspective: 'data', check: 'stageCounts', severity: 'critical' },
      },
      { state: { alerting: true } as never, transition: 'open' },
      [
        { stage: 'analysis', windowStart: 'a', windowEnd: 'b', count: 10, lost: 0 },
        { stage: 'serving', windowStart: 'a', windowEnd: 'b', count: 7, lost: 3 },
      ],
    );
    expect(
      docs.map((d) => [
        d.id,
        (d.doc.event as { outcome: string }).outcome,
        (d.doc.pipewatch as { pipeline: string }).pipeline,
      ]),
    ).toEqual([
      ['r2', 'failure', 'intel'],
      ['r2/stage/analysis', 'success', 'intel'],
      ['r2/stage/serving', 'failure', 'intel'],
    ]);
  });
});
