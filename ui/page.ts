// The status page as HTML: a pure function of the status data (ui/status.ts),
// so what the browser shows and what /api/status returns are the same facts.
// Every template is evaluation/html.ts's `html`, which escapes whatever comes from
// the config or the data; the page loads nothing from elsewhere (no CDN: pipewatch runs offline).
import { html, joinHtml, unsafeHtml, type Html } from '../evaluation/html.js';
import { workflowIdOfRun } from '../evaluation/ids.js';
import { formatValue } from '../evaluation/rules.js';
import type { Status } from '../evaluation/types.js';
import type { IncidentRow, InterventionRow, MonitorRow, StatusData } from './status.js';
import { pipelineGraph } from './pipeline-graph.js';

/** A workflow's page in the Temporal Web UI. The id is one path segment, so its slashes are encoded. */
export function workflowUrl(temporalUi: string, namespace: string, workflowId: string): string {
  return `${temporalUi.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export const SPARKLINE = { width: 120, height: 24 };

/**
 * The last values as a small line, oldest on the left. Runs without a value
 * (could not check) break the line; failing runs get a dot in their status colour.
 */
export function sparklineSvg(points: Array<{ value: number | null; status: Status }>, size = SPARKLINE): string {
  return sparkline(points, size).markup;
}

function sparkline(points: Array<{ value: number | null; status: Status }>, size = SPARKLINE): Html {
  const { width, height } = size;
  const pad = 2;
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const open = html`<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="last ${points.length} values">`;
  if (values.length === 0)
    return html`${open}<line x1="0" y1="${height / 2}" x2="${width}" y2="${height / 2}" class="spark-empty"/></svg>`;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
  const x = (i: number) => Math.round((pad + i * step) * 10) / 10;
  const y = (v: number) => Math.round((height - pad - ((v - min) / span) * (height - 2 * pad)) * 10) / 10;
  const segments: Array<Array<[number, number]>> = [[]];
  const dots: Html[] = [];
  points.forEach((p, i) => {
    if (p.value === null || !Number.isFinite(p.value)) {
      if (segments.at(-1)!.length > 0) segments.push([]);
      dots.push(html`<circle cx="${x(i)}" cy="${height - pad}" r="1.5" class="dot-error"/>`);
      return;
    }
    segments.at(-1)!.push([x(i), y(p.value)]);
    if (p.status !== 'ok' && p.status !== 'info' && p.status !== 'learning')
      dots.push(html`<circle cx="${x(i)}" cy="${y(p.value)}" r="1.8" class="dot-${p.status}"/>`);
  });
  const lines = segments
    .filter((s) => s.length > 0)
    .map((s) =>
      s.length === 1
        ? html`<circle cx="${s[0]![0]}" cy="${s[0]![1]}" r="1.2" class="spark-point"/>`
        : html`<polyline points="${s.map(([px, py]) => `${px},${py}`).join(' ')}" class="spark-line"/>`,
    );
  return html`${open}${lines}${dots}</svg>`;
}

// Fixed stylesheet: markup by construction (its quotes must stay quotes).
const STYLE = unsafeHtml(`
:root { color-scheme: light; --ok:#1a7f37; --info:#0969da; --warning:#9a6700; --critical:#cf222e; --error:#8250df; --muted:#57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 10px 20px; display: flex; gap: 20px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
header .meta { color: #d0d7de; font-size: 12px; }
main { padding: 12px 20px 40px; }
section { margin: 14px 0 22px; }
h2 { font-size: 16px; margin: 18px 0 6px; }
h3 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #d0d7de; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eaeef2; vertical-align: middle; }
th { background: #f6f8fa; font-weight: 600; font-size: 12px; color: var(--muted); }
td.reason { color: var(--muted); max-width: 40em; overflow-wrap: anywhere; }
.badge { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; color: #fff; }
.status-ok .badge { background: var(--ok); } .status-info .badge { background: var(--info); } .status-learning .badge { background: var(--muted); } .status-warning .badge { background: var(--warning); }
.status-critical .badge { background: var(--critical); } .status-error .badge { background: var(--error); } .status-unknown .badge { background: var(--muted); }
tr.alerting { background: #fff5f5; }
.summary span { margin-right: 14px; }
.problem { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 12px; }
.sparkline .spark-line { fill: none; stroke: #0969da; stroke-width: 1.3; }
.sparkline .spark-point { fill: #0969da; } .sparkline .spark-empty { stroke: #d0d7de; stroke-dasharray: 3 3; }
.sparkline .dot-warning { fill: var(--warning); } .sparkline .dot-critical { fill: var(--critical); } .sparkline .dot-error { fill: var(--error); }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
.none { color: var(--muted); font-style: italic; }
`);

const PERSPECTIVE_ORDER = ['data', 'logs', 'operations', 'services'];

function timeCell(iso: string | undefined): Html {
  return iso ? html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>` : html``;
}

function link(href: string, text: string, cls = ''): Html {
  return html`<a href="${href}"${cls ? html` class="${cls}"` : ''} target="_blank" rel="noopener noreferrer">${text}</a>`;
}

function monitorRow(m: MonitorRow, data: StatusData): Html {
  const url = (id: string) => workflowUrl(data.temporalUi, data.namespace, id);
  const status = m.status ?? 'unknown';
  const value = m.lastValue === undefined ? '' : formatValue(m.lastValue, m.unit);
  const incidents = joinHtml(
    m.incidentIds.map((id) => link(url(id), id.replace(/^pipewatch-incident\//, ''), 'incident-link')),
    '<br>',
  );
  return html`<tr class="monitor status-${status}${m.alerting ? ' alerting' : ''}" data-monitor="${m.id}">
<td><span class="badge">${status}</span>${m.alerting ? html` <span title="an alert is open">●</span>` : ''}</td>
<td>${m.lastRunId ? link(url(workflowIdOfRun(m.lastRunId)), m.id, 'run-link') : m.id}${m.description ? html`<br><small>${m.description}</small>` : ''}</td>
<td class="value">${value}</td>
<td>${sparkline(m.points)}</td>
<td class="reason">${m.reason ?? (m.status ? '' : 'no run recorded yet')}</td>
<td>${timeCell(m.lastObservedAt)}</td>
<td>${incidents}</td>
</tr>`;
}

function monitorsSection(data: StatusData): Html {
  if (data.monitors.length === 0) return html`<p class="none">no monitors declared</p>`;
  const byPipeline = new Map<string, MonitorRow[]>();
  for (const m of data.monitors) {
    const key = m.pipeline ?? '';
    byPipeline.set(key, [...(byPipeline.get(key) ?? []), m]);
  }
  const pipelines = [...byPipeline.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  const sections = pipelines.map((p) => {
    const rows = byPipeline.get(p)!;
    const perspectives = [...new Set(rows.map((m) => m.perspective))].sort(
      (a, b) => PERSPECTIVE_ORDER.indexOf(a) - PERSPECTIVE_ORDER.indexOf(b),
    );
    const tables = perspectives.map((persp) => {
      const monitors = rows
        .filter((m) => m.perspective === persp)
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((m) => monitorRow(m, data));
      return html`<h3>${persp}</h3>
<table class="monitors" data-perspective="${persp}"><thead><tr><th>status</th><th>monitor</th><th>last value</th><th>last ${data.pointsShown}</th><th>reason</th><th>observed</th><th>incident</th></tr></thead><tbody>
${joinHtml(monitors, '\n')}
</tbody></table>`;
    });
    return html`<section class="pipeline" data-pipeline="${p}"><h2>${p ? html`pipeline ${p}` : 'monitors without a pipeline'}</h2>\n${joinHtml(tables, '\n')}</section>`;
  });
  return joinHtml(sections, '\n');
}

function incidentsSection(data: StatusData): Html {
  const rows = data.incidents;
  if (rows.length === 0) return html`<p class="none">no open incidents</p>`;
  const lines = rows.map(
    (i: IncidentRow) => html`<tr class="incident status-${i.severity || 'unknown'}" data-incident="${i.workflowId}">
<td>${i.state}</td><td>${link(workflowUrl(data.temporalUi, data.namespace, i.workflowId), i.workflowId, 'incident-link')}</td>
<td><span class="badge">${i.severity || '?'}</span></td><td>${i.monitor}</td><td>${i.pipeline}</td><td>${timeCell(i.since)}</td></tr>`,
  );
  return html`<table class="incidents"><thead><tr><th>state</th><th>incident</th><th>severity</th><th>monitor</th><th>pipeline</th><th>since</th></tr></thead><tbody>
${joinHtml(lines, '\n')}
</tbody></table>`;
}

function interventionsSection(data: StatusData): Html {
  const rows = data.interventions;
  if (rows.length === 0) return html`<p class="none">no questions waiting on an operator</p>`;
  const lines = rows.map(
    (i: InterventionRow) => html`<tr class="intervention" data-intervention="${i.workflowId}">
<td>${link(workflowUrl(data.temporalUi, data.namespace, i.workflowId), i.title ?? i.workflowId, 'intervention-link')}${i.question ? html`<br><small>${i.question}</small>` : ''}</td>
<td>${i.pipeline}</td><td>${timeCell(i.since)}</td><td>${timeCell(i.deadlineAt)}</td>
<td><code>pipewatch intervene respond ${shellQuote(i.workflowId)} --answer … --by …</code></td></tr>`,
  );
  return html`<table class="interventions"><thead><tr><th>question</th><th>pipeline</th><th>waiting since</th><th>deadline</th><th>answer with</th></tr></thead><tbody>
${joinHtml(lines, '\n')}
</tbody></table>`;
}

function refusedSection(data: StatusData): Html {
  const rows = data.refusedArchives ?? [];
  if (rows.length === 0) return html``;
  const lines = rows.map(
    (
      r,
    ) => html`<tr class="refused-archive" data-workflow="${r.workflowId}"><td>${link(workflowUrl(data.temporalUi, data.namespace, r.workflowId), r.workflowId, 'refused-link')}</td>
<td>${timeCell(r.at)}</td><td>${r.reason}</td></tr>`,
  );
  return html`<section id="refused-archives"><h2>Archives refused in the last 7 days (${rows.length})</h2>
<p class="none">Nothing was extracted and nobody was asked; the operators were told why.</p>
<table class="refused"><thead><tr><th>archive flow</th><th>refused</th><th>why</th></tr></thead><tbody>
${joinHtml(lines, '\n')}
</tbody></table></section>`;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Whether pipewatch's own schedules run on time (the self-monitor): said above everything else when they do not. */
function saturationLine(data: StatusData): Html {
  const s = data.saturation;
  if (!s) return html``;
  const status = s.status ?? 'unknown';
  const text = !s.status
    ? "pipewatch's own schedules: not checked yet"
    : s.status === 'ok'
      ? "pipewatch's own schedules: every tick on time"
      : `pipewatch's own schedules are not keeping up: ${s.reason ?? ''}`;
  const run = s.lastRunId
    ? html` ${link(workflowUrl(data.temporalUi, data.namespace, workflowIdOfRun(s.lastRunId)), 'last check', 'run-link')}`
    : '';
  return html`<p id="saturation" class="saturation status-${status}${s.status && s.status !== 'ok' ? ' problem' : ''}"><span class="badge">${status}</span> ${text}${run}</p>`;
}

/** The part of the page that refreshes: everything under <main>. */
export function renderMain(data: StatusData): string {
  return mainHtml(data).markup;
}

function mainHtml(data: StatusData): Html {
  const counts = new Map<string, number>();
  for (const m of data.monitors) counts.set(m.status ?? 'unknown', (counts.get(m.status ?? 'unknown') ?? 0) + 1);
  const summary = ['critical', 'warning', 'error', 'learning', 'info', 'ok', 'unknown']
    .filter((s) => counts.get(s))
    .map((s) => html`<span class="status-${s}"><span class="badge">${s}</span> ${counts.get(s)}</span>`);
  return html`<main data-generated-at="${data.generatedAt}">
${joinHtml(
  data.problems.map((p) => html`<p class="problem">${p}</p>`),
  '\n',
)}
${saturationLine(data)}
<p class="summary">${summary}<span>${data.alerting} alerting</span><span>updated ${timeCell(data.generatedAt)}</span></p>
<section id="incidents"><h2>Open incidents (${data.incidents.length})</h2>
${incidentsSection(data)}</section>
<section id="interventions"><h2>Waiting on an operator (${data.interventions.length})</h2>
${interventionsSection(data)}</section>
${refusedSection(data)}
${pipelineGraph(data)}
<section id="monitors"><h2>Monitors (${data.monitors.length})</h2>
${monitorsSection(data)}</section>
</main>`;
}

// The refresher: fixed code (its quotes and && must stay as they are); the only value in it is a number.
const REFRESH_SCRIPT = (ms: number) =>
  unsafeHtml(`
(function () {
  var busy = false;
  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      var res = await fetch(location.pathname, { headers: { accept: 'text/html' }, credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      var doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      var fresh = doc.querySelector('main');
      if (fresh) document.querySelector('main').replaceWith(document.adoptNode(fresh));
      document.body.removeAttribute('data-stale');
    } catch (err) {
      document.body.setAttribute('data-stale', String(err && err.message || err));
    } finally {
      busy = false;
    }
  }
  setInterval(refresh, ${Number(ms)});
  document.addEventListener('visibilitychange', refresh);
})();
`);

/**
 * The whole page. A small script replaces <main> with a fresh copy every
 * refreshSeconds, so the page keeps its scroll position and never reloads;
 * without JavaScript a meta refresh does the same by reloading.
 */
export function renderPage(data: StatusData, options: { refreshSeconds: number; nonce: string }): string {
  const ms = Math.max(1, options.refreshSeconds) * 1000;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pipewatch · ${data.project}</title>
<noscript><meta http-equiv="refresh" content="${Math.max(1, options.refreshSeconds)}"></noscript>
<style nonce="${options.nonce}">${STYLE}</style>
</head><body>
<header><h1>pipewatch · ${data.project}</h1>
<span class="meta">namespace ${data.namespace} · task queue ${data.taskQueue} · ${link(`${data.temporalUi.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(data.namespace)}/workflows`, 'Temporal Web UI')} · refreshes every ${Math.max(1, options.refreshSeconds)} s · <a href="api/status">JSON</a></span></header>
${mainHtml(data)}
<script nonce="${options.nonce}">${REFRESH_SCRIPT(ms)}</script>
</body></html>`.markup;
}
