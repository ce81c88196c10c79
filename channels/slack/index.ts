// Slack incoming webhook: Block Kit blocks (a header, one section per alert,
// what to do) with a plain `text` fallback for notifications and screen
// readers. Everything that came from a user or a source is escaped as Slack
// asks (&, <, >), so an alert can never turn into a link or a mention.
import type { ChannelSpec } from '../../config/model.js';
import { describeRule, formatValue } from '../../evaluation/rules.js';
import { ackCommands, causesOf, noticeText, render } from '../render.js';
import type {
  ChannelFactory,
  ChannelSender,
  Delivery,
  Notification,
  SendContext,
  TemporalCommandContext,
} from '../types.js';
import { postJson } from '../shared/post.js';

type SlackSpec = Extract<ChannelSpec, { type: 'slack' }>;

/** Slack's three control characters; everything else is literal text. */
export const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack refuses a section text over 3,000 characters and a header over 150. */
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** A runbook link only when it is a plain http(s) URL; anything else is shown as text. */
function runbookLink(url: string | undefined): string {
  if (!url) return '';
  return /^https?:\/\/[^\s<>|]+$/.test(url) ? ` <${url}|runbook>` : ` runbook: ${slackEscape(url)}`;
}

function alertLines(n: Exclude<Notification, { kind: 'notice' }>): string[] {
  // Correlated: each cause, then its symptoms indented under it.
  const causes = causesOf(n);
  const symptom = new Set(causes.flatMap((c) => c.downstream));
  const ordered = causes.length
    ? [
        ...causes.flatMap((c) => [c.cause, ...c.downstream]),
        ...n.alerts.filter((a) => !symptom.has(a) && !causes.some((c) => c.cause === a)),
      ]
    : n.alerts;
  return ordered.map((a) => {
    const v = a.verdict;
    const value = v.value === undefined ? 'not measured' : formatValue(v.value, v.unit);
    const rule = v.rule ? ` (${describeRule(v.rule, v.unit)})` : '';
    const id = a.firing ? `*${slackEscape(a.monitor.id)}*` : `~${slackEscape(a.monitor.id)}~`;
    const role = causes.some((c) => c.cause === a) ? 'probable cause ' : symptom.has(a) ? '    ↳ downstream ' : '';
    return `${role ? (symptom.has(a) ? role : `• ${role}`) : '• '}${id}: ${slackEscape(v.reason)} — ${slackEscape(value + rule)}${runbookLink(a.monitor.runbook)}`;
  });
}

/** The fallback text (and what older Slack clients show). */
export function slackText(n: Notification, ctx: TemporalCommandContext = {}): string {
  const subject = slackEscape(render(n, { subjectPrefix: '', temporal: ctx }).subject.trim());
  if (n.kind === 'notice') return `*${subject}*\n${slackEscape(noticeText(n, ctx))}`;
  const ack =
    n.kind !== 'resolved' && !n.acknowledged
      ? [`Acknowledge: \`${slackEscape(ackCommands(n.incidentId, ctx)[0]!)}\``]
      : [];
  return [`*${subject}*`, ...alertLines(n), ...ack].join('\n');
}

/** Block Kit blocks for the same message. */
export function slackBlocks(n: Notification, ctx: TemporalCommandContext = {}): Array<Record<string, unknown>> {
  const subject = render(n, { subjectPrefix: '', temporal: ctx }).subject.trim();
  const header = { type: 'header', text: { type: 'plain_text', text: cut(subject, 150), emoji: false } };
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, 3_000) } });
  if (n.kind === 'notice') return [header, section(slackEscape(noticeText(n, ctx)))];
  const blocks: Array<Record<string, unknown>> = [header, ...alertLines(n).slice(0, 40).map(section)];
  if (n.alerts.length > 40) blocks.push(section(`… and ${n.alerts.length - 40} more alerts`));
  const context = [
    `Incident \`${slackEscape(n.incidentId)}\``,
    `receiver ${slackEscape(n.receiver)}`,
    `opened ${slackEscape(n.openedAt)}`,
  ];
  if (n.acknowledged) context.push(`acknowledged by ${slackEscape(n.acknowledged.by)}`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  if (n.kind !== 'resolved' && !n.acknowledged)
    blocks.push(section(`Acknowledge: \`${slackEscape(ackCommands(n.incidentId, ctx)[0]!)}\``));
  return blocks;
}

class SlackSender implements ChannelSender {
  constructor(private readonly spec: SlackSpec) {}

  async send(n: Notification, context: SendContext): Promise<Delivery> {
    await postJson(
      this.spec.webhookUrl,
      JSON.stringify({ text: slackText(n, context.temporal), blocks: slackBlocks(n, context.temporal) }),
      {},
      10_000,
    );
    return {};
  }

  async close(): Promise<void> {}
}

export const slackChannel: ChannelFactory<'slack'> = {
  type: 'slack',
  create: (_id, spec) => new SlackSender(spec),
};
