// The example pipeline's queue between the collector and the ETL: a durable
// RabbitMQ queue when a broker answers (amqplib), otherwise an in-process
// queue with the same behaviour, so the example runs anywhere. The ETL's
// consumer lives in the worker process and buffers deliveries (prefetch);
// an ETL activity takes from that buffer and acknowledges what it stored.
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';

export interface Delivery {
  id: string;
  ack(): void;
  /** Back to the queue, for the next run. */
  requeue(): void;
}

export interface QueueStatus {
  backend: 'rabbitmq' | 'in-process';
  queue: string;
  depth: number;
  consumers: number;
  /**
   * Seconds since the consumer last asked for messages while messages wait (0 when none wait): a consumer
   * that is attached but stopped consuming (the ETL stalled) shows here, as the consumer count cannot.
   */
  waitingSeconds: number;
}

/** Whole seconds since `since`, when anything waits. */
const waitedSince = (since: number, waiting: number) => (waiting > 0 ? Math.floor((Date.now() - since) / 1000) : 0);

export interface DemoQueue {
  readonly backend: 'rabbitmq' | 'in-process';
  readonly name: string;
  readonly attached: boolean;
  publish(ids: string[]): Promise<void>;
  /** Starts consuming (deliveries buffer in this process). */
  attach(): Promise<void>;
  /** Stops consuming: the broker sees no consumer; buffered deliveries go back to the queue. */
  detach(): Promise<void>;
  take(max: number): Delivery[];
  status(): Promise<QueueStatus>;
  close(): Promise<void>;
}

export const DEMO_QUEUE = 'example.collected';
const PREFETCH = 500;

class InProcessQueue implements DemoQueue {
  readonly backend = 'in-process' as const;
  attached = false;
  private readonly ready: string[] = [];
  private unacked = 0;
  private askedAt = Date.now();
  constructor(readonly name: string) {}

  async publish(ids: string[]): Promise<void> {
    this.ready.push(...ids);
  }
  async attach(): Promise<void> {
    this.attached = true;
  }
  async detach(): Promise<void> {
    this.attached = false;
  }
  take(max: number): Delivery[] {
    if (!this.attached) return [];
    this.askedAt = Date.now();
    const ids = this.ready.splice(0, max);
    this.unacked += ids.length;
    return ids.map((id) => ({
      id,
      ack: () => void this.unacked--,
      requeue: () => {
        this.unacked--;
        this.ready.unshift(id);
      },
    }));
  }
  async status(): Promise<QueueStatus> {
    return {
      backend: this.backend,
      queue: this.name,
      depth: this.ready.length,
      consumers: this.attached ? 1 : 0,
      waitingSeconds: waitedSince(this.askedAt, this.ready.length),
    };
  }
  async close(): Promise<void> {}
}

class RabbitQueue implements DemoQueue {
  readonly backend = 'rabbitmq' as const;
  /** The consuming channel while attached. Detaching closes it: the broker drops the consumer and requeues what it had delivered. */
  private consumer?: Channel;
  /**
   * An attach under way. Two ETL activities can run at once (a retry while a timed-out attempt still runs, a
   * schedule triggered while a run was in flight): without this both would open a consuming channel, and the
   * one not kept would hold its prefetch of messages unacknowledged until the process ends, invisible to detach.
   */
  private attaching?: Promise<void>;
  /** Deliveries of the current consuming channel, each acknowledged on the channel that delivered it. */
  private buffer: Array<{ channel: Channel; msg: ConsumeMessage }> = [];
  private askedAt = Date.now();

  constructor(
    readonly name: string,
    private readonly model: ChannelModel,
    private readonly publisher: ConfirmChannel,
  ) {}

  static async open(url: string, name: string): Promise<RabbitQueue> {
    const model = await connect(url, { timeout: 3_000 });
    model.on('error', () => undefined);
    const publisher = await model.createConfirmChannel();
    publisher.on('error', () => undefined);
    await publisher.assertQueue(name, { durable: true });
    return new RabbitQueue(name, model, publisher);
  }

  get attached(): boolean {
    return this.consumer !== undefined;
  }

  async publish(ids: string[]): Promise<void> {
    for (const id of ids) this.publisher.sendToQueue(this.name, Buffer.from(id), { persistent: true });
    if (ids.length) await this.publisher.waitForConfirms();
  }

  attach(): Promise<void> {
    if (this.consumer) return Promise.resolve();
    this.attaching ??= this.openConsumer().finally(() => (this.attaching = undefined));
    return this.attaching;
  }

  private async openConsumer(): Promise<void> {
    const channel = await this.model.createChannel();
    channel.on('error', () => undefined);
    // A channel the broker closed (an error, a restart) is replaced on the next run.
    channel.on('close', () => {
      if (this.consumer === channel) this.consumer = undefined;
      this.buffer = this.buffer.filter((d) => d.channel !== channel);
    });
    try {
      await channel.prefetch(PREFETCH);
      await channel.consume(this.name, (msg) => {
        if (msg) this.buffer.push({ channel, msg });
      });
    } catch (err) {
      await channel.close().catch(() => undefined);
      throw err;
    }
    this.consumer = channel;
  }

  async detach(): Promise<void> {
    // An attach under way finishes first, so the channel it opens is the one closed here.
    await this.attaching?.catch(() => undefined);
    const channel = this.consumer;
    if (!channel) return;
    this.consumer = undefined;
    this.buffer = this.buffer.filter((d) => d.channel !== channel);
    await channel.close().catch(() => undefined);
  }

  take(max: number): Delivery[] {
    const channel = this.consumer;
    if (!channel) return [];
    this.askedAt = Date.now();
    const taken: Array<{ channel: Channel; msg: ConsumeMessage }> = [];
    this.buffer = this.buffer.filter((d) =>
      d.channel === channel && taken.length < max ? (taken.push(d), false) : true,
    );
    return taken.map(({ channel: from, msg }) => ({
      id: msg.content.toString('utf8'),
      ack: () => from.ack(msg),
      requeue: () => from.nack(msg, false, true),
    }));
  }

  async status(): Promise<QueueStatus> {
    // A passive declare on its own channel: it cannot change the queue, and a failure closes only that channel.
    const channel = await this.model.createChannel();
    channel.on('error', () => undefined);
    try {
      const q = await channel.checkQueue(this.name);
      // Prefetched deliveries wait in this process: the broker counts them as unacknowledged, not ready.
      return {
        backend: this.backend,
        queue: this.name,
        depth: q.messageCount,
        consumers: q.consumerCount,
        waitingSeconds: waitedSince(this.askedAt, q.messageCount + this.buffer.length),
      };
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.detach();
    await this.model.close().catch(() => undefined);
  }
}

/** RabbitMQ at `url` when it answers, else an in-process queue; `reason` says why not RabbitMQ. */
export async function openDemoQueue(
  url: string | undefined,
  name = DEMO_QUEUE,
): Promise<{ queue: DemoQueue; reason?: string }> {
  if (!url) return { queue: new InProcessQueue(name), reason: 'no broker URL' };
  try {
    return { queue: await RabbitQueue.open(url, name) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { queue: new InProcessQueue(name), reason: e.code ?? e.message };
  }
}
