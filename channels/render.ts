// Turns a notification into words a person can act on: what is wrong, the
// value against the rule, since when, recent history, and what to do next
// (including how to acknowledge). Pure; every channel renders through here.
import { describeRule, formatValue } from '../evaluation/rules.js';
import { STATUS_RANK } from '../evaluation/types.js';
import type { AlertSummary, ChartPoint, IncidentNotification, Notification } from './types.js';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const KIND_WORD: Record<IncidentNotification['kind'], string> = {
  firing: 'FIRING',
  changed: 'CHANGED',
  reminder: 'STILL FIRING',
  escalation: 'ESCALATED',
  acknowledged: 'ACKNOWLEDGED',
  resolved: 'RESOLVED',
};

const BARS = '▁▂▃▄▅▆▇█';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Oldest to newest as block characters; gaps ("could not check") as spaces. */
export function sparkline(points: ChartPoint[]): string {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return points
    .map((p) => (p.value === null || !Number.isFinite(p.value) ? ' ' : BARS[hi === lo ? 3 : Math.round(((p.value - lo) / (hi - lo)) * 7)]!))
    .join('');
}

function htmlChart(points: ChartPoint[]): string {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return '';
  const hi = Math.max(...values, 0);
  const cells = points
    .map((p) => {
      const h = p.value === null || hi === 0 ? 2 : Math.max(2, Math.round((p.value / hi) * 40));
      const color = p.status === 'critical' ? '#cf222e' : p.status === 'warning' ? '#9a6700' : p.status === 'error' ? '#8c959f' : '#1a7f37';
      return `<td valign="bottom" style="padding:0 1px"><div title="${escapeHtml(`${p.observedAt}: ${p.value ?? 'n/a'}`)}" style="width:6px;height:${h}px;background:${color}"></div></td>`;
    })
    .join('');
  return `<table cellspacing="0" cellpadding="0" style="height:44px"><tr>${cells}</tr></table>`;
}

export function ackCommands(incidentId: string): string[] {
  return [
    `pipewatch incidents ack '${incidentId}' --by <your name> [--note <text>] [--for 2h]`,
    `temporal workflow update execute --workflow-id '${incidentId}' --name acknowledge --input '{"by":"<your name>"}'`,
  ];
}

function alertRows(a: AlertSummary): Array<[string, string]> {
  const v = a.verdict;
  return [
    ['Monitor', a.monitor.id],
    ...(a.monitor.description ? [['What it watches', a.monitor.description] as [string, string]] : []),
    ['Perspective', a.monitor.perspective],
    ...(a.monitor.pipeline ? [['Pipeline', a.monitor.pipeline] as [string, string]] : []),
    ['Status', a.firing ? a.status : `resolved (${a.status})`],
    ['Value', v.value === undefined ? 'not measured' : formatValue(v.value, v.unit)],
    ...(v.rule ? [['Rule', `${describeRule(v.rule, v.unit)} → ${v.rule.severity}`] as [string, string]] : []),
    ['Observed at', v.observedAt],
    [a.firing ? 'Firing since' : 'Resolved at', a.since],
    ...Object.entries(v.details ?? {}).map(([k, val]) => [k, String(val)] as [string, string]),
    ...(a.monitor.runbook ? [['Runbook', a.monitor.runbook] as [string, string]] : []),
    ...(v.error ? [['Error', v.error] as [string, string]] : []),
    ...(a.muted ? [['Muted', describeMute(a)] as [string, string]] : []),
  ];
}

function describeMute(a: AlertSummary): string {
  const m = a.muted!;
  if (m.kind === 'silence') return `silence ${m.id} by ${m.by} until ${m.until}: ${m.reason}`;
  if (m.kind === 'maintenance') return `maintenance window ${m.id} (${m.owner}) until ${m.until}: ${m.reason}`;
  return `inhibited by the firing monitor ${m.by}`;
}

export function render(n: Notification, options: { subjectPrefix?: string; history?: Record<string, ChartPoint[]> } = {}): RenderedMessage {
  const prefix = options.subjectPrefix ?? '[pipewatch]';
  if (n.kind === 'notice') {
    return {
      subject: `${prefix} ${n.title}`.slice(0, 240),
      text: n.text,
      html: `<!doctype html><html><body style="font-family:sans-serif"><h2>${escapeHtml(n.title)}</h2><p>${escapeHtml(n.text).replace(/\n/g, '<br>')}</p></body></html>`,
    };
  }
  const history = options.history ?? {};
  const alerts = [...n.alerts].sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || a.monitor.id.localeCompare(b.monitor.id));
  const word = KIND_WORD[n.kind];
  const state = n.kind === 'resolved' || n.kind === 'acknowledged' ? word : `${word} ${n.status.toUpperCase()}`;
  const first = alerts[0];
  const group = Object.entries(n.groupLabels)
    .filter(([k]) => k !== 'monitor')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const subject =
    alerts.length === 1 && first
      ? `${prefix} ${state}: ${first.monitor.id}${first.monitor.pipeline ? ` (${first.monitor.pipeline})` : ''}: ${first.verdict.reason}`
      : `${prefix} ${state}: ${alerts.length} alerts${group ? ` for ${group}` : ''}: ${alerts.map((a) => a.monitor.id).join(', ')}`;

  const header: string[] = [];
  if (n.kind === 'escalation' && n.escalation) header.push(`Escalated: step ${n.escalation.step} of policy ${n.escalation.policy} (round ${n.escalation.round}); nobody has acknowledged this incident.`);
  if (n.kind === 'reminder') header.push('Still firing and not acknowledged.');
  if (n.acknowledged) header.push(`Acknowledged by ${n.acknowledged.by} at ${n.acknowledged.at}${n.acknowledged.until ? ` until ${n.acknowledged.until}` : ''}${n.acknowledged.note ? `: ${n.acknowledged.note}` : ''}.`);
  if (n.kind === 'resolved') header.push(n.resolvedBy ? `Resolved by ${n.resolvedBy} at ${n.resolvedAt}.` : `Resolved at ${n.resolvedAt}: every monitor has been healthy long enough.`);
  header.push(`Incident ${n.incidentId}, opened ${n.openedAt}, receiver ${n.receiver}.`);

  const todo =
    n.kind === 'resolved'
      ? ['Nothing to do.']
      : [
          ...(alerts.some((a) => a.status === 'error')
            ? ['Where it says "could not check", pipewatch could not run the check: the data may be fine or not. Check that the source is reachable.']
            : []),
          ...(alerts.some((a) => a.status !== 'error') ? ['Look at the stage named above; its value is outside what the monitor allows.'] : []),
          ...(n.acknowledged ? [] : [`Acknowledge (stops reminders and escalation): ${ackCommands(n.incidentId)[0]}`, `or: ${ackCommands(n.incidentId)[1]}`]),
          ...alerts.map((a) => `Re-run the check now: pipewatch run ${a.monitor.id}`),
          `Incident history: temporal workflow show --workflow-id '${n.incidentId}'`,
        ];

  const textBlocks = alerts.map((a) => {
    const chart = sparkline(history[a.monitor.id] ?? []);
    return [`${a.firing ? '●' : '○'} ${a.monitor.id}: ${a.verdict.reason}`, ...alertRows(a).map(([k, v]) => `    ${k}: ${v}`), ...(chart ? [`    Recent values: ${chart}`] : [])].join('\n');
  });
  const text = [`${state}: ${alerts.length === 1 && first ? first.verdict.reason : `${alerts.length} alerts`}`, '', ...header, '', ...textBlocks, '', 'What to do:', ...todo.map((t) => `  - ${t}`)].join('\n');

  const color = n.kind === 'resolved' ? '#1a7f37' : n.status === 'critical' ? '#cf222e' : '#9a6700';
  const htmlBlocks = alerts
    .map(
      (a) => `<h3>${escapeHtml(a.monitor.id)}: ${escapeHtml(a.verdict.reason)}</h3>
<table cellpadding="4" style="border-collapse:collapse">
${alertRows(a)
  .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
  .join('\n')}
</table>
${htmlChart(history[a.monitor.id] ?? [])}`,
    )
    .join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2 style="color:${color}">${escapeHtml(state)}: ${escapeHtml(alerts.length === 1 && first ? first.monitor.id : `${alerts.length} alerts`)}</h2>
${header.map((h) => `<p>${escapeHtml(h)}</p>`).join('\n')}
${htmlBlocks}
<h3>What to do</h3>
<ul>${todo.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul>
</body></html>`;
  return { subject: subject.slice(0, 240), text, html };
}
