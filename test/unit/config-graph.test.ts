// What the loader takes from a pipeline's graph (config/graph.ts): stage, dependsOn and correlation
// on each monitor definition, and what it refuses — with the file's line and what to write instead —
// so a graph that loads is one correlation can read.
import { validateConfigText } from '../../config/load.js';

const base = (extra: { monitors?: string; pipeline?: string } = {}) => `version: 1
defaults: { schedule: { every: 1m } }
connectors:
  db: { type: postgres, url: "postgres://x@127.0.0.1/x" }
  api: { type: http, url: "http://127.0.0.1:1" }
  queue: { type: rabbitmq, url: "amqp://127.0.0.1" }
channels: { out: { type: console } }
routing: { receiver: team }
receivers: { team: { notify: [out] } }
pipelines:
  lake:
${extra.pipeline ?? '    correlation: { window: 3m }'}
    stages:
      - { id: collected, connector: db, dataset: s.collected, uniqueId: id, timestamp: ts }
      - { id: parsed, connector: db, dataset: s.parsed, uniqueId: id, timestamp: ts, runsOn: [queue] }
monitors:
  - { id: fresh, pipeline: lake, connector: db, check: { type: freshness, dataset: s.parsed, timestamp: ts }, rules: [{ above: 1m }] }
  - { id: q, pipeline: lake, connector: queue, check: { type: queue, queue: s.collected }, rules: [{ above: 100 }] }
  - { id: api, pipeline: lake, stage: collected, connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }
  - { id: losses, check: { type: stageCounts, pipeline: lake, window: 1m }, rules: [{ above: 0 }] }
  - { id: other, connector: db, check: { type: freshness, dataset: s.parsed, timestamp: ts }, rules: [{ above: 1m }] }
${extra.monitors ?? ''}`;

const load = (text: string) => validateConfigText(text, 'graph.yaml', { env: false });
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('the pipeline graph at load', () => {
  it('gives each monitor its stage (declared or derived), its dependencies and the pipeline correlation', () => {
    const v = load(
      base({
        monitors:
          '  - { id: late, pipeline: lake, stage: parsed, dependsOn: [fresh], connector: db, check: { type: sql, query: "select 1" }, rules: [{ above: 0 }] }\n  - { id: later, pipeline: lake, dependsOn: [late], connector: db, check: { type: sql, query: "select 1" }, rules: [{ above: 0 }] }',
      }),
    );
    expect(v.problems.filter((p) => p.severity !== 'warning')).toEqual([]);
    const byId = Object.fromEntries(v.config!.monitors.map((m) => [m.id, m]));
    const correlation = { pipeline: 'lake', windowMs: 180_000, stages: ['collected', 'parsed'] };
    expect(byId.fresh).toMatchObject({ stage: 'parsed', correlation });
    expect(byId.q).toMatchObject({ stage: 'parsed', correlation });
    expect(byId.api).toMatchObject({ stage: 'collected', correlation });
    expect(byId.losses!.stage).toBeUndefined();
    expect(byId.losses!.correlation).toEqual(correlation);
    expect(byId.other!.stage).toBeUndefined();
    expect(byId.other!.correlation).toBeUndefined();
    expect(byId.late!.dependsOn).toEqual(['fresh']);
    // Through others: later depends on late, which depends on fresh.
    expect(byId.later!.dependsOn).toEqual(['fresh', 'late']);
  });

  it('without correlation, monitors carry their stage but no correlation', () => {
    const v = load(base({ pipeline: '    description: no correlation' }));
    expect(v.config!.monitors.find((m) => m.id === 'fresh')).toMatchObject({ stage: 'parsed' });
    expect(v.config!.monitors.some((m) => m.correlation)).toBe(false);
  });

  const refused: Array<[string, string, string, RegExp]> = [
    [
      'an unknown stage',
      '  - { id: x, pipeline: lake, stage: parse, connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }',
      'stage: parse',
      /^unknown stage "parse" \(did you mean "parsed"\?\); declared stages: collected, parsed in pipeline lake$/,
    ],
    [
      'a stage without a pipeline',
      '  - { id: x, stage: parsed, connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }',
      'id: x',
      /"stage" places a monitor in its pipeline's graph; give the monitor "pipeline: <id>"/,
    ],
    [
      'a stage in an undeclared pipeline',
      '  - { id: x, pipeline: lak, stage: parsed, connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }',
      'id: x',
      /unknown pipeline "lak" \(did you mean "lake"\?\).*"stage" needs the pipeline declared/,
    ],
    [
      'a stage on stageCounts',
      '  - { id: x, stage: parsed, check: { type: stageCounts, pipeline: lake, window: 1m }, rules: [{ above: 0 }] }',
      'id: x',
      /spans every stage of its pipeline .*; remove "stage"/,
    ],
    [
      'dependsOn an unknown monitor',
      '  - { id: x, pipeline: lake, dependsOn: [frsh], connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }',
      'id: x',
      /unknown monitor "frsh" \(did you mean "fresh"\?\)/,
    ],
    [
      'dependsOn itself',
      '  - { id: x, pipeline: lake, dependsOn: [x], connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }',
      'id: x',
      /cannot depend on itself/,
    ],
    [
      'a dependsOn cycle',
      '  - { id: x, pipeline: lake, dependsOn: [y], connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }\n  - { id: y, pipeline: lake, dependsOn: [x], connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }',
      'id: x',
      /dependsOn goes round in a circle \(x → y → x\).*remove one of these edges/,
    ],
    [
      'dependsOn outside a correlated pipeline',
      '  - { id: x, dependsOn: [fresh], connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }',
      'id: x',
      /dependsOn orders the alerts of a correlated pipeline; give the monitor "pipeline: <id>"/,
    ],
    [
      'dependsOn a monitor of another pipeline',
      '  - { id: x, pipeline: lake, dependsOn: [other], connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }',
      'id: x',
      /"other" is in no pipeline, "x" in lake: alerts of different pipelines never share an incident/,
    ],
  ];
  it.each(refused)('refuses %s at its line', (_, monitors, at, message) => {
    const text = base({ monitors });
    const v = load(text);
    expect(v.config).toBeUndefined();
    const errors = v.problems.filter((p) => p.severity !== 'warning');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(message);
    expect(errors[0]!.line).toBe(lineOf(text, at));
  });

  it('refuses dependsOn in a pipeline without correlation, saying where to turn it on', () => {
    const text = base({
      pipeline: '    description: no correlation',
      monitors:
        '  - { id: x, pipeline: lake, dependsOn: [fresh], connector: api, check: { type: http, path: /h }, rules: [{ above: 1s }] }',
    });
    expect(load(text).problems.map((p) => p.message)).toEqual([
      'dependsOn orders the alerts of a correlated pipeline; add "correlation: { window: 5m }" to pipelines.lake, or remove dependsOn',
    ]);
  });

  it('refuses runsOn naming an unknown connector', () => {
    const text = base().replace('runsOn: [queue]', 'runsOn: [queu]');
    const v = load(text);
    expect(v.problems.filter((p) => p.severity !== 'warning').map((p) => [p.line, p.message])).toEqual([
      [lineOf(text, 'runsOn: [queu]'), expect.stringMatching(/unknown connector "queu" \(did you mean "queue"\?\)/)],
    ]);
  });
});
