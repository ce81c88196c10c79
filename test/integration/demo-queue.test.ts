// The example's RabbitMQ queue (examples/queue.ts) under concurrent ETL runs,
// on the real broker: after a restart a triggered run and one in flight (or an
// activity retried while its timed-out attempt still ran) attached at once; the
// consuming channel not kept held its prefetch unacknowledged, out of reach of
// detach. Here attaches race, runs take and acknowledge at once, and the broker
// itself (passive declare, management API) says how many consumers there are
// and what they hold.
import { connect, type ChannelModel } from 'amqplib';
import { openDemoQueue, type DemoQueue } from '../../examples/queue.js';
import { uniqueName } from '../support/env.js';
import { waitFor } from '../support/wait.js';

const AMQP = 'amqp://guest:guest@127.0.0.1:5672';

async function brokerView(name: string): Promise<{ ready: number; unacked: number; consumers: number }> {
  const res = await fetch(`http://127.0.0.1:15672/api/queues/%2F/${encodeURIComponent(name)}`, {
    headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
  });
  const q = (await res.json()) as { messages_ready?: number; messages_unacknowledged?: number; consumers?: number };
  return { ready: q.messages_ready ?? 0, unacked: q.messages_unacknowledged ?? 0, consumers: q.consumers ?? 0 };
}

describe('the example queue with concurrent ETL runs (RabbitMQ)', () => {
  let admin: ChannelModel;
  let queue: DemoQueue;
  let name: string;

  beforeAll(async () => {
    admin = await connect(AMQP);
  });
  beforeEach(async () => {
    name = uniqueName('pw-demo-queue');
    const opened = await openDemoQueue(AMQP, name);
    expect(opened.reason).toBeUndefined();
    queue = opened.queue;
    expect(queue.backend).toBe('rabbitmq');
  });
  afterEach(async () => {
    await queue.close();
    const ch = await admin.createChannel();
    await ch.deleteQueue(name).catch(() => undefined);
    await ch.close();
  });
  afterAll(async () => {
    await admin.close();
  });

  const consumers = async () => {
    const ch = await admin.createChannel();
    try {
      return (await ch.checkQueue(name)).consumerCount;
    } finally {
      await ch.close();
    }
  };

  it('attaches once however many runs attach at once, and detach leaves no consumer holding messages', async () => {
    await queue.publish(Array.from({ length: 300 }, (_, i) => `r${i}`));
    await Promise.all([queue.attach(), queue.attach(), queue.attach()]);
    expect(queue.attached).toBe(true);
    expect(await consumers()).toBe(1);
    // A run that detaches while another still attaches: nothing stays consuming.
    const attaching = queue.attach();
    await queue.detach();
    await attaching;
    if (queue.attached) await queue.detach();
    expect(await consumers()).toBe(0);
    // Every message is back to ready: nothing is held by an orphaned channel.
    await waitFor(
      async () => {
        const v = await brokerView(name);
        return v.unacked === 0 && v.ready === 300;
      },
      'all 300 ready, none unacknowledged',
      20_000,
    );
  });

  it('two runs taking at once acknowledge everything on the channel that delivered it', async () => {
    const ids = Array.from({ length: 400 }, (_, i) => `r${String(i).padStart(3, '0')}`);
    await queue.publish(ids);
    await Promise.all([queue.attach(), queue.attach()]);
    const seen: string[] = [];
    await waitFor(
      async () => {
        const [a, b] = [queue.take(150), queue.take(150)];
        for (const d of [...a, ...b]) {
          seen.push(d.id);
          d.ack();
        }
        return seen.length >= ids.length;
      },
      'all 400 taken',
      20_000,
    );
    expect([...seen].sort()).toEqual(ids);
    expect(queue.attached).toBe(true); // no acknowledgement on a wrong channel closed it
    await waitFor(
      async () => {
        const v = await brokerView(name);
        return v.ready === 0 && v.unacked === 0 && v.consumers === 1;
      },
      'queue drained with one consumer',
      20_000,
    );
  });
});
