// Email over SMTP with nodemailer: text and HTML parts, a Message-ID derived
// from the idempotency key (so receiving systems can drop a duplicate too),
// and every later message of an incident threaded under its first.
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ChannelSpec } from '../../config/model.js';
import { render } from '../render.js';
import type { ChannelFactory, ChannelSender, Delivery, Notification, ReportEmail, SendContext } from '../types.js';

type EmailSpec = Extract<ChannelSpec, { type: 'email' }>;

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

export function messageIdFor(key: string): string {
  return `<${hash(key)}@pipewatch>`;
}

class EmailSender implements ChannelSender {
  private readonly transport: Transporter;

  constructor(
    private readonly id: string,
    private readonly spec: EmailSpec,
  ) {
    const port = Number(spec.smtp.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`email channel "${id}": smtp.port resolved to "${spec.smtp.port}", which is not a port number`);
    }
    this.transport = nodemailer.createTransport({
      host: spec.smtp.host,
      port,
      secure: spec.smtp.secure,
      requireTLS: spec.smtp.requireTLS,
      auth: spec.smtp.user ? { user: spec.smtp.user, pass: spec.smtp.password } : undefined,
      tls: { rejectUnauthorized: spec.smtp.rejectUnauthorized },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(n: Notification, context: SendContext): Promise<Delivery> {
    const message = render(n, {
      subjectPrefix: this.spec.subjectPrefix,
      history: context.history,
      temporal: context.temporal,
    });
    // The first message of an incident opens a thread; the rest reply to it.
    const thread =
      n.kind === 'notice' ? undefined : `<${hash(`${n.incidentId}/${n.openedAt}/${this.id}`)}@pipewatch.thread>`;
    const opensThread = n.kind === 'firing';
    const messageId = opensThread && thread ? thread : messageIdFor(context.idempotencyKey);
    await this.transport.sendMail({
      from: this.spec.from,
      to: this.spec.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId,
      ...(thread && !opensThread ? { inReplyTo: thread, references: [thread] } : {}),
      headers: {
        ...(n.kind === 'notice' ? {} : { 'X-Pipewatch-Incident': n.incidentId }),
        'X-Pipewatch-Kind': n.kind,
        'X-Pipewatch-Idempotency-Key': context.idempotencyKey,
      },
    });
    return { messageId };
  }

  /** A report with its charts as inline attachments, referenced from the HTML by Content-ID. */
  async sendReport(report: ReportEmail, context: { idempotencyKey: string }): Promise<Delivery> {
    const messageId = messageIdFor(context.idempotencyKey);
    await this.transport.sendMail({
      from: this.spec.from,
      to: this.spec.to,
      subject: `${this.spec.subjectPrefix ?? '[pipewatch]'} ${report.subject}`.slice(0, 240),
      text: report.text,
      html: report.html,
      attachments: report.images.map((img) => ({
        filename: img.filename,
        content: img.png,
        contentType: 'image/png',
        cid: img.cid,
        contentDisposition: 'inline' as const,
      })),
      messageId,
      headers: {
        'X-Pipewatch-Kind': 'report',
        'X-Pipewatch-Report': report.reportId,
        'X-Pipewatch-Idempotency-Key': context.idempotencyKey,
      },
    });
    return { messageId };
  }

  /** Connects and authenticates without sending (pipewatch doctor). */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

export const emailChannel: ChannelFactory<'email'> = {
  type: 'email',
  create: (id, spec) => new EmailSender(id, spec),
};
