// Writes the Kibana saved objects pipewatch ships, in the format Kibana 8 imports:
//   docs/kibana/pipewatch-logs.ndjson     a data view over the pipelines' log data stream and a
//                                         dashboard (errors per pipeline and stage, top event codes,
//                                         log volume by level);
//   docs/kibana/pipewatch-results.ndjson  a data view over the monitor results index
//                                         (sinks.elasticsearch) and a dashboard (records per stage of
//                                         each pipeline over time, records lost, runs by status,
//                                         failing monitors);
//   docs/kibana/pipewatch-results-template.json  the index template that maps the results' fields
//                                         (keywords for what dashboards group by).
//   node scripts/kibana-objects.mjs
import { writeFileSync } from 'node:fs';

const search = (query) =>
  JSON.stringify({
    query: { query, language: 'kuery' },
    filter: [],
    indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
  });
const vis = (dataView, id, title, query, visState) => ({
  id,
  type: 'visualization',
  attributes: {
    title,
    visState: JSON.stringify({ title, ...visState }),
    uiStateJSON: '{}',
    description: '',
    kibanaSavedObjectMeta: { searchSourceJSON: search(query) },
  },
  references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: dataView }],
  coreMigrationVersion: '8.8.0',
});
const dataViewObject = (id, title, name) => ({
  id,
  type: 'index-pattern',
  attributes: { title, timeFieldName: '@timestamp', name },
  references: [],
  coreMigrationVersion: '8.8.0',
});
const dashboard = (id, title, description, panels) => ({
  id,
  type: 'dashboard',
  attributes: {
    title,
    description,
    timeRestore: true,
    timeFrom: 'now-24h',
    timeTo: 'now',
    panelsJSON: JSON.stringify(
      panels.map((_, i) => ({
        version: '8.8.0',
        type: 'visualization',
        gridData: { x: (i % 2) * 24, y: Math.floor(i / 2) * 15, w: 24, h: 15, i: String(i + 1) },
        panelIndex: String(i + 1),
        embeddableConfig: {},
        panelRefName: `panel_${i}`,
      })),
    ),
    optionsJSON: JSON.stringify({ useMargins: true, hidePanelTitles: false }),
    kibanaSavedObjectMeta: {
      searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }),
    },
  },
  references: panels.map((pid, i) => ({ name: `panel_${i}`, type: 'visualization', id: pid })),
  coreMigrationVersion: '8.8.0',
});
const dateHistogram = {
  id: '2',
  enabled: true,
  type: 'date_histogram',
  schema: 'segment',
  params: { field: '@timestamp', interval: 'auto', min_doc_count: 1 },
};
const terms = (id, schema, field, size, extra = {}) => ({
  id,
  enabled: true,
  type: 'terms',
  schema,
  params: { field, size, order: 'desc', orderBy: '1', ...extra },
});
const write = (file, objects) => {
  writeFileSync(
    new URL(`../docs/kibana/${file}`, import.meta.url),
    `${objects.map((o) => JSON.stringify(o)).join('\n')}\n`,
  );
  console.log(`wrote ${objects.length} saved objects to docs/kibana/${file}`);
};

// ------------------------------------------------------------ pipeline logs

const logs = 'pipewatch-logs';
const logObjects = [
  dataViewObject(logs, 'logs-pipelines-*', 'pipewatch pipeline logs'),
  vis(logs, 'pipewatch-errors-by-stage', 'Errors per pipeline and stage', 'log.level : "error"', {
    type: 'histogram',
    params: { type: 'histogram', addLegend: true, legendPosition: 'right' },
    aggs: [
      { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} },
      dateHistogram,
      {
        id: '3',
        enabled: true,
        type: 'terms',
        schema: 'group',
        params: { field: 'labels.pipeline', size: 10, order: 'desc', orderBy: '1' },
      },
      {
        id: '4',
        enabled: true,
        type: 'terms',
        schema: 'split',
        params: { field: 'labels.stage', size: 5, order: 'desc', orderBy: '1', row: true },
      },
    ],
  }),
  vis(logs, 'pipewatch-top-event-codes', 'Top event codes', 'event.code : *', {
    type: 'table',
    params: { perPage: 10, showTotal: true },
    aggs: [
      { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} },
      {
        id: '2',
        enabled: true,
        type: 'terms',
        schema: 'bucket',
        params: { field: 'event.code', size: 20, order: 'desc', orderBy: '1' },
      },
      {
        id: '3',
        enabled: true,
        type: 'terms',
        schema: 'bucket',
        params: { field: 'labels.pipeline', size: 10, order: 'desc', orderBy: '1' },
      },
    ],
  }),
  vis(logs, 'pipewatch-log-volume', 'Log volume by level', '', {
    type: 'line',
    params: { type: 'line', addLegend: true },
    aggs: [
      { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} },
      dateHistogram,
      {
        id: '3',
        enabled: true,
        type: 'terms',
        schema: 'group',
        params: { field: 'log.level', size: 6, order: 'desc', orderBy: '1' },
      },
    ],
  }),
];
logObjects.push(
  dashboard(
    'pipewatch-pipelines',
    'pipewatch: pipelines',
    'Errors per pipeline and stage, top event codes, log volume — from pipewatch/logging',
    ['pipewatch-errors-by-stage', 'pipewatch-top-event-codes', 'pipewatch-log-volume'],
  ),
);
write('pipewatch-logs.ndjson', logObjects);

// ---------------------------------------------------------- monitor results

// Documents written by sinks.elasticsearch (activities/results.ts): event.dataset
// "pipewatch.run" for each run, "pipewatch.stage" for each stage of a stageCounts run.
const results = 'pipewatch-results';
const max = (field) => ({ id: '1', enabled: true, type: 'max', schema: 'metric', params: { field } });
const resultObjects = [
  dataViewObject(results, 'pipewatch-results*', 'pipewatch monitor results'),
  vis(
    results,
    'pipewatch-records-per-stage',
    'Records per stage (collection, processing, analysis, serving)',
    'event.dataset : "pipewatch.stage"',
    {
      type: 'line',
      params: { type: 'line', addLegend: true, legendPosition: 'right' },
      aggs: [
        max('pipewatch.value'),
        dateHistogram,
        terms('3', 'group', 'pipewatch.stage', 10),
        terms('4', 'split', 'pipewatch.pipeline', 10, { row: true }),
      ],
    },
  ),
  vis(
    results,
    'pipewatch-records-lost-per-stage',
    'Records lost per stage',
    'event.dataset : "pipewatch.stage" and pipewatch.lost > 0',
    {
      type: 'histogram',
      params: { type: 'histogram', addLegend: true, legendPosition: 'right' },
      aggs: [
        { id: '1', enabled: true, type: 'sum', schema: 'metric', params: { field: 'pipewatch.lost' } },
        dateHistogram,
        terms('3', 'group', 'pipewatch.stage', 10),
        terms('4', 'split', 'pipewatch.pipeline', 10, { row: true }),
      ],
    },
  ),
  vis(
    results,
    'pipewatch-counts-by-stage-label',
    'Count monitors per stage label',
    'event.dataset : "pipewatch.run" and pipewatch.monitor.check : "count"',
    {
      type: 'line',
      params: { type: 'line', addLegend: true, legendPosition: 'right' },
      aggs: [
        max('pipewatch.value'),
        dateHistogram,
        terms('3', 'group', 'pipewatch.stage', 10),
        terms('4', 'split', 'pipewatch.pipeline', 10, { row: true }),
      ],
    },
  ),
  vis(results, 'pipewatch-runs-by-status', 'Monitor runs by status', 'event.dataset : "pipewatch.run"', {
    type: 'histogram',
    params: { type: 'histogram', addLegend: true, legendPosition: 'right' },
    aggs: [
      { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} },
      dateHistogram,
      terms('3', 'group', 'pipewatch.status', 5),
    ],
  }),
  vis(
    results,
    'pipewatch-failing-monitors',
    'Failing monitors by pipeline and perspective',
    'event.dataset : "pipewatch.run" and event.outcome : "failure"',
    {
      type: 'table',
      params: { perPage: 10, showTotal: true },
      aggs: [
        { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} },
        terms('2', 'bucket', 'pipewatch.monitor.id', 20),
        terms('3', 'bucket', 'pipewatch.pipeline', 10),
        terms('4', 'bucket', 'pipewatch.perspective', 4),
      ],
    },
  ),
];
resultObjects.push(
  dashboard(
    'pipewatch-results-dashboard',
    'pipewatch: pipeline stages and monitor results',
    'Records per stage of each pipeline over time, records lost, monitor runs by status — from sinks.elasticsearch',
    [
      'pipewatch-records-per-stage',
      'pipewatch-records-lost-per-stage',
      'pipewatch-counts-by-stage-label',
      'pipewatch-runs-by-status',
      'pipewatch-failing-monitors',
    ],
  ),
);
write('pipewatch-results.ndjson', resultObjects);

// Strings are keywords (what dashboards group by); the reason and message stay searchable text.
const keyword = { type: 'keyword', ignore_above: 1024 };
const template = {
  index_patterns: ['pipewatch-results*'],
  priority: 200,
  _meta: { description: 'pipewatch monitor results (sinks.elasticsearch); generated by scripts/kibana-objects.mjs' },
  template: {
    mappings: {
      dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: keyword } }],
      properties: {
        '@timestamp': { type: 'date' },
        message: { type: 'text' },
        event: { properties: { kind: keyword, module: keyword, dataset: keyword, outcome: keyword, id: keyword } },
        labels: { type: 'object', dynamic: true },
        pipewatch: {
          properties: {
            monitor: { properties: { id: keyword, check: keyword, perspective: keyword } },
            run: { properties: { id: keyword, transition: keyword, alerting: { type: 'boolean' } } },
            pipeline: keyword,
            perspective: keyword,
            stage: keyword,
            value: { type: 'double' },
            lost: { type: 'long' },
            unit: keyword,
            status: keyword,
            reason: { type: 'text' },
            window: { properties: { start: { type: 'date' }, end: { type: 'date' } } },
          },
        },
      },
    },
  },
};
writeFileSync(
  new URL('../docs/kibana/pipewatch-results-template.json', import.meta.url),
  `${JSON.stringify(template, null, 2)}\n`,
);
console.log('wrote docs/kibana/pipewatch-results-template.json');
