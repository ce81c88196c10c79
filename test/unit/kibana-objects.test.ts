import { readFileSync } from 'node:fs';
import { resultDocuments } from '../../activities/results.js';
import { parseConfig } from '../../config/load.js';

const read = (file: string) =>
  readFileSync(`docs/kibana/${file}`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** Every field a visualization aggregates on, and the fields its query names. */
function chartedFields(objects: Array<{ type: string; attributes: Record<string, unknown> }>): Set<string> {
  const fields = new Set<string>();
  for (const o of objects.filter((x) => x.type === 'visualization')) {
    const state = JSON.parse(o.attributes.visState as string) as { aggs: Array<{ params: { field?: string } }> };
    for (const a of state.aggs) if (a.params.field) fields.add(a.params.field);
    const query = JSON.parse((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON)
      .query.query as string;
    for (const m of query.matchAll(/([\w.@]+)\s*(?::|>)/g)) fields.add(m[1]!);
  }
  return fields;
}

function flatten(doc: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(doc)) {
    if (v && typeof v === 'object' && !Array.isArray(v))
      for (const [kk, vv] of flatten(v as Record<string, unknown>, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, v);
  }
  return out;
}

describe('the Kibana saved objects', () => {
  const objects = read('pipewatch-logs.ndjson');
  const results = read('pipewatch-results.ndjson');

  it('are importable objects whose references all resolve', () => {
    for (const set of [objects, results]) {
      const ids = new Set(set.map((o) => `${o.type}:${o.id}`));
      for (const o of set) {
        expect(o).toEqual(
          expect.objectContaining({ id: expect.any(String), type: expect.any(String), attributes: expect.any(Object) }),
        );
        for (const r of o.references) expect(ids.has(`${r.type}:${r.id}`)).toBe(true);
      }
    }
    expect(objects.map((o) => o.type).sort()).toEqual([
      'dashboard',
      'index-pattern',
      'visualization',
      'visualization',
      'visualization',
    ]);
    expect(results.map((o) => o.type).sort()).toEqual([
      'dashboard',
      'index-pattern',
      ...Array(5).fill('visualization'),
    ]);
  });

  it('chart the ECS fields the logging interface writes', () => {
    const text = objects.map((o) => JSON.stringify(o.attributes)).join('\n');
    for (const field of ['labels.pipeline', 'labels.stage', 'event.code', 'log.level', '@timestamp'])
      expect(text).toContain(field);
    expect(objects.find((o) => o.type === 'index-pattern').attributes.title).toBe('logs-pipelines-*');
  });

  it('chart only fields the results sink writes, over its default index, mapped as keywords where they are grouped', () => {
    const runDoc = resultDocuments(
      {
        monitorId: 'm',
        runId: 'r',
        verdict: {
          status: 'critical',
          value: 3,
          unit: 'records',
          reason: 'x',
          observedAt: '2026-01-01T00:00:00Z',
          details: { pipeline: 'intel', firstLosingStage: 'serving' },
        },
        labels: { monitor: 'm', perspective: 'data', check: 'count', stage: 'serving', severity: 'critical' },
      },
      { state: { alerting: true } as never, transition: 'open' },
      [{ stage: 'serving', windowStart: 'a', windowEnd: 'b', count: 7, lost: 3 }],
    );
    const written = new Set(runDoc.flatMap((d) => [...flatten(d.doc).keys()]));
    const charted = chartedFields(results);
    expect(charted).toEqual(
      new Set([
        '@timestamp',
        'event.dataset',
        'event.outcome',
        'pipewatch.value',
        'pipewatch.lost',
        'pipewatch.stage',
        'pipewatch.pipeline',
        'pipewatch.status',
        'pipewatch.monitor.id',
        'pipewatch.monitor.check',
        'pipewatch.perspective',
      ]),
    );
    for (const f of charted) expect(written.has(f)).toBe(true);
    const datasets = new Set(runDoc.map((d) => (d.doc.event as { dataset: string }).dataset));
    for (const ds of datasets) expect(JSON.stringify(results)).toContain(ds);

    const defaultIndex = parseConfig(
      'version: 1\nconnectors: { es: { type: elasticsearch, node: "http://es:9200" } }\nsinks: { elasticsearch: { connector: es } }\n',
      'x.yaml',
      { env: false },
    ).raw.sinks.elasticsearch!.index;
    const title = results.find((o) => o.type === 'index-pattern').attributes.title as string;
    expect(new RegExp(`^${title.replace('*', '.*')}$`).test(defaultIndex)).toBe(true);

    const template = JSON.parse(readFileSync('docs/kibana/pipewatch-results-template.json', 'utf8'));
    expect(template.index_patterns).toEqual([title]);
    type Mapping = { type?: string; properties?: Record<string, Mapping> };
    const mapping = (field: string) =>
      field
        .split('.')
        .reduce<Mapping | undefined>((m, part) => m?.properties?.[part], template.template.mappings as Mapping);
    for (const f of [
      'pipewatch.stage',
      'pipewatch.pipeline',
      'pipewatch.status',
      'pipewatch.monitor.id',
      'pipewatch.perspective',
      'event.dataset',
      'event.outcome',
    ])
      expect(mapping(f)?.type).toBe('keyword');
    expect(mapping('pipewatch.value')?.type).toBe('double');
    expect(mapping('@timestamp')?.type).toBe('date');
  });
});
