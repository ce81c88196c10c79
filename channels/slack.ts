// Slack incoming webhook: a short message (the subject line and one line per
// alert) in Slack's mrkdwn.
import type { ChannelSpec } from '../config/model.js';
import { describeRule, formatValue } from '../evaluation/rules.js';
import { ackCommands, render } from './render.js';
import type { ChannelFactory, ChannelSender, Delivery, Notification, SendContext } from './types.js';
import { postJson } from './webhook.js';

type SlackSpec = Extract<ChannelSpec, { type: 'slack' }>;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackText(n: Notification): string {
  const subject = escape(render(n, { subjectPrefix: '' }).subject.trim());
  if (n.kind === 'notice') return `*${subject}*\n${escape(n.text)}`;
  const lines = n.alerts.map((a) => {
    const v = a.verdict;
    const value = v.value === undefined ? 'not measured' : formatValue(v.value, v.unit);
    const rule = v.rule ? ` (${describeRule(v.rule, v.unit)})` : '';
    return `• ${a.firing ? '' : '~'}*${escape(a.monitor.id)}*${a.firing ? '' : '~'}: ${escape(v.reason)} — ${value}${rule}${a.monitor.runbook ? ` <${a.monitor.runbook}|runbook>` : ''}`;
  });
  const ack = n.kind !== 'resolved' && !n.acknowledged ? [`Acknowledge: \`${ackCommands(n.incidentId)[0]}\``] : [];
  return [`*${subject}*`, ...lines, ...ack].join('\n');
}

class SlackSender implements ChannelSender {
  constructor(private readonly spec: SlackSpec) {}

  async send(n: Notification, _context: SendContext): Promise<Delivery> {
    await postJson(this.spec.webhookUrl, JSON.stringify({ text: slackText(n) }), {}, 10_000);
    return {};
  }

  async close(): Promise<void> {}
}

export const slackChannel: ChannelFactory<'slack'> = {
  type: 'slack',
  create: (_id, spec) => new SlackSender(spec),
};
