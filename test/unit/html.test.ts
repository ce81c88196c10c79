// evaluation/html.ts, the one HTML/SVG template helper, and every renderer built on it: a hostile
// string in every position a renderer takes text from (text, attribute values, titles, SVG labels)
// leaves the markup's structure — its tags and attribute names, in order — exactly what a plain
// string gives, and appears only escaped.
import { escapeHtml, html, joinHtml, unsafeHtml } from '../../evaluation/html.js';
import { render } from '../../channels/render.js';
import type { AlertSummary, IncidentNotification } from '../../channels/types.js';
import { barChart, lineChart } from '../../reports/charts.js';
import { renderReport, reportCharts, summarise, type ReportData } from '../../reports/digest.js';
import { renderPage } from '../../ui/page.js';
import type { StatusData } from '../../ui/status.js';

const HOSTILE = `"'><script>alert(1)</script><img src=x onerror=alert(2)>&amp;`;
const PLAIN = 'plain-text';

/** The markup's skeleton: each tag's name and attribute names, in order. Values are left out. */
function skeleton(markup: string): string[] {
  const tags = markup.match(/<\/?[a-zA-Z][^>]*>/g) ?? [];
  return tags.map((t) => {
    const name = /^<\/?([a-zA-Z][\w:-]*)/.exec(t)![1]!;
    // Attributes one after another, each value whole (quoted), so text inside a value is never read as one.
    const attrs: string[] = [];
    const attr = /\s+([\w:-]+)(?:="[^"]*")?/y;
    attr.lastIndex = name.length + (t.startsWith('</') ? 2 : 1);
    for (let m = attr.exec(t); m; m = attr.exec(t)) attrs.push(m[1]!);
    return `${t.startsWith('</') ? '/' : ''}${name}${attrs.length ? ` ${attrs.join(' ')}` : ''}`;
  });
}

/** Same structure with the hostile string as with the plain one, and the hostile string never raw. */
function expectContained(renderWith: (s: string) => string): void {
  const plain = renderWith(PLAIN);
  const hostile = renderWith(HOSTILE);
  expect(plain).toContain(PLAIN);
  expect(skeleton(hostile)).toEqual(skeleton(plain));
  expect(hostile).not.toContain('<script>alert');
  expect(hostile).not.toContain('<img src=x');
  expect(hostile).toContain(escapeHtml(HOSTILE));
}

describe('the html template', () => {
  it('escapes the five metacharacters of text and quoted attributes, in HTML and XML alike', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(0)).toBe('0');
  });

  it('escapes every interpolation, in text and in attribute values', () => {
    const out = html`<p title="${HOSTILE}">${HOSTILE}</p>`.markup;
    expect(out).toBe(`<p title="${escapeHtml(HOSTILE)}">${escapeHtml(HOSTILE)}</p>`);
    expect(skeleton(out)).toEqual(['p title', '/p']);
  });

  it('places nested html results and unsafeHtml as they are, and only those', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}</p>`.markup).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(html`<style>${unsafeHtml('a > b { content: "x" }')}</style>`.markup).toBe(
      '<style>a > b { content: "x" }</style>',
    );
    // A string that looks like markup is still text.
    expect(html`<p>${'<b>x</b>'}</p>`.markup).toBe('<p>&lt;b&gt;x&lt;/b&gt;</p>');
    // An object with a markup-like field is not trusted either.
    expect(html`${{ markup: '<b>' }}`.markup).toBe('[object Object]');
  });

  it('interpolates arrays element by element, and null and undefined as nothing', () => {
    expect(html`<ul>${['<a>', html`<li>x</li>`]}</ul>`.markup).toBe('<ul>&lt;a&gt;<li>x</li></ul>');
    expect(html`<p>${null}${undefined}${0}${false}</p>`.markup).toBe('<p>0false</p>');
    expect(joinHtml([html`<br>`, html`${'<'}`], '\n').markup).toBe('<br>\n&lt;');
  });
});

describe('a hostile string in every position of every template', () => {
  it('the status page', () => {
    expectContained((s) => {
      const monitor = {
        id: s,
        description: s,
        pipeline: s,
        stage: s,
        perspective: s,
        check: s,
        unit: 'records' as const,
        status: s as never,
        alerting: true,
        reason: s,
        lastValue: 1,
        lastObservedAt: s,
        lastRunId: s,
        incidentIds: [s],
        points: [
          { observedAt: s, value: 1, status: s as never },
          { observedAt: s, value: null, status: 'error' as const },
          { observedAt: s, value: 2, status: 'ok' as const },
        ],
      };
      const data: StatusData = {
        project: s,
        generatedAt: s,
        namespace: s,
        taskQueue: s,
        temporalUi: s,
        pointsShown: 3,
        alerting: 1,
        problems: [s],
        monitors: [monitor, { ...monitor, stage: undefined, lastRunId: undefined }],
        incidents: [{ workflowId: s, state: s, severity: s, monitor: s, pipeline: s, since: s }],
        interventions: [{ workflowId: s, pipeline: s, since: s, title: s, question: s, deadlineAt: s }],
        refusedArchives: [{ workflowId: s, at: s, reason: s }],
        pipelines: [{ id: s, stages: [s] }],
        saturation: { status: s as never, reason: s, lastRunId: s, alerting: true },
      };
      return renderPage(data, { refreshSeconds: 5, nonce: s });
    });
  });

  it('the notification email (incident, correlated, resolved, notice)', () => {
    const alert = (s: string, id: string): AlertSummary => ({
      monitor: {
        id,
        description: s,
        perspective: s as never,
        pipeline: s,
        labels: { [s]: s },
        runbook: s,
        node: { stage: s } as never,
      },
      labels: { [s]: s },
      status: 'critical',
      verdict: {
        status: 'critical',
        value: 2,
        unit: 'records',
        rule: { kind: 'above', threshold: 1, severity: 'critical' },
        reason: s,
        observedAt: s,
        details: { [s]: s },
        error: s,
      },
      firing: true,
      since: s,
      muted: { kind: 'silence', id: s, by: s, until: s, reason: s } as never,
    });
    const notification = (s: string): IncidentNotification => ({
      kind: 'escalation',
      incidentId: s,
      receiver: s,
      groupLabels: { [s]: s },
      status: 'critical',
      alerts: [alert(s, `${s}1`), alert(s, `${s}2`)],
      openedAt: s,
      acknowledged: { by: s, at: s, note: s, until: s },
      escalation: { policy: s, step: 1, round: 1 },
    });
    const history = (s: string) => ({
      [`${s}1`]: [
        { observedAt: s, value: 1, status: 'critical' as const },
        { observedAt: s, value: null, status: 'error' as const },
      ],
    });
    expectContained((s) => render(notification(s), { history: history(s) }).html);
    expectContained(
      (s) =>
        render({
          ...notification(s),
          correlation: { causes: [{ cause: `${s}1`, resolved: false, downstream: [`${s}2`] }] } as never,
        }).html,
    );
    expectContained(
      (s) => render({ ...notification(s), kind: 'resolved', status: 'ok', resolvedAt: s, resolvedBy: s }).html,
    );
    expectContained(
      (s) =>
        render(
          { kind: 'notice', title: s, text: `${s}\n${s}`, temporalCommands: [s] },
          { temporal: { codecEndpoint: s } },
        ).html,
    );
  });

  it('the report email and its charts', () => {
    const data = (s: string): ReportData => ({
      pipeline: s,
      description: s,
      periodStart: '2026-11-26T00:00:00.000Z',
      periodEnd: '2026-11-27T00:00:00.000Z',
      timeZone: 'UTC',
      stages: [s, `${s}2`],
      windows: [
        { stage: s, windowStart: '2026-11-26T00:00:00.000Z', windowEnd: '2026-11-26T01:00:00.000Z', count: 3, lost: 1 },
      ],
      trend: [{ periodStart: '2026-11-26T00:00:00.000Z', periodEnd: '2026-11-27T00:00:00.000Z', totals: { [s]: 3 } }],
      freshness: [
        {
          monitorId: s,
          description: s,
          unit: 'seconds',
          latest: { value: 1, status: 'ok', observedAt: s },
          worst: 2,
          failingRuns: 0,
          runs: 1,
        },
      ],
      incidents: [
        {
          incidentId: s,
          receiver: s,
          severity: s,
          openedAt: '2026-11-26T02:00:00.000Z',
          acknowledgedAt: '2026-11-26T02:10:00.000Z',
          acknowledgedBy: s,
          resolvedAt: '2026-11-26T03:00:00.000Z',
          resolvedBy: s,
        } as never,
      ],
      interventions: [{ id: s, title: s, kind: s, openedAt: s, deadlineAt: s }],
    });
    const images = (s: string) => [
      { name: 'stage-windows', cid: s, title: s, width: 720, height: 300 },
      { name: 'stage-trend', cid: s, title: s, width: 720, height: 300 },
    ];
    expectContained((s) => renderReport(data(s), summarise(data(s)), images(s)).html);
    expectContained((s) =>
      reportCharts(data(s))
        .map((c) => c.chart.svg)
        .join('\n'),
    );
    const spec = (s: string) => ({
      title: s,
      unit: s,
      categories: [s, s],
      series: [
        { name: s, values: [1, null] },
        { name: s, values: [2, 3] },
      ],
    });
    expectContained((s) => barChart(spec(s)).svg);
    expectContained((s) => lineChart(spec(s)).svg);
  });
});
