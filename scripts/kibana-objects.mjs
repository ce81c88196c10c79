// Writes docs/kibana/pipewatch-logs.ndjson: a data view over the pipelines' log
// data stream and a dashboard (errors per pipeline and stage, top event codes,
// log volume by level), in the saved-objects format Kibana 8 imports.
//   node scripts/kibana-objects.mjs
import { writeFileSync } from 'node:fs';

const dataView = 'pipewatch-logs';
const search = (query) =>
  JSON.stringify({ query: { query, language: 'kuery' }, filter: [], indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' });
const ref = [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: dataView }];
const vis = (id, title, query, visState) => ({
  id,
  type: 'visualization',
  attributes: { title, visState: JSON.stringify({ title, ...visState }), uiStateJSON: '{}', description: '', kibanaSavedObjectMeta: { searchSourceJSON: search(query) } },
  references: ref,
  coreMigrationVersion: '8.8.0',
});
const dateHistogram = { id: '2', enabled: true, type: 'date_histogram', schema: 'segment', params: { field: '@timestamp', interval: 'auto', min_doc_count: 1 } };
const objects = [
  {
    id: dataView,
    type: 'index-pattern',
    attributes: { title: 'logs-pipelines-*', timeFieldName: '@timestamp', name: 'pipewatch pipeline logs' },
    references: [],
    coreMigrationVersion: '8.8.0',
  },
  vis('pipewatch-errors-by-stage', 'Errors per pipeline and stage', 'log.level : "error"', {
    type: 'histogram',
    params: { type: 'histogram', addLegend: true, legendPosition: 'right' },
    aggs: [
      { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} },
      dateHistogram,
      { id: '3', enabled: true, type: 'terms', schema: 'group', params: { field: 'labels.pipeline', size: 10, order: 'desc', orderBy: '1' } },
      { id: '4', enabled: true, type: 'terms', schema: 'split', params: { field: 'labels.stage', size: 5, order: 'desc', orderBy: '1', row: true } },
    ],
  }),
  vis('pipewatch-top-event-codes', 'Top event codes', 'event.code : *', {
    type: 'table',
    params: { perPage: 10, showTotal: true },
    aggs: [
      { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} },
      { id: '2', enabled: true, type: 'terms', schema: 'bucket', params: { field: 'event.code', size: 20, order: 'desc', orderBy: '1' } },
      { id: '3', enabled: true, type: 'terms', schema: 'bucket', params: { field: 'labels.pipeline', size: 10, order: 'desc', orderBy: '1' } },
    ],
  }),
  vis('pipewatch-log-volume', 'Log volume by level', '', {
    type: 'line',
    params: { type: 'line', addLegend: true },
    aggs: [
      { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} },
      dateHistogram,
      { id: '3', enabled: true, type: 'terms', schema: 'group', params: { field: 'log.level', size: 6, order: 'desc', orderBy: '1' } },
    ],
  }),
];
const panels = ['pipewatch-errors-by-stage', 'pipewatch-top-event-codes', 'pipewatch-log-volume'];
objects.push({
  id: 'pipewatch-pipelines',
  type: 'dashboard',
  attributes: {
    title: 'pipewatch: pipelines',
    description: 'Errors per pipeline and stage, top event codes, log volume — from pipewatch/logging',
    timeRestore: true,
    timeFrom: 'now-24h',
    timeTo: 'now',
    panelsJSON: JSON.stringify(
      panels.map((_, i) => ({ version: '8.8.0', type: 'visualization', gridData: { x: (i % 2) * 24, y: Math.floor(i / 2) * 15, w: 24, h: 15, i: String(i + 1) }, panelIndex: String(i + 1), embeddableConfig: {}, panelRefName: `panel_${i}` })),
    ),
    optionsJSON: JSON.stringify({ useMargins: true, hidePanelTitles: false }),
    kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
  },
  references: panels.map((id, i) => ({ name: `panel_${i}`, type: 'visualization', id })),
  coreMigrationVersion: '8.8.0',
});
writeFileSync(new URL('../docs/kibana/pipewatch-logs.ndjson', import.meta.url), `${objects.map((o) => JSON.stringify(o)).join('\n')}\n`);
console.log(`wrote ${objects.length} saved objects`);
