// Turns a notification into words a person can act on: what is wrong, the
// value against the rule, since when, and what to do next. Pure.
import { describeRule, formatValue } from '../evaluation/rules.js';
import type { Notification } from './types.js';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const KIND_WORD = { firing: 'FIRING', changed: 'CHANGED', resolved: 'RESOLVED' } as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function render(n: Notification, subjectPrefix = '[pipewatch]'): RenderedMessage {
  const { monitor, verdict } = n;
  const state = n.kind === 'resolved' ? 'RESOLVED' : `${KIND_WORD[n.kind]} ${n.status.toUpperCase()}`;
  const where = monitor.pipeline ? ` (${monitor.pipeline})` : '';
  const subject = `${subjectPrefix} ${state}: ${monitor.id}${where}: ${verdict.reason}`.slice(0, 240);

  const rows: Array<[string, string]> = [
    ['Monitor', monitor.id],
    ...(monitor.description ? [['What it watches', monitor.description] as [string, string]] : []),
    ['Perspective', monitor.perspective],
    ...(monitor.pipeline ? [['Pipeline', monitor.pipeline] as [string, string]] : []),
    ['Status', n.status],
    ['Value', verdict.value === undefined ? 'not measured' : formatValue(verdict.value, verdict.unit)],
    ...(verdict.rule ? [['Rule', `${describeRule(verdict.rule, verdict.unit)} → ${verdict.rule.severity}`] as [string, string]] : []),
    ['Observed at', verdict.observedAt],
    ['Incident opened', n.openedAt],
    ...(n.resolvedAt ? [['Resolved at', n.resolvedAt] as [string, string]] : []),
    ...Object.entries(verdict.details ?? {}).map(([k, v]) => [k, String(v)] as [string, string]),
    ...Object.entries(monitor.labels).map(([k, v]) => [`label ${k}`, v] as [string, string]),
  ];

  const todo =
    n.kind === 'resolved'
      ? ['Nothing to do: the monitor has been healthy long enough to close the incident.']
      : [
          verdict.status === 'error'
            ? 'pipewatch could not run this check; the data may be fine or not. Check that the source is reachable.'
            : 'Look at the stage named above; the value is outside what the monitor allows.',
          ...(monitor.runbook ? [`Runbook: ${monitor.runbook}`] : []),
          `Re-run the check now: pipewatch run ${monitor.id}`,
          `Incident history: temporal workflow show --workflow-id '${n.incidentId}'`,
        ];

  const text = [
    `${state}: ${verdict.reason}`,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    ...(verdict.error ? ['', `Error: ${verdict.error}`] : []),
    '',
    'What to do:',
    ...todo.map((t) => `  - ${t}`),
  ].join('\n');

  const color = n.kind === 'resolved' ? '#1a7f37' : n.status === 'critical' ? '#cf222e' : '#9a6700';
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2 style="color:${color}">${escapeHtml(state)}: ${escapeHtml(monitor.id)}</h2>
<p>${escapeHtml(verdict.reason)}</p>
<table cellpadding="4" style="border-collapse:collapse">
${rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
</table>
${verdict.error ? `<p><b>Error:</b> ${escapeHtml(verdict.error)}</p>` : ''}
<h3>What to do</h3>
<ul>${todo.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul>
</body></html>`;
  return { subject, text, html };
}
