import { render } from '../../channels/render.js';
import type { Notification } from '../../channels/types.js';

const firing: Notification = {
  kind: 'firing',
  incidentId: 'pipewatch-incident/parsed-freshness',
  monitor: { id: 'parsed-freshness', perspective: 'data', pipeline: 'intel', labels: { team: 'lake' }, runbook: 'https://runbooks.example/parsed', description: 'newest <parsed> record' },
  status: 'critical',
  verdict: {
    status: 'critical',
    value: 5400,
    unit: 'seconds',
    rule: { kind: 'above', threshold: 3600, severity: 'critical' },
    reason: 'age 1h30m is above 1h',
    observedAt: '2026-11-26T10:00:00.000Z',
    details: { newest: '2026-11-26T08:30:00.000Z' },
  },
  openedAt: '2026-11-26T10:00:00.000Z',
};

describe('render', () => {
  it('says what is wrong, the value against the rule, when, and what to do', () => {
    const m = render(firing);
    expect(m.subject).toBe('[pipewatch] FIRING CRITICAL: parsed-freshness (intel): age 1h30m is above 1h');
    expect(m.text).toContain('Value: 1h30m');
    expect(m.text).toContain('Rule: above 1h → critical');
    expect(m.text).toContain('Observed at: 2026-11-26T10:00:00.000Z');
    expect(m.text).toContain('newest: 2026-11-26T08:30:00.000Z');
    expect(m.text).toContain('Runbook: https://runbooks.example/parsed');
    expect(m.text).toContain('pipewatch run parsed-freshness');
    expect(m.html).toContain('newest &lt;parsed&gt; record');
    expect(m.html).not.toContain('<parsed>');
  });

  it('tells a "could not check" apart from bad data', () => {
    const m = render({ ...firing, status: 'error', verdict: { status: 'error', unit: 'seconds', reason: 'could not check: timeout', error: 'timeout', observedAt: firing.openedAt } });
    expect(m.subject).toBe('[pipewatch] FIRING ERROR: parsed-freshness (intel): could not check: timeout');
    expect(m.text).toContain('could not run this check; the data may be fine or not');
    expect(m.text).toContain('Value: not measured');
  });

  it('marks the resolved message and asks nothing of the reader', () => {
    const m = render({ ...firing, kind: 'resolved', status: 'ok', resolvedAt: '2026-11-26T11:00:00.000Z' }, '[lake]');
    expect(m.subject.startsWith('[lake] RESOLVED: parsed-freshness')).toBe(true);
    expect(m.text).toContain('Resolved at: 2026-11-26T11:00:00.000Z');
    expect(m.text).toContain('Nothing to do');
  });
});
