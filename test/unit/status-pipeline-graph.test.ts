// The status page's picture of a correlated pipeline (ui/pipeline-graph.ts): stages in order, each with
// its monitors root perspective first and in their status colour, a failing stage marked, all escaped.
import { renderMain } from '../../ui/page.js';
import { pipelineGraphSection } from '../../ui/pipeline-graph.js';
import type { MonitorRow, StatusData } from '../../ui/status.js';

const row = (
  id: string,
  perspective: string,
  stage: string | undefined,
  status: MonitorRow['status'],
  alerting = false,
): MonitorRow => ({
  id,
  pipeline: 'example',
  perspective,
  check: 'http',
  unit: 'seconds',
  status,
  alerting,
  incidentIds: [],
  points: [],
  ...(stage ? { stage } : {}),
});

describe('the pipeline picture on the status page', () => {
  const monitors = [
    row('parsed-freshness', 'data', 'parsed', 'critical', true),
    row('queue-consumers', 'services', 'parsed', 'critical', true),
    row('collected-freshness', 'data', 'collected', 'ok'),
    row('stage-losses', 'data', undefined, 'ok'),
    { ...row('elsewhere', 'data', 'parsed', 'ok'), pipeline: 'other' },
  ];
  const html = pipelineGraphSection({
    pipelines: [{ id: 'example', stages: ['collected', 'parsed', 'served'] }],
    monitors,
  });

  it('draws the stages in order, the failing one marked, its monitors root perspective first', () => {
    const stages = [...html.matchAll(/data-stage="([^"]+)"/g)].map((m) => m[1]);
    expect(stages).toEqual(['collected', 'parsed', 'served']);
    expect(html).toMatch(/<div class="stage failing" data-stage="parsed">/);
    expect(html).toMatch(/<div class="stage" data-stage="collected">/);
    const parsed = html.slice(html.indexOf('data-stage="parsed"'), html.indexOf('data-stage="served"'));
    expect(parsed.indexOf('queue-consumers')).toBeLessThan(parsed.indexOf('parsed-freshness'));
    expect(parsed).toContain('class="status-critical alerting"');
    expect(html).toContain('across stages or on none');
    expect(html).toContain('stage-losses');
    expect(html).not.toContain('elsewhere');
  });

  it('is left out without a correlated pipeline, and escapes what it shows', () => {
    expect(pipelineGraphSection({ monitors })).toBe('');
    const evil = pipelineGraphSection({
      pipelines: [{ id: '<p>', stages: ['<s>'] }],
      monitors: [{ ...row('<m>', 'data', '<s>', 'ok'), pipeline: '<p>' }],
    });
    expect(evil).not.toMatch(/<p>|<s>|<m>/);
  });

  it('sits on the page between the questions and the monitors', () => {
    const data: StatusData = {
      project: 'example',
      generatedAt: '2026-01-01T00:00:00.000Z',
      namespace: 'default',
      taskQueue: 'q',
      temporalUi: 'http://ui',
      pointsShown: 10,
      alerting: 2,
      problems: [],
      monitors,
      incidents: [],
      interventions: [],
      pipelines: [{ id: 'example', stages: ['collected', 'parsed', 'served'] }],
    };
    const page = renderMain(data);
    expect(page.indexOf('id="interventions"')).toBeLessThan(page.indexOf('id="pipelines"'));
    expect(page.indexOf('id="pipelines"')).toBeLessThan(page.indexOf('id="monitors"'));
  });
});
