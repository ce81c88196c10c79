// RabbitMQ queues: depth and consumers with a passive queue.declare
// (checkQueue) on a throwaway channel, so a queue is never created, consumed
// or altered; publish/deliver rates and unacknowledged messages from the
// management API when configured. Says which side is likely at fault.
import { connect, type ChannelModel } from 'amqplib';
import type { CheckSpec, ConnectorSpec } from '../config/model.js';
import type { Measurement } from '../evaluation/types.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory } from './types.js';

type RabbitSpec = Extract<ConnectorSpec, { type: 'rabbitmq' }>;
type QueueCheck = Extract<CheckSpec, { type: 'queue' }>;

interface QueueRates {
  publishRate: number;
  deliverRate: number;
  unacked: number;
}

/** Who is probably behind a queue's trouble, from what the broker says. */
export function likelyFault(q: { depth: number; consumers: number; rates?: QueueRates }): { side: 'consumer' | 'producer' | 'none'; why: string } {
  if (q.consumers === 0) return { side: 'consumer', why: 'no consumer is attached' };
  if (q.rates) {
    if (q.rates.publishRate === 0 && q.depth === 0) return { side: 'producer', why: 'nothing is being published and the queue is empty' };
    if (q.rates.deliverRate === 0 && q.depth > 0) return { side: 'consumer', why: 'consumers are attached but take nothing' };
    if (q.rates.publishRate > q.rates.deliverRate * 1.2 && q.depth > 0) return { side: 'consumer', why: 'messages arrive faster than they are consumed' };
  }
  return { side: 'none', why: 'consumers are attached' };
}

class RabbitConnector implements Connector {
  private model?: Promise<ChannelModel>;

  constructor(
    private readonly id: string,
    private readonly spec: RabbitSpec,
  ) {}

  private connection(): Promise<ChannelModel> {
    if (!this.model) {
      this.model = connect(this.spec.url, { timeout: 10_000 }).then((m) => {
        // A broker restart drops the connection: the next check reconnects.
        m.on('error', () => undefined);
        m.on('close', () => (this.model = undefined));
        return m;
      });
      this.model.catch(() => (this.model = undefined));
    }
    return this.model;
  }

  private vhost(): string {
    const path = new URL(this.spec.url.replace(/^amqps?:/, 'http:')).pathname.replace(/^\//, '');
    return path ? decodeURIComponent(path) : '/';
  }

  private async rates(check: QueueCheck): Promise<QueueRates | undefined> {
    const m = this.spec.management;
    if (!m) return undefined;
    const url = `${m.url.replace(/\/+$/, '')}/api/queues/${encodeURIComponent(this.vhost())}/${encodeURIComponent(check.queue)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Basic ${Buffer.from(`${m.username}:${m.password ?? ''}`).toString('base64')}` },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw new CollectError(`rabbitmq connector "${this.id}": management API unreachable (${e.cause?.code ?? e.message})`);
    }
    if (response.status === 401) throw new CollectError(`rabbitmq connector "${this.id}": the management API refused the credentials (401)`);
    if (!response.ok) throw new CollectError(`rabbitmq connector "${this.id}": management API answered ${response.status}`);
    const q = (await response.json()) as {
      messages_unacknowledged?: number;
      message_stats?: { publish_details?: { rate?: number }; deliver_get_details?: { rate?: number } };
    };
    return {
      publishRate: q.message_stats?.publish_details?.rate ?? 0,
      deliverRate: q.message_stats?.deliver_get_details?.rate ?? 0,
      unacked: q.messages_unacknowledged ?? 0,
    };
  }

  async collect({ check, at }: CollectRequest): Promise<Measurement> {
    if (check.type !== 'queue') throw new CollectError(`rabbitmq connector "${this.id}" cannot run a ${check.type} check`);
    let model: ChannelModel;
    try {
      model = await this.connection();
    } catch (err) {
      throw new CollectError(`rabbitmq connector "${this.id}": cannot connect: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    // A failed passive declare closes its channel: use one per check.
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    let depth: number;
    let consumers: number;
    try {
      const q = await channel.checkQueue(check.queue);
      depth = q.messageCount;
      consumers = q.consumerCount;
    } catch (err) {
      const message = (err as Error).message;
      if (/NOT_FOUND|404/.test(message)) throw new CollectError(`rabbitmq connector "${this.id}": queue "${check.queue}" does not exist in vhost "${this.vhost()}"`);
      throw new CollectError(`rabbitmq connector "${this.id}": ${message}`);
    } finally {
      await channel.close().catch(() => undefined);
    }
    const rates = await this.rates(check);
    const fault = likelyFault({ depth, consumers, rates });
    return {
      value: depth,
      unit: 'messages',
      observedAt: at.toISOString(),
      details: {
        queue: check.queue,
        vhost: this.vhost(),
        consumers,
        ...(rates ? { publishPerSecond: rates.publishRate, deliverPerSecond: rates.deliverRate, unacknowledged: rates.unacked } : {}),
        likelyFault: fault.side === 'none' ? null : `${fault.side} (${fault.why})`,
      },
      ...(check.requireConsumers && consumers === 0
        ? { failed: [{ condition: 'consumers', reason: `no consumer is attached to ${check.queue}: the consuming side is likely at fault` }] }
        : {}),
    };
  }

  async ping(): Promise<void> {
    try {
      await this.connection();
    } catch (err) {
      throw new CollectError(`rabbitmq connector "${this.id}": cannot connect: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    if (model) await (await model.catch(() => undefined))?.close().catch(() => undefined);
  }
}

export const rabbitmqConnector: ConnectorFactory<'rabbitmq'> = {
  type: 'rabbitmq',
  create: (id, spec) => new RabbitConnector(id, spec),
};
