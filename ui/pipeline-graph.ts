// The status page's picture of a correlated pipeline: its stages left to right, each with the
// monitors the graph placed on it (evaluation/graph.ts), root perspective first, coloured by their
// status, so what fails upstream stands out before what it took down. Pure HTML through `html`, which escapes.
import { PERSPECTIVE_RANK } from '../evaluation/graph.js';
import { html, joinHtml, unsafeHtml, type Html } from '../evaluation/html.js';
import type { MonitorRow, StatusData } from './status.js';

// Fixed stylesheet: markup by construction.
const GRAPH_STYLE = unsafeHtml(
  '.stages{display:flex;align-items:flex-start;gap:.5em;flex-wrap:wrap}.stage{border:1px solid #8c959f;border-radius:6px;padding:.4em .6em;min-width:12em}.stage.failing{border-color:var(--critical);border-width:2px}.stage ul,.across{list-style:none;padding:0;margin:.3em 0}.arrow{align-self:center;font-size:1.4em}',
);

function chip(m: MonitorRow): Html {
  const status = m.status ?? 'unknown';
  return html`<li class="status-${status}${m.alerting ? ' alerting' : ''}" title="${`${m.perspective}: ${m.reason ?? ''}`}"><span class="badge">${status}</span> ${m.id} <small>${m.perspective}</small></li>`;
}

/** One section per correlated pipeline; empty when there is none. */
export function pipelineGraphSection(data: Pick<StatusData, 'pipelines' | 'monitors'>): string {
  return pipelineGraph(data).markup;
}

export function pipelineGraph(data: Pick<StatusData, 'pipelines' | 'monitors'>): Html {
  const pipelines = data.pipelines ?? [];
  if (pipelines.length === 0) return html``;
  const rank = (m: MonitorRow) => PERSPECTIVE_RANK[m.perspective as keyof typeof PERSPECTIVE_RANK] ?? 9;
  const order = (a: MonitorRow, b: MonitorRow) => rank(a) - rank(b) || a.id.localeCompare(b.id);
  const graphs = pipelines.map((p) => {
    const mine = data.monitors.filter((m) => m.pipeline === p.id);
    const boxes = p.stages.map((stage, i) => {
      const on = mine.filter((m) => m.stage === stage).sort(order);
      const failing = on.some((m) => m.alerting);
      return html`${i ? html`<span class="arrow">→</span>` : ''}<div class="stage${failing ? ' failing' : ''}" data-stage="${stage}"><strong>${stage}</strong><ul>${on.map(chip)}</ul></div>`;
    });
    const across = mine.filter((m) => !m.stage).sort(order);
    return html`<div class="pipeline-graph" data-pipeline="${p.id}"><h3>${p.id}</h3><div class="stages">${boxes}</div>${
      across.length
        ? html`<p class="none">across stages or on none: </p><ul class="across">${across.map(chip)}</ul>`
        : ''
    }</div>`;
  });
  return html`<section id="pipelines"><h2>Pipelines</h2>
<style>${GRAPH_STYLE}</style>
${joinHtml(graphs, '\n')}</section>`;
}
