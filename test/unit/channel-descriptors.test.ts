// The channel registries (channels/schemas.ts, channels/descriptors.ts, channels/registry.ts) against
// each other: every channel type of pipewatch.yaml has a descriptor and a sender, and what the
// descriptors say is what the channels do.
import { channel } from '../../channels/schemas.js';
import { CHANNEL_DESCRIPTORS, resendEveryMs } from '../../channels/descriptors.js';
import { CHANNEL_FACTORIES } from '../../channels/registry.js';

const schemaTypes = channel.options.map((o) => o.shape.type.value).sort();

describe('channel registries', () => {
  it('describe and build every channel type the schema accepts, and no other', () => {
    expect(schemaTypes).toEqual(['alertmanager', 'console', 'email', 'slack', 'webhook']);
    expect(Object.keys(CHANNEL_DESCRIPTORS).sort()).toEqual(schemaTypes);
    expect(Object.keys(CHANNEL_FACTORIES).sort()).toEqual(schemaTypes);
    for (const [type, d] of Object.entries(CHANNEL_DESCRIPTORS)) expect(d.type).toBe(type);
    for (const [type, f] of Object.entries(CHANNEL_FACTORIES)) expect(f.type).toBe(type);
  });

  it('say which channel carries reports: the one whose sender can send one', async () => {
    const carriers = Object.values(CHANNEL_DESCRIPTORS)
      .filter((d) => d.carriesReports)
      .map((d) => d.type);
    expect(carriers).toEqual(['email']);
    const specs = [
      { type: 'email', smtp: { host: '127.0.0.1', port: 2525 }, from: 'pw@example.test', to: ['oncall@example.test'] },
      { type: 'slack', webhookUrl: '${SLACK_WEBHOOK_URL}' },
      { type: 'webhook', url: 'http://127.0.0.1:1/hook' },
      { type: 'console' },
      { type: 'alertmanager', url: 'http://127.0.0.1:9093' },
    ].map((raw) => channel.parse(raw));
    for (const spec of specs) {
      // Building a sender connects to nothing; only sending does.
      const sender = (
        CHANNEL_FACTORIES[spec.type] as {
          create(id: string, spec: unknown): { sendReport?: unknown; close(): Promise<void> };
        }
      ).create('c', spec);
      expect([spec.type, typeof sender.sendReport === 'function']).toEqual([
        spec.type,
        CHANNEL_DESCRIPTORS[spec.type].carriesReports,
      ]);
      await sender.close();
    }
  });

  it('re-send firing alerts only to Alertmanager, as often as its resendEvery', () => {
    const am = channel.parse({ type: 'alertmanager', url: 'http://127.0.0.1:9093', resendEvery: '2m' });
    expect(resendEveryMs(am)).toBe(120_000);
    expect(resendEveryMs(channel.parse({ type: 'console' }))).toBe(Infinity);
    expect(resendEveryMs(channel.parse({ type: 'webhook', url: 'http://127.0.0.1:1/hook' }))).toBe(Infinity);
  });
});
