// Turns a notification into words a person can act on: what is wrong, the
// value against the rule, since when, recent history, and what to do next
// (including how to acknowledge). Pure; every channel renders through here.
// The HTML part is built with evaluation/html.ts's `html`, which escapes every value.
import { html, joinHtml, type Html } from '../evaluation/html.js';
import { describeRule, formatValue } from '../evaluation/rules.js';
import { isKeyStateOf } from '../evaluation/log-keys.js';
import { STATUS_RANK } from '../evaluation/types.js';
import type {
  AlertSummary,
  ChartPoint,
  IncidentNotification,
  IncidentSubject,
  Notification,
  TemporalCommandContext,
} from './types.js';

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
  refresh: 'STILL FIRING',
};

const BARS = '▁▂▃▄▅▆▇█';

/** Oldest to newest as block characters; gaps ("could not check") as spaces. */
export function sparkline(points: ChartPoint[]): string {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return points
    .map((p) =>
      p.value === null || !Number.isFinite(p.value)
        ? ' '
        : BARS[hi === lo ? 3 : Math.round(((p.value - lo) / (hi - lo)) * 7)]!,
    )
    .join('');
}

function htmlChart(points: ChartPoint[]): Html {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return html``;
  const hi = Math.max(...values, 0);
  const cells = points.map((p) => {
    const h = p.value === null || hi === 0 ? 2 : Math.max(2, Math.round((p.value / hi) * 40));
    const color =
      p.status === 'critical'
        ? '#cf222e'
        : p.status === 'warning'
          ? '#9a6700'
          : p.status === 'error'
            ? '#8c959f'
            : '#1a7f37';
    return html`<td valign="bottom" style="padding:0 1px"><div title="${`${p.observedAt}: ${p.value ?? 'n/a'}`}" style="width:6px;height:${h}px;background:${color}"></div></td>`;
  });
  return html`<table cellspacing="0" cellpadding="0" style="height:44px"><tr>${cells}</tr></table>`;
}

/**
 * A `temporal` CLI command as the operator must type it here: with the codec endpoint when payloads are
 * encrypted, or a placeholder for it, since without one the CLI shows ciphertext and "Encoded failure".
 */
export function temporalCommand(args: string, ctx: TemporalCommandContext = {}): string {
  if (ctx.codecEndpoint) return `temporal ${args} --codec-endpoint '${ctx.codecEndpoint}'`;
  return ctx.encrypted
    ? `temporal ${args} --codec-endpoint <your codec server (pipewatch codec-server)>`
    : `temporal ${args}`;
}

export function ackCommands(incidentId: string, ctx: TemporalCommandContext = {}): string[] {
  return [
    `pipewatch incidents ack '${incidentId}' --by <your name> [--note <text>] [--for 2h]`,
    temporalCommand(
      `workflow update execute --workflow-id '${incidentId}' --name acknowledge --input '{"by":"<your name>"}'`,
      ctx,
    ),
  ];
}

/** A subject line of at most `max` characters, cut at a word with an ellipsis, never mid-word. */
export function cutAtWord(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const room = flat.slice(0, max - 1);
  const space = room.lastIndexOf(' ');
  return `${(space > max / 2 ? room.slice(0, space) : room).replace(/[\s,:;.(-]+$/, '')}…`;
}

/** What a person should look at first, by the kind of check that fired. */
const ADVICE: Partial<Record<NonNullable<IncidentSubject['checkType']>, string>> = {
  count: 'Check that the stage producing these records ran and wrote its output; the value and rule are above.',
  freshness: 'Check that the job producing these records ran on its schedule and is still writing.',
  sql: "Run the monitor's query against its source to see the rows behind the value.",
  stageCounts: 'Start at the first stage named as losing records: its sample of missing ids shows what did not arrive.',
  http: 'Call the URL yourself and compare the response with the condition that failed.',
  queue: 'Look at the side named as the likely fault (producer or consumer) and check that process.',
  disk: 'Free space on the host or grow the volume named above.',
  memory: 'Find the process using the memory on the host named above.',
  load: 'Find what keeps the CPUs of the host named above busy.',
  database: 'Check the database server: connections, size or replication, as named above.',
  cluster: 'Check the Elasticsearch cluster: unassigned shards or disk watermarks.',
  taskQueue: 'Check that the workers of this task queue are running: pipewatch doctor.',
  logs: "Read the sample log lines above and the application's logs around that time.",
  interventions: 'Answer the waiting questions: pipewatch intervene list.',
  kubeEvents: 'Look at the failing layer named above and its evidence: kubectl describe the object it names.',
  podHealth:
    'Look at the failing layer named above: kubectl describe pod and kubectl logs --previous for the pod it names.',
  cronJobs: 'Check the CronJob named above: kubectl get jobs for it, and whether the controller is running.',
};

/** The monitor `pipewatch run` takes: a key's or a series' alert ("parse-errors[intel]") runs its monitor. */
function monitorToRun(a: AlertSummary): string {
  const monitor = a.labels.monitor;
  return monitor && isKeyStateOf(monitor, a.monitor.id) ? monitor : a.monitor.id;
}

function advice(a: AlertSummary): string {
  return (
    (a.monitor.checkType && ADVICE[a.monitor.checkType]) ||
    'Look at the value and the rule above: the value is outside what the monitor allows.'
  );
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
  if (m.kind === 'time-interval') {
    return `${m.because === 'mute' ? "in the route's mute time interval" : "outside the route's active time intervals"} ${m.intervals.join(', ')} until ${m.until}`;
  }
  return `inhibited by the firing monitor ${m.by}${m.rule ? ` (inhibit rule ${m.rule})` : ''}`;
}

export interface RenderOptions {
  subjectPrefix?: string;
  history?: Record<string, ChartPoint[]>;
  temporal?: TemporalCommandContext;
}

/** A notice's text with its `temporal` commands, as the operator must type them here. */
export function noticeText(n: Extract<Notification, { kind: 'notice' }>, ctx: TemporalCommandContext = {}): string {
  const commands = (n.temporalCommands ?? []).map((c) => `With the temporal CLI: ${temporalCommand(c, ctx)}`);
  return [n.text, ...commands].join('\n');
}

/** A correlated notification's causes as alerts: each with its downstream symptoms (those still in the message). */
export function causesOf(
  n: IncidentNotification,
): Array<{ cause: AlertSummary; resolved: boolean; downstream: AlertSummary[] }> {
  const byId = new Map(n.alerts.map((a) => [a.monitor.id, a]));
  return (n.correlation?.causes ?? []).flatMap((c) => {
    const cause = byId.get(c.cause);
    if (!cause) return [];
    return [
      { cause, resolved: c.resolved, downstream: c.downstream.flatMap((d) => (byId.has(d) ? [byId.get(d)!] : [])) },
    ];
  });
}

/** "queue-consumers (services, stage parsed)": the node a cause names. */
function nodeName(a: AlertSummary): string {
  return `${a.monitor.id} (${a.monitor.perspective}${a.monitor.node?.stage ? `, stage ${a.monitor.node.stage}` : ''})`;
}

/** "downstream: parsed-freshness: the ETL stopped writing; stage-losses: 36 records lost at parsed". */
export function downstreamLine(downstream: AlertSummary[]): string | undefined {
  return downstream.length
    ? `downstream: ${downstream.map((d) => `${d.monitor.id}: ${d.verdict.reason}`).join('; ')}`
    : undefined;
}

export function render(n: Notification, options: RenderOptions = {}): RenderedMessage {
  const prefix = options.subjectPrefix ?? '[pipewatch]';
  const ctx = options.temporal ?? {};
  if (n.kind === 'notice') {
    const text = noticeText(n, ctx);
    return {
      subject: cutAtWord(`${prefix} ${n.title}`),
      text,
      html: html`<!doctype html><html><body style="font-family:sans-serif"><h2>${n.title}</h2><p>${joinHtml(
        text.split('\n').map((line) => html`${line}`),
        '<br>',
      )}</p></body></html>`.markup,
    };
  }
  const history = options.history ?? {};
  const causes = causesOf(n);
  const lead = causes[0];
  // Correlated: each cause, then its symptoms, in graph order; otherwise the worst first.
  const alerts = causes.length
    ? [
        ...causes.flatMap((c) => [c.cause, ...c.downstream]),
        ...n.alerts.filter((a) => !causes.some((c) => c.cause === a || c.downstream.includes(a))),
      ]
    : [...n.alerts].sort(
        (a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || a.monitor.id.localeCompare(b.monitor.id),
      );
  const word = KIND_WORD[n.kind];
  const state = n.kind === 'resolved' || n.kind === 'acknowledged' ? word : `${word} ${n.status.toUpperCase()}`;
  const first = alerts[0];
  const group = Object.entries(n.groupLabels)
    .filter(([k]) => k !== 'monitor')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const subject = lead
    ? `${prefix} ${state}: ${lead.cause.monitor.id} (${[
        lead.cause.monitor.pipeline,
        lead.downstream.length ? `+${lead.downstream.length} downstream` : undefined,
        causes.length > 1 ? `+${causes.length - 1} other cause${causes.length > 2 ? 's' : ''}` : undefined,
      ]
        .filter(Boolean)
        .join(', ')}): ${lead.cause.verdict.reason}`
    : alerts.length === 1 && first
      ? `${prefix} ${state}: ${first.monitor.id}${first.monitor.pipeline ? ` (${first.monitor.pipeline})` : ''}: ${first.verdict.reason}`
      : `${prefix} ${state}: ${alerts.length} alerts${group ? ` for ${group}` : ''}: ${alerts.map((a) => a.monitor.id).join(', ')}`;

  const header: string[] = [];
  if (n.kind === 'escalation' && n.escalation)
    header.push(
      `Escalated: step ${n.escalation.step} of policy ${n.escalation.policy} (round ${n.escalation.round}); nobody has acknowledged this incident.`,
    );
  if (n.kind === 'reminder') header.push('Still firing and not acknowledged.');
  if (n.acknowledged)
    header.push(
      `Acknowledged by ${n.acknowledged.by} at ${n.acknowledged.at}${n.acknowledged.until ? ` until ${n.acknowledged.until}` : ''}${n.acknowledged.note ? `: ${n.acknowledged.note}` : ''}.`,
    );
  if (n.kind === 'resolved')
    header.push(
      n.resolvedBy
        ? `Resolved by ${n.resolvedBy} at ${n.resolvedAt}.`
        : `Resolved at ${n.resolvedAt}: every monitor has been healthy long enough.`,
    );
  header.push(`Incident ${n.incidentId}, opened ${n.openedAt}, receiver ${n.receiver}.`);

  const todo =
    n.kind === 'resolved'
      ? ['Nothing to do.']
      : [
          ...(alerts.some((a) => a.status === 'error')
            ? [
                'Where it says "could not check", pipewatch could not run the check: the data may be fine or not. Check that the source is reachable.',
              ]
            : []),
          ...new Set(alerts.filter((a) => a.status !== 'error').map(advice)),
          ...(n.acknowledged
            ? []
            : [
                `Acknowledge (stops reminders and escalation): ${ackCommands(n.incidentId, ctx)[0]}`,
                `or: ${ackCommands(n.incidentId, ctx)[1]}`,
              ]),
          ...new Set(alerts.map((a) => `Re-run the check now: pipewatch run ${monitorToRun(a)}`)),
          `Incident history: ${temporalCommand(`workflow show --workflow-id '${n.incidentId}'`, ctx)}`,
        ];

  const textBlocks = alerts.map((a) => {
    const chart = sparkline(history[a.monitor.id] ?? []);
    return [
      `${a.firing ? '●' : '○'} ${a.monitor.id}: ${a.verdict.reason}`,
      ...alertRows(a).map(([k, v]) => `    ${k}: ${v}`),
      ...(chart ? [`    Recent values: ${chart}`] : []),
    ].join('\n');
  });
  // Correlated: the cause first, with its evidence, then one line per symptom; then any other cause the same way.
  const causeLines = causes.flatMap((c, i) => [
    `${i === 0 ? 'Probable cause' : 'Also failing'}: ${nodeName(c.cause)}${c.resolved ? ' (resolved; its symptoms are settling)' : ''}: ${c.cause.verdict.reason}`,
    ...(downstreamLine(c.downstream) ? [downstreamLine(c.downstream)!] : []),
  ]);
  const firstLine = lead
    ? `${state}: ${nodeName(lead.cause)}: ${lead.cause.verdict.reason}`
    : `${state}: ${alerts.length === 1 && first ? first.verdict.reason : `${alerts.length} alerts`}`;
  const text = [
    firstLine,
    ...(causeLines.length ? ['', ...causeLines] : []),
    '',
    ...header,
    '',
    ...textBlocks,
    '',
    'What to do:',
    ...todo.map((t) => `  - ${t}`),
  ].join('\n');

  const color = n.kind === 'resolved' ? '#1a7f37' : n.status === 'critical' ? '#cf222e' : '#9a6700';
  const htmlBlocks = alerts.map(
    (a) => html`<h3>${a.monitor.id}: ${a.verdict.reason}</h3>
<table cellpadding="4" style="border-collapse:collapse">
${joinHtml(
  alertRows(a).map(([k, v]) => html`<tr><th align="left">${k}</th><td>${v}</td></tr>`),
  '\n',
)}
</table>
${htmlChart(history[a.monitor.id] ?? [])}`,
  );
  const paragraphs = (lines: string[]) =>
    joinHtml(
      lines.map((l) => html`<p>${l}</p>`),
      '\n',
    );
  const body = html`<!doctype html><html><body style="font-family:sans-serif">
<h2 style="color:${color}">${state}: ${lead ? nodeName(lead.cause) : alerts.length === 1 && first ? first.monitor.id : `${alerts.length} alerts`}</h2>
${paragraphs(causeLines)}
${paragraphs(header)}
${joinHtml(htmlBlocks, '\n')}
<h3>What to do</h3>
<ul>${todo.map((t) => html`<li>${t}</li>`)}</ul>
</body></html>`;
  return { subject: cutAtWord(subject), text, html: body.markup };
}
