// Email through a real SMTP server: content, idempotency headers, threading.
import { emailChannel } from '../../channels/email/index.js';
import type { IncidentNotification } from '../../channels/types.js';
import { SmtpReceiver } from '../support/smtp.js';

const notification: IncidentNotification = {
  kind: 'firing',
  incidentId: 'pipewatch-incident/default/monitor=lake-freshness',
  receiver: 'default',
  groupLabels: { monitor: 'lake-freshness' },
  status: 'critical',
  alerts: [
    {
      monitor: { id: 'lake-freshness', perspective: 'data', labels: {} },
      labels: { monitor: 'lake-freshness' },
      status: 'critical',
      verdict: {
        status: 'critical',
        value: 7200,
        unit: 'seconds',
        reason: 'age 2h is above 1h',
        observedAt: '2026-11-26T10:00:00.000Z',
      },
      firing: true,
      since: '2026-11-26T10:00:00.000Z',
    },
  ],
  openedAt: '2026-11-26T10:00:00.000Z',
};
const context = (idempotencyKey: string) => ({ idempotencyKey, history: {} });

describe('email channel', () => {
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    smtp = await SmtpReceiver.start();
  });
  afterAll(async () => {
    await smtp.stop();
  });

  const sender = () =>
    emailChannel.create('oncall', {
      type: 'email',
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, requireTLS: false, rejectUnauthorized: true },
      from: 'pipewatch@example.test',
      to: ['oncall@example.test', 'lead@example.test'],
      subjectPrefix: '[pipewatch]',
    });

  it('sends text and HTML to every recipient, and threads the resolved message under the firing one', async () => {
    const s = sender();
    await s.send(notification, context('key-firing'));
    await s.send(
      { ...notification, kind: 'resolved', status: 'ok', resolvedAt: '2026-11-26T11:00:00.000Z' },
      context('key-resolved'),
    );
    await s.close();
    const [firing, resolved] = await smtp.waitForCount(/lake-freshness/, 2);
    expect(firing!.subject).toBe('[pipewatch] FIRING CRITICAL: lake-freshness: age 2h is above 1h');
    expect(firing!.to).toBe('oncall@example.test, lead@example.test');
    expect(firing!.text).toContain('Value: 2h');
    expect(firing!.html).toContain('<table');
    expect(firing!.headers.get('x-pipewatch-idempotency-key')).toBe('key-firing');
    expect(resolved!.subject).toMatch(/^\[pipewatch\] RESOLVED: lake-freshness/);
    expect(resolved!.inReplyTo).toBe(firing!.messageId);
  });

  it('fails loudly when the server is down, so the activity is retried', async () => {
    const down = emailChannel.create('down', {
      type: 'email',
      smtp: { host: '127.0.0.1', port: 1, secure: false, requireTLS: false, rejectUnauthorized: true },
      from: 'a@example.test',
      to: ['b@example.test'],
      subjectPrefix: '[pipewatch]',
    });
    await expect(down.send(notification, context('k'))).rejects.toThrow(/ECONNREFUSED/);
    await down.close();
  });
});
