// Messages of a correlated incident (channels/render.ts, slack.ts, webhook.ts, alertmanager.ts): they lead
// with the probable cause and its evidence, then "downstream: …" with each symptom's one-line reason.
import { render } from '../../channels/render.js';
import { slackText } from '../../channels/slack/index.js';
import { webhookPayload } from '../../channels/webhook/index.js';
import { alertmanagerAlerts } from '../../channels/alertmanager/index.js';
import type { AlertSummary, IncidentNotification } from '../../channels/types.js';
import { correlate, correlationInputs } from '../../evaluation/correlation.js';
import { alertTree } from '../../cli/commands/incidents.js';

const alert = (
  id: string,
  perspective: AlertSummary['monitor']['perspective'],
  stage: string,
  position: number,
  reason: string,
  opened: string,
): AlertSummary => ({
  monitor: { id, perspective, pipeline: 'example', labels: {}, node: { stage, position } },
  labels: { monitor: id, pipeline: 'example', severity: 'critical' },
  status: 'critical',
  verdict: { status: 'critical', value: 1, unit: 'count', reason, observedAt: opened },
  firing: true,
  since: opened,
  openedAt: opened,
});

const alerts = [
  alert('parsed-freshness', 'data', 'parsed', 1, 'newest record in example.parsed is 1m old', '2026-12-01T10:00:20Z'),
  alert('stage-losses', 'data', 'parsed', 1, '36 records not yet parsed', '2026-12-01T10:01:00Z'),
  alert(
    'queue-progress',
    'services',
    'parsed',
    1,
    'the ETL stopped consuming from example.collected',
    '2026-12-01T10:00:30Z',
  ),
];
const notification = (kind: IncidentNotification['kind'], list = alerts): IncidentNotification => ({
  kind,
  incidentId: 'pipewatch-incident/default/pipeline=example',
  receiver: 'default',
  groupLabels: { pipeline: 'example' },
  status: 'critical',
  alerts: list,
  openedAt: '2026-12-01T10:00:20Z',
  correlation: correlate(correlationInputs(list), 180_000, Date.parse('2026-12-01T10:01:30Z')),
});

describe('a correlated message', () => {
  it("leads with the cause, then downstream with each symptom's reason", () => {
    const m = render(notification('firing'));
    expect(m.subject).toBe(
      '[pipewatch] FIRING CRITICAL: queue-progress (example, +2 downstream): the ETL stopped consuming from example.collected',
    );
    const lines = m.text.split('\n');
    expect(lines[0]).toBe(
      'FIRING CRITICAL: queue-progress (services, stage parsed): the ETL stopped consuming from example.collected',
    );
    expect(lines).toContain(
      'downstream: parsed-freshness: newest record in example.parsed is 1m old; stage-losses: 36 records not yet parsed',
    );
    // The detail blocks follow the same order: the cause first.
    expect(m.text.indexOf('● queue-progress')).toBeLessThan(m.text.indexOf('● parsed-freshness'));
    expect(m.html).toContain('FIRING CRITICAL: queue-progress (services, stage parsed)');
  });

  it('the resolved message names the cause told', () => {
    const resolved = alerts.map((a) => ({ ...a, firing: false, since: '2026-12-01T10:05:00Z' }));
    const told = notification('firing').correlation;
    const m = render({ ...notification('resolved', resolved), correlation: told, resolvedAt: '2026-12-01T10:05:00Z' });
    expect(m.subject).toMatch(/^\[pipewatch\] RESOLVED: queue-progress \(example, \+2 downstream\): the ETL stopped/);
  });

  it('a symptom alone reads as itself', () => {
    const m = render(notification('firing', [alerts[0]!]));
    expect(m.subject).toBe(
      '[pipewatch] FIRING CRITICAL: parsed-freshness (example): newest record in example.parsed is 1m old',
    );
  });

  it('Slack, webhook and Alertmanager say the same', () => {
    const n = notification('firing');
    const slack = slackText(n).split('\n');
    expect(slack[1]).toContain('• probable cause *queue-progress*');
    expect(slack[2]).toContain('↳ downstream *parsed-freshness*');
    const payload = webhookPayload(n, 'key') as {
      correlation: unknown;
      alerts: Array<{ monitor: string; causedBy: string | null; stage: string | null }>;
    };
    expect(payload.correlation).toEqual({
      causes: [{ monitor: 'queue-progress', resolved: false, downstream: ['parsed-freshness', 'stage-losses'] }],
    });
    expect(payload.alerts.find((a) => a.monitor === 'stage-losses')).toMatchObject({
      causedBy: 'queue-progress',
      stage: 'parsed',
    });
    expect(payload.alerts.find((a) => a.monitor === 'queue-progress')?.causedBy).toBeNull();
    const am = alertmanagerAlerts(n, { now: Date.parse('2026-12-01T10:01:30Z'), resendEveryMs: 60_000 });
    expect(am.find((a) => a.labels.alertname === 'parsed-freshness')?.annotations.pipewatch_probable_cause).toBe(
      'queue-progress',
    );
    expect(
      am.find((a) => a.labels.alertname === 'queue-progress')?.annotations.pipewatch_probable_cause,
    ).toBeUndefined();
  });

  it('incidents show prints the tree: the cause, its symptoms under it', () => {
    const n = notification('firing');
    expect(alertTree({ alerts: n.alerts, muted: {}, correlation: n.correlation })).toEqual([
      'probable cause: ● queue-progress critical (1): the ETL stopped consuming from example.collected [stage parsed, services]',
      '  ├─ ● parsed-freshness critical (1): newest record in example.parsed is 1m old',
      '  └─ ● stage-losses critical (1): 36 records not yet parsed',
    ]);
    // Without correlation: one line per alert, as before.
    expect(alertTree({ alerts: n.alerts.slice(0, 1), muted: {} })).toEqual([
      '● parsed-freshness critical (1): newest record in example.parsed is 1m old',
    ]);
  });
});
