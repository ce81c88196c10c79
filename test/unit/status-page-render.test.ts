// The status page's pure parts: escaping (evaluation/html.ts, the one escaper the page renders through), Web UI links, sparklines.
import { escapeHtml } from '../../evaluation/html.js';
import { renderMain, sparklineSvg, workflowUrl } from '../../ui/page.js';
import type { StatusData } from '../../ui/status.js';

describe('status page rendering', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml(undefined)).toBe('');
  });

  it('links a workflow id as one path segment of the Web UI', () => {
    expect(workflowUrl('http://127.0.0.1:8233/', 'default', 'pipewatch-incident/default/monitor=a b')).toBe(
      'http://127.0.0.1:8233/namespaces/default/workflows/pipewatch-incident%2Fdefault%2Fmonitor%3Da%20b',
    );
  });

  it('draws values as a line that breaks where a run could not check, with dots for failing runs', () => {
    const svg = sparklineSvg([
      { value: 1, status: 'ok' },
      { value: 3, status: 'ok' },
      { value: null, status: 'error' },
      { value: 2, status: 'critical' },
      { value: 5, status: 'ok' },
    ]);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('class="dot-error"');
    expect(svg).toContain('class="dot-critical"');
    // The highest value touches the top padding, the lowest the bottom.
    expect(svg).toMatch(/points="2,22 [\d.]+,[\d.]+"/);
    expect(svg).toMatch(/ [\d.]+,2" class="spark-line"/);
    expect(sparklineSvg([])).toContain('spark-empty');
  });

  it('escapes everything that comes from the config or the data', () => {
    const evil = '<script>alert(1)</script>';
    const data: StatusData = {
      project: evil,
      generatedAt: '2026-01-01T00:00:00.000Z',
      namespace: 'default',
      taskQueue: 'pipewatch',
      temporalUi: 'http://ui',
      pointsShown: 10,
      alerting: 1,
      problems: [evil],
      monitors: [
        {
          id: 'm"><b>x',
          description: evil,
          pipeline: evil,
          perspective: evil,
          check: 'sql',
          unit: 'records',
          status: 'critical',
          alerting: true,
          reason: evil,
          lastValue: 1,
          lastRunId: 'run"><i>',
          incidentIds: ['pipewatch-incident/"><u>'],
          points: [{ observedAt: 'x', value: 1, status: 'ok' }],
        },
      ],
      incidents: [{ workflowId: evil, state: evil, severity: evil, monitor: evil, pipeline: evil, since: evil }],
      interventions: [{ workflowId: evil, pipeline: evil, since: evil, title: evil, question: evil, deadlineAt: evil }],
      refusedArchives: [{ workflowId: evil, at: evil, reason: evil }],
    };
    const html = renderMain(data);
    expect(html).not.toMatch(/<(script|b|i|u)>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('lists the archives refused in the last week, with why and a link to the flow', () => {
    const base: StatusData = {
      project: 'p',
      generatedAt: '2026-01-01T00:00:00.000Z',
      namespace: 'default',
      taskQueue: 'pipewatch',
      temporalUi: 'http://ui',
      pointsShown: 10,
      alerting: 0,
      problems: [],
      monitors: [],
      incidents: [],
      interventions: [],
    };
    expect(renderMain(base)).not.toContain('refused-archives');
    const html = renderMain({
      ...base,
      refusedArchives: [
        {
          workflowId: 'pipewatch-archive/slip.zip-1a2b',
          at: '2026-01-01T00:00:00.000Z',
          reason: 'slip.zip has an entry whose path leaves the destination (zip-slip)',
        },
      ],
    });
    expect(html).toContain('Archives refused in the last 7 days (1)');
    expect(html).toContain('leaves the destination (zip-slip)');
    expect(html).toContain(`href="${workflowUrl('http://ui', 'default', 'pipewatch-archive/slip.zip-1a2b')}"`);
  });
});
