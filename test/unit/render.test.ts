import { render, sparkline } from '../../channels/render.js';
import type { AlertSummary, IncidentNotification } from '../../channels/types.js';
import { slackBlocks, slackText } from '../../channels/slack/index.js';
import { webhookPayload } from '../../channels/webhook/index.js';

const alert = (
  id: string,
  status: AlertSummary['status'],
  reason: string,
  extra: Partial<AlertSummary> = {},
): AlertSummary => ({
  monitor: {
    id,
    perspective: 'data',
    pipeline: 'intel',
    labels: { team: 'lake' },
    runbook: 'https://runbooks.example/parsed',
    description: 'newest <parsed> record',
  },
  labels: { monitor: id, pipeline: 'intel', severity: status },
  status,
  verdict: {
    status,
    value: 5400,
    unit: 'seconds',
    rule: { kind: 'above', threshold: 3600, severity: 'critical' },
    reason,
    observedAt: '2026-11-26T10:00:00.000Z',
    details: { newest: '2026-11-26T08:30:00.000Z' },
  },
  firing: true,
  since: '2026-11-26T10:00:00.000Z',
  ...extra,
});

const firing: IncidentNotification = {
  kind: 'firing',
  incidentId: 'pipewatch-incident/default/monitor=parsed-freshness',
  receiver: 'default',
  groupLabels: { monitor: 'parsed-freshness' },
  status: 'critical',
  alerts: [alert('parsed-freshness', 'critical', 'age 1h30m is above 1h')],
  openedAt: '2026-11-26T10:00:00.000Z',
};

describe('render', () => {
  it('says what is wrong, the value against the rule, when, history, and how to acknowledge', () => {
    const history = {
      'parsed-freshness': [1, 5, 9, 20].map((v, i) => ({ observedAt: `t${i}`, value: v * 60, status: 'ok' as const })),
    };
    const m = render(firing, { history });
    expect(m.subject).toBe('[pipewatch] FIRING CRITICAL: parsed-freshness (intel): age 1h30m is above 1h');
    expect(m.text).toContain('Value: 1h30m');
    expect(m.text).toContain('Rule: above 1h → critical');
    expect(m.text).toContain('Observed at: 2026-11-26T10:00:00.000Z');
    expect(m.text).toContain('newest: 2026-11-26T08:30:00.000Z');
    expect(m.text).toContain('Runbook: https://runbooks.example/parsed');
    expect(m.text).toContain('Recent values: ▁▂▄█');
    expect(m.text).toContain(
      "pipewatch incidents ack 'pipewatch-incident/default/monitor=parsed-freshness' --by <your name>",
    );
    expect(m.text).toContain('temporal workflow update execute');
    expect(m.html).toContain('newest &lt;parsed&gt; record');
    expect(m.html).not.toContain('<parsed>');
    expect(m.html).toMatch(/<div title="t3: 1200" style="width:6px;height:40px/);
  });

  it('lists every alert of a group in one message', () => {
    const group: IncidentNotification = {
      ...firing,
      groupLabels: { pipeline: 'intel' },
      alerts: ['a', 'b', 'c'].map((id) => alert(id, id === 'b' ? 'critical' : 'warning', `${id} is late`)),
    };
    const m = render(group);
    expect(m.subject).toBe('[pipewatch] FIRING CRITICAL: 3 alerts for pipeline=intel: b, a, c');
    for (const id of ['a', 'b', 'c']) expect(m.text).toContain(`● ${id}: ${id} is late`);
  });

  it("re-runs a key's or a series' monitor, not the key's state id, and names each monitor once", () => {
    const keyed = (key: string) =>
      alert(`parse-errors[${key}]`, 'critical', `${key} is erring`, {
        labels: { monitor: 'parse-errors', key, severity: 'critical' },
      });
    const m = render({
      ...firing,
      alerts: [keyed('intel'), keyed('lake'), alert('parsed-freshness', 'critical', 'late')],
    });
    const reruns = m.text.split('\n').filter((l) => l.includes('Re-run the check now'));
    expect(reruns.map((l) => l.trim())).toEqual([
      '- Re-run the check now: pipewatch run parse-errors',
      '- Re-run the check now: pipewatch run parsed-freshness',
    ]);
  });

  it('tells a "could not check" apart from bad data', () => {
    const m = render({
      ...firing,
      status: 'error',
      alerts: [
        alert('parsed-freshness', 'error', 'could not check: timeout', {
          verdict: {
            status: 'error',
            unit: 'seconds',
            reason: 'could not check: timeout',
            error: 'timeout',
            observedAt: firing.openedAt,
          },
        }),
      ],
    });
    expect(m.subject).toBe('[pipewatch] FIRING ERROR: parsed-freshness (intel): could not check: timeout');
    expect(m.text).toContain('pipewatch could not run the check: the data may be fine or not');
    expect(m.text).toContain('Value: not measured');
  });

  it('marks escalations, reminders and acknowledgements', () => {
    expect(
      render({ ...firing, kind: 'escalation', escalation: { policy: 'standard', step: 2, round: 1 } }).text,
    ).toContain('Escalated: step 2 of policy standard (round 1)');
    expect(render({ ...firing, kind: 'reminder' }).subject).toMatch(/^\[pipewatch\] STILL FIRING CRITICAL/);
    const acked = render({ ...firing, kind: 'changed', acknowledged: { by: 'alice', at: 't', note: 'on it' } });
    expect(acked.text).toContain('Acknowledged by alice at t: on it.');
    expect(acked.text).not.toContain('Acknowledge to stop');
  });

  it('marks the resolved message and asks nothing of the reader', () => {
    const m = render(
      {
        ...firing,
        kind: 'resolved',
        status: 'ok',
        resolvedAt: '2026-11-26T11:00:00.000Z',
        alerts: [alert('parsed-freshness', 'ok', 'fine', { firing: false })],
      },
      { subjectPrefix: '[lake]' },
    );
    expect(m.subject.startsWith('[lake] RESOLVED: parsed-freshness')).toBe(true);
    expect(m.text).toContain('Resolved at 2026-11-26T11:00:00.000Z');
    expect(m.text).toContain('Nothing to do');
  });

  it('renders notices about pipewatch itself', () => {
    expect(render({ kind: 'notice', title: 'channel slack is failing', text: 'it keeps retrying' }).subject).toBe(
      '[pipewatch] channel slack is failing',
    );
  });

  it('draws gaps where the check could not run', () => {
    expect(
      sparkline([
        { observedAt: 'a', value: 1, status: 'ok' },
        { observedAt: 'b', value: null, status: 'error' },
        { observedAt: 'c', value: 3, status: 'ok' },
      ]),
    ).toBe('▁ █');
  });
});

describe('slack and webhook bodies', () => {
  it('gives Slack one line per alert and the acknowledge command', () => {
    const text = slackText(firing);
    expect(text.split('\n')[0]).toBe('*FIRING CRITICAL: parsed-freshness (intel): age 1h30m is above 1h*');
    expect(text).toContain(
      '• *parsed-freshness*: age 1h30m is above 1h — 1h30m (above 1h) <https://runbooks.example/parsed|runbook>',
    );
    expect(text).toContain('Acknowledge: `pipewatch incidents ack');
  });

  it('gives webhooks a stable JSON document', () => {
    const body = webhookPayload(firing, 'key-1');
    expect(body).toMatchObject({
      version: 1,
      kind: 'firing',
      idempotencyKey: 'key-1',
      incidentId: firing.incidentId,
      status: 'critical',
    });
    expect(body.alerts).toEqual([
      expect.objectContaining({ monitor: 'parsed-freshness', value: 5400, unit: 'seconds', firing: true }),
    ]);
  });
});

describe('what a person reads is right', () => {
  it('cuts a long subject at a word within 120 characters', () => {
    const long = {
      ...firing,
      alerts: [
        alert('parsed-freshness', 'critical', `the newest record in example.parsed is ${'very '.repeat(40)}old`),
      ],
    };
    const subject = render(long).subject;
    expect(subject.length).toBeLessThanOrEqual(120);
    expect(subject.endsWith('very…')).toBe(true);
    expect(subject).toMatch(/^\[pipewatch\] FIRING CRITICAL: parsed-freshness \(intel\): the newest record/);
    expect(render(firing).subject).toBe('[pipewatch] FIRING CRITICAL: parsed-freshness (intel): age 1h30m is above 1h');
  });

  it('says what to do for the kind of check that fired, not "the stage named above"', () => {
    const http = {
      ...firing,
      alerts: [
        alert('api-shape', 'critical', 'the response shape changed', {
          monitor: { ...firing.alerts[0]!.monitor, id: 'api-shape', checkType: 'http' },
        }),
      ],
    };
    const text = render(http).text;
    expect(text).toContain('Call the URL yourself and compare the response with the condition that failed.');
    expect(text).not.toContain('stage named above');
    const stages = {
      ...firing,
      alerts: [
        alert('losses', 'critical', 'lost 40 at parsed', {
          monitor: { ...firing.alerts[0]!.monitor, id: 'losses', checkType: 'stageCounts' },
        }),
      ],
    };
    expect(render(stages).text).toContain('Start at the first stage named as losing records');
  });

  it('suggests temporal commands with the codec endpoint, or says one is needed', () => {
    expect(render(firing, { temporal: { codecEndpoint: 'http://127.0.0.1:8888' } }).text).toContain(
      "temporal workflow update execute --workflow-id 'pipewatch-incident/default/monitor=parsed-freshness' --name acknowledge --input '{\"by\":\"<your name>\"}' --codec-endpoint 'http://127.0.0.1:8888'",
    );
    expect(render(firing, { temporal: { encrypted: true } }).text).toContain(
      "temporal workflow show --workflow-id 'pipewatch-incident/default/monitor=parsed-freshness' --codec-endpoint <your codec server",
    );
    expect(render(firing).text).not.toContain('--codec-endpoint');
    const notice = {
      kind: 'notice' as const,
      title: 'needs an operator',
      text: 'Answer with: pipewatch intervene respond',
      temporalCommands: ["workflow update execute --workflow-id 'q' --name respond"],
    };
    expect(render(notice, { temporal: { codecEndpoint: 'http://c:1' } }).text).toBe(
      "Answer with: pipewatch intervene respond\nWith the temporal CLI: temporal workflow update execute --workflow-id 'q' --name respond --codec-endpoint 'http://c:1'",
    );
    expect(webhookPayload(notice, 'k', { codecEndpoint: 'http://c:1' }).text).toContain(
      "--codec-endpoint 'http://c:1'",
    );
  });

  it('escapes everything Slack would read as markup, and sends blocks', () => {
    const hostile = {
      ...firing,
      alerts: [
        alert('m<@U123>', 'critical', 'value <!channel> & <http://evil|click>', {
          monitor: { ...firing.alerts[0]!.monitor, id: 'm<@U123>', runbook: 'javascript:alert(1)' },
        }),
      ],
    };
    const text = slackText(hostile);
    expect(text).not.toMatch(/<[@!h]/);
    expect(text).toContain('&lt;your name&gt;');
    expect(text).toContain('value &lt;!channel&gt; &amp; &lt;http://evil|click&gt;');
    expect(text).toContain('runbook: javascript:alert(1)');
    const blocks = slackBlocks(hostile);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const all = JSON.stringify(blocks.slice(1));
    expect(all).not.toMatch(/<[@!h]/);
    expect(blocks.find((b) => b.type === 'context')).toBeDefined();
    expect(slackText(firing)).toContain('<https://runbooks.example/parsed|runbook>');
  });
});
