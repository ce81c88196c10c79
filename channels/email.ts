// Email over SMTP with nodemailer: text and HTML parts, a Message-ID derived
// from the idempotency key (so receiving systems can drop a duplicate too),
// and resolved messages threaded under the firing one.
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ChannelSpec } from '../config/model.js';
import { render } from './render.js';
import type { ChannelFactory, ChannelSender, Delivery, Notification } from './types.js';

type EmailSpec = Extract<ChannelSpec, { type: 'email' }>;

export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@pipewatch>`;
}

/** The Message-ID of the incident's opening email, so later messages thread under it. */
function threadIdFor(n: Notification, channelId: string): string {
  return `<${createHash('sha256').update(`${n.incidentId}/${n.openedAt}/${channelId}`).digest('hex').slice(0, 32)}@pipewatch.thread>`;
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

  async send(n: Notification, idempotencyKey: string): Promise<Delivery> {
    const message = render(n, this.spec.subjectPrefix);
    const thread = threadIdFor(n, this.id);
    const messageId = messageIdFor(idempotencyKey);
    await this.transport.sendMail({
      from: this.spec.from,
      to: this.spec.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: n.kind === 'firing' ? thread : messageId,
      ...(n.kind === 'firing' ? {} : { inReplyTo: thread, references: [thread] }),
      headers: {
        'X-Pipewatch-Incident': n.incidentId,
        'X-Pipewatch-Kind': n.kind,
        'X-Pipewatch-Idempotency-Key': idempotencyKey,
      },
    });
    return { messageId: n.kind === 'firing' ? thread : messageId };
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

export const emailChannel: ChannelFactory<'email'> = {
  type: 'email',
  create: (id, spec) => new EmailSender(id, spec),
};
