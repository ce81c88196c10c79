// A pipeline's periodic digest: from what the history store and Temporal hold
// about one period to the numbers (summarise), the charts (reportCharts) and
// the email (renderReport). Pure: the report activity gathers the data, this
// module decides what it says, so the same data always makes the same report.
import { formatDuration } from '../config/duration.js';
import { median } from '../evaluation/history.js';
import { html, joinHtml, type Html } from '../evaluation/html.js';
import { formatValue } from '../evaluation/rules.js';
import type { Status, Unit } from '../evaluation/types.js';
import type { IncidentPeriod } from '../store/history.js';
import { barChart, lineChart, type Chart } from './charts.js';

export interface StageWindowCount {
  stage: string;
  windowStart: string;
  windowEnd: string;
  count: number;
  lost: number;
}

export interface TrendPeriod {
  periodStart: string;
  periodEnd: string;
  /** Records per stage over the period (sum of its windows); null: no window recorded. */
  totals: Record<string, number | null>;
}

export interface FreshnessReading {
  monitorId: string;
  description?: string;
  unit: Unit;
  latest?: { value: number | null; status: Status; observedAt: string };
  /** Highest value (oldest data, or most late) recorded in the period. */
  worst?: number;
  /** Runs in the period that were not ok. */
  failingRuns: number;
  runs: number;
}

export interface PendingIntervention {
  id: string;
  title: string;
  kind: string;
  openedAt: string;
  deadlineAt: string;
}

export interface ReportData {
  pipeline: string;
  description?: string;
  periodStart: string;
  periodEnd: string;
  timeZone: string;
  stages: string[];
  /** Windows that ended in the period, oldest first. */
  windows: StageWindowCount[];
  /** Oldest first; the last is this period. */
  trend: TrendPeriod[];
  freshness: FreshnessReading[];
  incidents: IncidentPeriod[];
  interventions: PendingIntervention[];
}

export interface StageSummary {
  stage: string;
  windows: number;
  total: number;
  lost: number;
  previousTotal: number | null;
  /** Change of the total against the previous period, in percent (null without a previous total). */
  changePercent: number | null;
}

export interface IncidentSummary {
  /** Firing periods that began in this period. */
  opened: number;
  /** First acknowledgements given in this period. */
  acknowledged: number;
  resolved: number;
  /** Still firing at the end of the period. */
  open: number;
  medianTimeToAcknowledgeMs: number | null;
  maxTimeToAcknowledgeMs: number | null;
  medianTimeToResolveMs: number | null;
  maxTimeToResolveMs: number | null;
}

export interface ReportSummary {
  pipeline: string;
  periodStart: string;
  periodEnd: string;
  stages: StageSummary[];
  incidents: IncidentSummary;
  freshness: Array<{ monitorId: string; status: Status | 'none'; latest: number | null; worst: number | null }>;
  interventionsPending: number;
}

const within = (t: string | undefined, from: number, to: number) =>
  t !== undefined && Date.parse(t) >= from && Date.parse(t) < to;

/** Whole milliseconds; null without values. */
const medianMs = (values: number[]) => (values.length ? Math.round(median(values)) : null);

export function summarise(data: ReportData): ReportSummary {
  const from = Date.parse(data.periodStart);
  const to = Date.parse(data.periodEnd);
  const previous = data.trend.length > 1 ? data.trend[data.trend.length - 2] : undefined;
  const stages = data.stages.map((stage): StageSummary => {
    const rows = data.windows.filter((w) => w.stage === stage);
    const total = rows.reduce((n, w) => n + w.count, 0);
    const previousTotal = previous?.totals[stage] ?? null;
    return {
      stage,
      windows: rows.length,
      total,
      lost: rows.reduce((n, w) => n + w.lost, 0),
      previousTotal,
      changePercent: previousTotal ? Math.round(((total - previousTotal) / previousTotal) * 1000) / 10 : null,
    };
  });

  const acked = data.incidents.filter((i) => within(i.acknowledgedAt, from, to));
  const resolved = data.incidents.filter((i) => within(i.resolvedAt, from, to));
  const tta = acked.map((i) => Date.parse(i.acknowledgedAt!) - Date.parse(i.openedAt));
  const ttr = resolved.map((i) => Date.parse(i.resolvedAt!) - Date.parse(i.openedAt));
  const incidents: IncidentSummary = {
    opened: data.incidents.filter((i) => within(i.openedAt, from, to)).length,
    acknowledged: acked.length,
    resolved: resolved.length,
    open: data.incidents.filter(
      (i) => Date.parse(i.openedAt) < to && (i.resolvedAt === undefined || Date.parse(i.resolvedAt) >= to),
    ).length,
    medianTimeToAcknowledgeMs: medianMs(tta),
    maxTimeToAcknowledgeMs: tta.length ? Math.max(...tta) : null,
    medianTimeToResolveMs: medianMs(ttr),
    maxTimeToResolveMs: ttr.length ? Math.max(...ttr) : null,
  };

  return {
    pipeline: data.pipeline,
    periodStart: data.periodStart,
    periodEnd: data.periodEnd,
    stages,
    incidents,
    freshness: data.freshness.map((f) => ({
      monitorId: f.monitorId,
      status: f.latest?.status ?? 'none',
      latest: f.latest?.value ?? null,
      worst: f.worst ?? null,
    })),
    interventionsPending: data.interventions.length,
  };
}

/** "06:00" within a day, "11-25 06:00" across days, "2026-11-25" for day-long periods: in the report's time zone. */
function timeLabel(iso: string, timeZone: string, style: 'time' | 'dayTime' | 'day'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  if (style === 'time') return `${parts.hour}:${parts.minute}`;
  if (style === 'day') return `${parts.month}-${parts.day}`;
  return `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** The distinct windows of the period, oldest first, with each stage's count (null where a stage has none). */
export function windowTable(
  data: ReportData,
): Array<{ windowStart: string; windowEnd: string; counts: Record<string, number | null> }> {
  const byWindow = new Map<string, { windowStart: string; windowEnd: string; counts: Record<string, number | null> }>();
  for (const w of data.windows) {
    const key = `${w.windowStart}/${w.windowEnd}`;
    const row = byWindow.get(key) ?? {
      windowStart: w.windowStart,
      windowEnd: w.windowEnd,
      counts: Object.fromEntries(data.stages.map((s) => [s, null])),
    };
    row.counts[w.stage] = w.count;
    byWindow.set(key, row);
  }
  return [...byWindow.values()].sort(
    (a, b) => a.windowStart.localeCompare(b.windowStart) || a.windowEnd.localeCompare(b.windowEnd),
  );
}

export const CHART_SIZE = { width: 720, height: 300 };

/** The report's charts: records per stage and window (bars) and per period over the trend (lines). */
export function reportCharts(data: ReportData): Array<{ name: string; title: string; chart: Chart }> {
  const spanMs = Date.parse(data.periodEnd) - Date.parse(data.periodStart);
  const windows = windowTable(data);
  const windowsTitle = `Records per stage and window, ${data.pipeline}`;
  const trendTitle = `Records per stage and period (last ${data.trend.length}), ${data.pipeline}`;
  const bars = barChart({
    title: windowsTitle,
    unit: 'records',
    categories: windows.map((w) => timeLabel(w.windowStart, data.timeZone, spanMs <= 86_400_000 ? 'time' : 'dayTime')),
    series: data.stages.map((s) => ({ name: s, values: windows.map((w) => w.counts[s] ?? null) })),
    ...CHART_SIZE,
  });
  const trend = lineChart({
    title: trendTitle,
    unit: 'records',
    categories: data.trend.map((p) => timeLabel(p.periodEnd, data.timeZone, spanMs >= 86_400_000 ? 'day' : 'dayTime')),
    series: data.stages.map((s) => ({ name: s, values: data.trend.map((p) => p.totals[s] ?? null) })),
    ...CHART_SIZE,
  });
  return [
    { name: 'stage-windows', title: windowsTitle, chart: bars },
    { name: 'stage-trend', title: trendTitle, chart: trend },
  ];
}

const num = (n: number) => n.toLocaleString('en-US');
const dur = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
const pct = (p: number | null) => (p === null ? '—' : `${p > 0 ? '+' : ''}${p.toFixed(1)}%`);

export interface ReportImageRef {
  name: string;
  /** Content-ID the HTML refers to (cid:…). */
  cid: string;
  title: string;
  width: number;
  height: number;
}

export interface RenderedReport {
  subject: string;
  html: string;
  text: string;
}

/**
 * The email: subject, HTML with the charts as cid: images and every number in
 * tables (marked with data-* attributes, so tools can read them back), and a
 * text part with the same numbers.
 */
export function renderReport(data: ReportData, summary: ReportSummary, images: ReportImageRef[]): RenderedReport {
  const i = summary.incidents;
  const lost = summary.stages.reduce((n, s) => n + s.lost, 0);
  const period = `${data.periodStart} – ${data.periodEnd}`;
  const subject = `Report ${data.pipeline}: ${summary.stages.map((s) => `${s.stage} ${num(s.total)}`).join(', ') || 'no stage counts'}; ${i.opened} incident(s) opened, ${i.open} open${summary.interventionsPending ? `, ${summary.interventionsPending} question(s) waiting` : ''}`;

  const td = (attrs: Html, text: string) =>
    html`<td ${attrs} style="padding:4px 8px;border-bottom:1px solid #d0d7de">${text}</td>`;
  const th = (text: string) =>
    html`<th align="left" style="padding:4px 8px;border-bottom:2px solid #57606a">${text}</th>`;
  const lines = (rows: Html[]) => joinHtml(rows, '\n');

  const stageRows = lines(
    summary.stages.map(
      (s) =>
        html`<tr data-stage="${s.stage}">${td(html`data-metric="stage"`, s.stage)}${td(html`data-metric="windows" align="right"`, num(s.windows))}${td(html`data-metric="total" align="right"`, num(s.total))}${td(html`data-metric="lost" align="right"`, num(s.lost))}${td(html`data-metric="previous" align="right"`, s.previousTotal === null ? '—' : num(s.previousTotal))}${td(html`data-metric="change" align="right"`, pct(s.changePercent))}</tr>`,
    ),
  );
  const windows = windowTable(data);
  const windowRows = lines(
    windows.map(
      (w) =>
        html`<tr data-window="${w.windowStart}">${td(html``, `${w.windowStart} – ${w.windowEnd}`)}${data.stages.map(
          (s) => td(html`data-stage="${s}" align="right"`, w.counts[s] === null ? '—' : num(w.counts[s]!)),
        )}</tr>`,
    ),
  );
  const freshnessRows = lines(
    data.freshness.map(
      (f) =>
        html`<tr data-monitor="${f.monitorId}">${td(html``, f.monitorId)}${td(html`data-metric="status"`, f.latest?.status ?? 'no runs')}${td(html`data-metric="latest"`, f.latest?.value == null ? '—' : formatValue(f.latest.value, f.unit))}${td(html`data-metric="worst"`, f.worst === undefined ? '—' : formatValue(f.worst, f.unit))}${td(html`data-metric="failing-runs" align="right"`, `${f.failingRuns} of ${f.runs}`)}</tr>`,
    ),
  );
  const incidentRows = lines(
    data.incidents.map(
      (x) =>
        html`<tr data-incident="${x.incidentId}">${td(html``, x.incidentId)}${td(html``, x.severity ?? '')}${td(html``, x.openedAt)}${td(html``, x.acknowledgedAt ? `${x.acknowledgedAt} by ${x.acknowledgedBy ?? '?'} (after ${formatDuration(Date.parse(x.acknowledgedAt) - Date.parse(x.openedAt))})` : 'not acknowledged')}${td(html``, x.resolvedAt ? `${x.resolvedAt}${x.resolvedBy ? ` by ${x.resolvedBy}` : ''} (after ${formatDuration(Date.parse(x.resolvedAt) - Date.parse(x.openedAt))})` : 'open')}</tr>`,
    ),
  );
  const interventionRows = lines(
    data.interventions.map(
      (q) =>
        html`<tr data-intervention="${q.id}">${td(html``, q.title)}${td(html``, q.kind)}${td(html``, q.openedAt)}${td(html``, q.deadlineAt)}${td(html``, q.id)}</tr>`,
    ),
  );
  const table = (head: string[], rows: Html, empty: string) =>
    rows.markup
      ? html`<table cellspacing="0" style="border-collapse:collapse;font-size:13px"><tr>${head.map(th)}</tr>\n${rows}\n</table>`
      : html`<p>${empty}</p>`;
  const image = (img: ReportImageRef | undefined) =>
    img
      ? html`<p><img src="cid:${img.cid}" width="${img.width}" height="${img.height}" alt="${img.title}" style="display:block;max-width:100%;height:auto"></p>`
      : '';
  const byName = new Map(images.map((img) => [img.name, img]));

  const body = html`<!doctype html><html><body style="font-family:sans-serif;color:#1f2328">
<h2>Pipeline ${data.pipeline}: report</h2>
${data.description ? html`<p>${data.description}</p>` : ''}
<p>Period ${period} (times in UTC; chart labels in ${data.timeZone}).</p>
<h3>Records per stage</h3>
${table(['Stage', 'Windows', 'Records', 'Lost', 'Previous period', 'Change'], stageRows, 'No stage counts were recorded in this period (is a stageCounts monitor running on this pipeline?).')}
${image(byName.get('stage-windows'))}
${image(byName.get('stage-trend'))}
<h3>Per window</h3>
${table(['Window', ...data.stages], windowRows, 'No windows.')}
<h3>Freshness</h3>
${table(['Monitor', 'Status', 'Latest', 'Worst in period', 'Failing runs'], freshnessRows, 'No freshness monitor watches this pipeline.')}
<h3>Incidents</h3>
<table cellspacing="0" style="border-collapse:collapse;font-size:13px" data-section="incidents">
<tr>${td(html``, 'Opened')}${td(html`data-metric="opened" align="right"`, num(i.opened))}</tr>
<tr>${td(html``, 'Acknowledged')}${td(html`data-metric="acknowledged" align="right"`, num(i.acknowledged))}</tr>
<tr>${td(html``, 'Resolved')}${td(html`data-metric="resolved" align="right"`, num(i.resolved))}</tr>
<tr>${td(html``, 'Open at the end')}${td(html`data-metric="open" align="right"`, num(i.open))}</tr>
<tr>${td(html``, 'Time to acknowledge (median / longest)')}${td(html`data-metric="tta"`, `${dur(i.medianTimeToAcknowledgeMs)} / ${dur(i.maxTimeToAcknowledgeMs)}`)}</tr>
<tr>${td(html``, 'Time to resolve (median / longest)')}${td(html`data-metric="ttr"`, `${dur(i.medianTimeToResolveMs)} / ${dur(i.maxTimeToResolveMs)}`)}</tr>
</table>
${table(['Incident', 'Severity', 'Opened', 'Acknowledged', 'Resolved'], incidentRows, 'No incidents in this period.')}
<h3>Questions waiting on an operator</h3>
${table(['Question', 'Kind', 'Asked', 'Deadline', 'Workflow'], interventionRows, 'None.')}
<p style="color:#57606a;font-size:12px">Answer with: pipewatch intervene list · Incidents: pipewatch incidents list</p>
</body></html>`;

  const text = [
    `Pipeline ${data.pipeline}: report for ${period}`,
    '',
    'Records per stage:',
    ...(summary.stages.length
      ? summary.stages.map(
          (s) =>
            `  ${s.stage}: ${num(s.total)} in ${s.windows} window(s), ${num(s.lost)} lost; previous period ${s.previousTotal === null ? '—' : num(s.previousTotal)} (${pct(s.changePercent)})`,
        )
      : ['  none recorded']),
    `  lost in total: ${num(lost)}`,
    '',
    'Freshness:',
    ...(data.freshness.length
      ? data.freshness.map(
          (f) =>
            `  ${f.monitorId}: ${f.latest?.status ?? 'no runs'}, latest ${f.latest?.value == null ? '—' : formatValue(f.latest.value, f.unit)}, worst ${f.worst === undefined ? '—' : formatValue(f.worst, f.unit)}`,
        )
      : ['  no freshness monitor']),
    '',
    `Incidents: ${i.opened} opened, ${i.acknowledged} acknowledged, ${i.resolved} resolved, ${i.open} open at the end`,
    `  time to acknowledge: median ${dur(i.medianTimeToAcknowledgeMs)}, longest ${dur(i.maxTimeToAcknowledgeMs)}`,
    `  time to resolve: median ${dur(i.medianTimeToResolveMs)}, longest ${dur(i.maxTimeToResolveMs)}`,
    ...data.incidents.map(
      (x) =>
        `  - ${x.incidentId}: opened ${x.openedAt}, ${x.acknowledgedAt ? `acknowledged ${x.acknowledgedAt}` : 'not acknowledged'}, ${x.resolvedAt ? `resolved ${x.resolvedAt}` : 'open'}`,
    ),
    '',
    `Questions waiting on an operator: ${data.interventions.length}`,
    ...data.interventions.map((q) => `  - ${q.title} (${q.id}), deadline ${q.deadlineAt}`),
    '',
    'The charts are in the HTML part.',
  ].join('\n');
  return { subject, html: body.markup, text };
}
