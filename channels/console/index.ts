// Console channel: the message on the worker's standard output, for local use.
import { render } from '../render.js';
import type { ChannelFactory, ChannelSender, Delivery, Notification, SendContext } from '../types.js';

class ConsoleSender implements ChannelSender {
  constructor(private readonly id: string) {}

  async send(n: Notification, context: SendContext): Promise<Delivery> {
    const m = render(n, { history: context.history, temporal: context.temporal });
    process.stdout.write(`[${this.id}] ${m.subject}\n${m.text.replace(/^/gm, '    ')}\n`);
    return {};
  }

  async close(): Promise<void> {}
}

export const consoleChannel: ChannelFactory<'console'> = {
  type: 'console',
  create: (id) => new ConsoleSender(id),
};
