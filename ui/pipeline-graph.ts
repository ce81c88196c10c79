// The status page's picture of a correlated pipeline: its stages left to right, each with the
// monitors the graph placed on it (evaluation/graph.ts), root perspective first, coloured by their
// status, so what fails upstream stands out before what it took down. Pure HTML, escaped here.
import { PERSPECTIVE_RANK } from '../evaluation/graph.js';
import type { MonitorRow, StatusData } from './status.js';

const esc = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function chip(m: MonitorRow): string {
  const status = m.status ?? 'unknown';
  return `<li class="status-${esc(status)}${m.alerting ? ' alerting' : ''}" title="${esc(`${m.perspective}: ${m.reason ?? ''}`)}"><span class="badge">${esc(status)}</span> ${esc(m.id)} <small>${esc(m.perspective)}</small></li>`;
}

/** One section per correlated pipeline; empty when there is none. */
export function pipelineGraphSection(data: Pick<StatusData, 'pipelines' | 'monitors'>): string {
  const pipelines = data.pipelines ?? [];
  if (pipelines.length === 0) return '';
  const rank = (m: MonitorRow) => PERSPECTIVE_RANK[m.perspective as keyof typeof PERSPECTIVE_RANK] ?? 9;
  const order = (a: MonitorRow, b: MonitorRow) => rank(a) - rank(b) || a.id.localeCompare(b.id);
  const graphs = pipelines.map((p) => {
    const mine = data.monitors.filter((m) => m.pipeline === p.id);
    const boxes = p.stages.map((stage, i) => {
      const on = mine.filter((m) => m.stage === stage).sort(order);
      const failing = on.some((m) => m.alerting);
      return `${i ? '<span class="arrow">→</span>' : ''}<div class="stage${failing ? ' failing' : ''}" data-stage="${esc(stage)}"><strong>${esc(stage)}</strong><ul>${on.map(chip).join('')}</ul></div>`;
    });
    const across = mine.filter((m) => !m.stage).sort(order);
    return `<div class="pipeline-graph" data-pipeline="${esc(p.id)}"><h3>${esc(p.id)}</h3><div class="stages">${boxes.join('')}</div>${
      across.length ? `<p class="none">across stages or on none: </p><ul class="across">${across.map(chip).join('')}</ul>` : ''
    }</div>`;
  });
  return `<section id="pipelines"><h2>Pipelines</h2>
<style>.stages{display:flex;align-items:flex-start;gap:.5em;flex-wrap:wrap}.stage{border:1px solid #8c959f;border-radius:6px;padding:.4em .6em;min-width:12em}.stage.failing{border-color:var(--critical);border-width:2px}.stage ul,.across{list-style:none;padding:0;margin:.3em 0}.arrow{align-self:center;font-size:1.4em}</style>
${graphs.join('\n')}</section>`;
}
