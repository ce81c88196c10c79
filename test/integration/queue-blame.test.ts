// Queue blame on the real RabbitMQ (127.0.0.1:5672, management on 15672): what
// consumers hold unacknowledged is the consuming side's, a consumer that takes
// nothing from one run to the next is a failing verdict of its own, and without
// the management API the verdict says what it cannot see. The connector runs
// as a monitor run does (with the history store keeping what it saw), and its
// measurement is judged by the same rule evaluation.
import { connect, type Channel, type ChannelModel } from 'amqplib';
import type { Rule } from '../../config/model.js';
import { rabbitmqConnector } from '../../connectors/rabbitmq/index.js';
import { evaluate } from '../../evaluation/rules.js';
import type { Measurement } from '../../evaluation/types.js';
import { HistoryStore } from '../../store/history.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';

const AMQP = 'amqp://guest:guest@127.0.0.1:5672';
const MANAGEMENT = { url: 'http://127.0.0.1:15672', username: 'guest', password: 'guest' };
/** The management API's statistics refresh every 5 s by default (collect_statistics_interval). */
const STATS_SETTLE_MS = 6_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rules: Rule[] = [{ kind: 'above', threshold: 10_000, severity: 'warning' }];

describe('RabbitMQ queue blame', () => {
  let rabbit: ChannelModel;
  let schema: TestSchema;
  let store: HistoryStore;
  const queues: string[] = [];
  const withManagement = rabbitmqConnector.create('broker', { type: 'rabbitmq', url: AMQP, management: MANAGEMENT });
  const withoutManagement = rabbitmqConnector.create('bare', { type: 'rabbitmq', url: AMQP });

  beforeAll(async () => {
    rabbit = await connect(AMQP);
    schema = await createTestSchema('queueblame');
    store = await HistoryStore.open({ url: testEnv().databaseUrl, schema: `${schema.name}_store` });
  });
  afterAll(async () => {
    const ch = await rabbit.createChannel();
    for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
    await rabbit.close();
    await withManagement.close?.();
    await withoutManagement.close?.();
    await store.close();
    await schema.pool.query(`DROP SCHEMA IF EXISTS "${schema.name}_store" CASCADE`);
    await schema.drop();
  });

  async function queueWith(messages: number): Promise<string> {
    const name = uniqueName('pw-blame');
    queues.push(name);
    const ch = await rabbit.createConfirmChannel();
    await ch.assertQueue(name, { durable: false });
    for (let i = 0; i < messages; i++) ch.sendToQueue(name, Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    await ch.close();
    return name;
  }

  /** A consumer that receives and never acknowledges (prefetch limits what it holds). */
  async function hoarder(queue: string, prefetch: number): Promise<Channel> {
    const ch = await rabbit.createChannel();
    await ch.prefetch(prefetch);
    await ch.consume(queue, () => undefined, { noAck: false });
    return ch;
  }

  const collect = (
    connector: typeof withManagement,
    queue: string,
    monitorId: string,
    at: Date,
  ): Promise<Measurement> =>
    connector.collect({ check: { type: 'queue', queue, vhost: '/', requireConsumers: true }, at, monitorId, store });

  it('a consumer holding all 500 messages unacknowledged is the consumer side, and fails from the next run on', async () => {
    const queue = await queueWith(500);
    const ch = await hoarder(queue, 500);
    try {
      await sleep(STATS_SETTLE_MS);
      const monitorId = uniqueName('hoard');
      const first = await collect(withManagement, queue, monitorId, new Date('2026-12-01T10:00:00Z'));
      expect(first.value).toBe(0); // nothing ready: every message is held by the consumer
      expect(first.details).toMatchObject({ consumers: 1, unacknowledged: 500, ackPerSecond: 0 });
      // (The deliver rate may still show the deliveries of the last statistics interval.)
      expect(String(first.details!.likelyFault)).toMatch(
        /^consumer \(consumers (hold |take messages but acknowledge none \()500 /,
      );
      expect(String(first.details!.likelyFault)).not.toContain('producer');
      // First sight: nothing to compare with yet.
      expect(first.failed).toBeUndefined();

      const second = await collect(withManagement, queue, monitorId, new Date('2026-12-01T10:10:00Z'));
      expect(second.failed).toEqual([
        {
          condition: 'consumers',
          reason: `1 consumer is attached to ${queue} but took nothing since 2026-12-01T10:00:00.000Z, holding 500 unacknowledged; 0 ready: the consuming side is likely at fault`,
        },
      ]);
      const verdict = evaluate(rules, second, {}, 'messages waiting');
      expect(verdict.status).toBe('critical');
      expect(verdict.reason).toContain('took nothing since 2026-12-01T10:00:00.000Z');
    } finally {
      await ch.close();
    }
  });

  it('a consumer attached that takes nothing (490 ready) is a failing verdict, not "within all rules"', async () => {
    const queue = await queueWith(500);
    const ch = await hoarder(queue, 10);
    try {
      await sleep(STATS_SETTLE_MS);
      const monitorId = uniqueName('stuck');
      await collect(withManagement, queue, monitorId, new Date('2026-12-01T10:00:00Z'));
      const m = await collect(withManagement, queue, monitorId, new Date('2026-12-01T10:10:00Z'));
      expect(m.value).toBe(490);
      expect(m.details).toMatchObject({
        consumers: 1,
        unacknowledged: 10,
        consumersIdleSince: '2026-12-01T10:00:00.000Z',
      });
      expect(String(m.details!.likelyFault)).toMatch(/^consumer \(consumers are attached but take nothing/);
      const verdict = evaluate(rules, m, {}, 'messages waiting');
      expect(verdict.status).toBe('critical');
      expect(verdict.reason).not.toContain('within all rules');
    } finally {
      await ch.close();
    }
  });

  it('a consumer that keeps acknowledging is never blamed, across runs', async () => {
    const queue = await queueWith(0);
    const consumer = await rabbit.createChannel();
    await consumer.prefetch(50);
    await consumer.consume(queue, (msg) => msg && consumer.ack(msg), { noAck: false });
    const producer = await rabbit.createConfirmChannel();
    const monitorId = uniqueName('healthy');
    try {
      for (let run = 0; run < 3; run++) {
        for (let i = 0; i < 200; i++) producer.sendToQueue(queue, Buffer.from(`r${run}-${i}`));
        await producer.waitForConfirms();
        await sleep(STATS_SETTLE_MS);
        const m = await collect(
          withManagement,
          queue,
          monitorId,
          new Date(Date.parse('2026-12-01T10:00:00Z') + run * 600_000),
        );
        expect(m.failed).toBeUndefined();
        expect(m.details!.consumersIdleSince).toBeUndefined();
        expect(evaluate(rules, m).status).toBe('ok');
      }
    } finally {
      await producer.close();
      await consumer.close();
    }
  });

  it('an empty queue with nothing published and nothing held points at the producer', async () => {
    const queue = await queueWith(0);
    const ch = await hoarder(queue, 10);
    try {
      await sleep(STATS_SETTLE_MS);
      const m = await collect(withManagement, queue, uniqueName('quiet'), new Date('2026-12-01T10:00:00Z'));
      expect(m.details).toMatchObject({
        unacknowledged: 0,
        likelyFault: 'producer (nothing is being published and the queue is empty)',
      });
    } finally {
      await ch.close();
    }
  });

  it('without the management API the verdict says what it cannot see', async () => {
    const queue = await queueWith(500);
    const ch = await hoarder(queue, 500);
    try {
      const m = await collect(withoutManagement, queue, uniqueName('bare'), new Date('2026-12-01T10:00:00Z'));
      expect(m.value).toBe(0);
      expect(m.details).toMatchObject({ consumers: 1, likelyFault: 'unknown (no management API)' });
      expect(m.details).not.toHaveProperty('unacknowledged');
      const verdict = evaluate(rules, m, {}, 'messages waiting');
      expect(verdict.status).toBe('ok');
      expect(verdict.reason).toBe(
        'messages waiting 0 is within all rules; without the management API, messages consumers hold unacknowledged, publish and ack rates are not visible: a stuck consumer cannot be told apart from a healthy one',
      );
    } finally {
      await ch.close();
    }
  });
});
