// RabbitMQ queues: depth and consumers with a passive queue.declare
// (checkQueue) on a throwaway channel, so a queue is never created, consumed
// or altered; publish/deliver rates and unacknowledged messages from the
// management API when configured. Says which side is likely at fault.
import { connect, type ChannelModel } from 'amqplib';
import type { CheckSpec, ConnectorSpec } from '../../config/model.js';
import type { Measurement } from '../../evaluation/types.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory } from '../types.js';

type RabbitSpec = Extract<ConnectorSpec, { type: 'rabbitmq' }>;
type QueueCheck = Extract<CheckSpec, { type: 'queue' }>;

/** What the management API says about a queue; without it only depth and consumers are known. */
export interface QueueRates {
  publishRate: number;
  deliverRate: number;
  ackRate: number;
  /** Messages delivered to consumers and not yet acknowledged: held by the consuming side. */
  unacked: number;
  /** Share of time the queue could deliver to its consumers at once (0..1); low with a backlog: consumers are the bottleneck. */
  utilisation?: number;
  /** Messages consumers have finished since the broker's statistics began (acknowledged, or taken without acks). */
  finished: number;
}

const WITHOUT_MANAGEMENT =
  'without the management API, messages consumers hold unacknowledged, publish and ack rates are not visible: a stuck consumer cannot be told apart from a healthy one';

/**
 * Who is probably behind a queue's trouble, from what the broker says. `depth`
 * is what waits in the queue (ready); messages consumers hold unacknowledged
 * are the consuming side's, never evidence of an idle producer.
 */
export function likelyFault(q: { depth: number; consumers: number; rates?: QueueRates }): {
  side: 'consumer' | 'producer' | 'none' | 'unknown';
  why: string;
} {
  if (q.consumers === 0) return { side: 'consumer', why: 'no consumer is attached' };
  const r = q.rates;
  if (!r) return { side: 'unknown', why: WITHOUT_MANAGEMENT };
  const waiting = q.depth + r.unacked;
  if (r.unacked > 0 && r.ackRate === 0 && q.depth === 0 && r.deliverRate === 0) {
    return { side: 'consumer', why: `consumers hold ${r.unacked} messages unacknowledged and acknowledge none` };
  }
  if (waiting > 0 && r.deliverRate === 0 && r.ackRate === 0) {
    return {
      side: 'consumer',
      why:
        r.unacked > 0
          ? `consumers are attached but take nothing (${r.unacked} held unacknowledged)`
          : 'consumers are attached but take nothing',
    };
  }
  if (r.unacked > 0 && r.ackRate === 0)
    return { side: 'consumer', why: `consumers take messages but acknowledge none (${r.unacked} held unacknowledged)` };
  const consumed = Math.max(r.ackRate, r.deliverRate);
  if (r.publishRate > consumed * 1.2 && waiting > 0)
    return { side: 'consumer', why: 'messages arrive faster than they are consumed' };
  if (r.publishRate === 0 && waiting === 0)
    return { side: 'producer', why: 'nothing is being published and the queue is empty' };
  return { side: 'none', why: 'consumers are attached and keep up' };
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
      throw new CollectError(
        `rabbitmq connector "${this.id}": management API unreachable (${e.cause?.code ?? e.message})`,
      );
    }
    if (response.status === 401)
      throw new CollectError(`rabbitmq connector "${this.id}": the management API refused the credentials (401)`);
    if (!response.ok)
      throw new CollectError(`rabbitmq connector "${this.id}": management API answered ${response.status}`);
    const q = (await response.json()) as {
      messages_unacknowledged?: number;
      consumer_capacity?: number;
      consumer_utilisation?: number | null;
      message_stats?: {
        publish_details?: { rate?: number };
        deliver_get_details?: { rate?: number };
        ack_details?: { rate?: number };
        ack?: number;
        deliver_no_ack?: number;
        get_no_ack?: number;
      };
    };
    const stats = q.message_stats ?? {};
    const utilisation = q.consumer_capacity ?? q.consumer_utilisation ?? undefined;
    return {
      publishRate: stats.publish_details?.rate ?? 0,
      deliverRate: stats.deliver_get_details?.rate ?? 0,
      ackRate: stats.ack_details?.rate ?? 0,
      unacked: q.messages_unacknowledged ?? 0,
      ...(typeof utilisation === 'number' ? { utilisation } : {}),
      finished: (stats.ack ?? 0) + (stats.deliver_no_ack ?? 0) + (stats.get_no_ack ?? 0),
    };
  }

  /**
   * Consumers attached, messages waiting or held, and nothing finished since an earlier run: since when.
   * The store keeps the condition keyed by the finished-message counter, so any progress starts a new span
   * and a queue that empties forgets it. Without a store (`pipewatch run`) there is no earlier run to compare
   * with, and this moment's rates cannot say it: the management API refreshes them every few seconds, so a
   * consumer that just attached, or takes a message a minute, reads 0.
   */
  private async idleSince(
    request: CollectRequest,
    depth: number,
    consumers: number,
    rates: QueueRates,
  ): Promise<Date | undefined> {
    const stalled = consumers > 0 && depth + rates.unacked > 0;
    if (!request.store || !request.monitorId) return undefined;
    const key = `consumers-idle@${rates.finished}`;
    const since = await request.store.observeConditions(request.monitorId, stalled ? [{ key }] : [], request.at);
    const first = since.get(key);
    // Seen at an earlier run with the same count: nothing was consumed in between.
    return first && first < request.at ? first : undefined;
  }

  async collect(request: CollectRequest): Promise<Measurement> {
    const { check, at } = request;
    if (check.type !== 'queue')
      throw new CollectError(`rabbitmq connector "${this.id}" cannot run a ${check.type} check`);
    let model: ChannelModel;
    try {
      model = await this.connection();
    } catch (err) {
      throw new CollectError(
        `rabbitmq connector "${this.id}": cannot connect: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
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
      if (/NOT_FOUND|404/.test(message))
        throw new CollectError(
          `rabbitmq connector "${this.id}": queue "${check.queue}" does not exist in vhost "${this.vhost()}"`,
        );
      throw new CollectError(`rabbitmq connector "${this.id}": ${message}`);
    } finally {
      await channel.close().catch(() => undefined);
    }
    const rates = await this.rates(check);
    const fault = likelyFault({ depth, consumers, rates });
    const failed: NonNullable<Measurement['failed']> = [];
    if (check.requireConsumers && consumers === 0) {
      failed.push({
        condition: 'consumers',
        reason: `no consumer is attached to ${check.queue}: the consuming side is likely at fault`,
      });
    }
    const idle = rates ? await this.idleSince(request, depth, consumers, rates) : undefined;
    if (idle && rates) {
      const held = rates.unacked > 0 ? `, holding ${rates.unacked} unacknowledged` : '';
      const span = `since ${idle.toISOString()}`;
      failed.push({
        condition: 'consumers',
        reason: `${consumers} consumer${consumers === 1 ? ' is' : 's are'} attached to ${check.queue} but took nothing ${span}${held}; ${depth} ready: the consuming side is likely at fault`,
      });
    }
    return {
      value: depth,
      unit: 'messages',
      observedAt: at.toISOString(),
      details: {
        queue: check.queue,
        vhost: this.vhost(),
        consumers,
        ...(rates
          ? {
              unacknowledged: rates.unacked,
              publishPerSecond: rates.publishRate,
              deliverPerSecond: rates.deliverRate,
              ackPerSecond: rates.ackRate,
              ...(rates.utilisation !== undefined ? { consumerUtilisation: rates.utilisation } : {}),
              ...(idle ? { consumersIdleSince: idle.toISOString() } : {}),
            }
          : { notVisible: WITHOUT_MANAGEMENT }),
        likelyFault:
          fault.side === 'none'
            ? null
            : fault.side === 'unknown'
              ? 'unknown (no management API)'
              : `${fault.side} (${fault.why})`,
      },
      ...(failed.length ? { failed } : {}),
      ...(rates ? {} : { caveat: WITHOUT_MANAGEMENT }),
    };
  }

  async ping(): Promise<void> {
    try {
      await this.connection();
    } catch (err) {
      throw new CollectError(
        `rabbitmq connector "${this.id}": cannot connect: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
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
