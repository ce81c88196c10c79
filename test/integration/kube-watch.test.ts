// The event watch across an API server restart and a 410 Gone, on its own
// control plane: watches served by etcd itself (--watch-cache=false), and etcd
// compacted by the test when it chooses, so the resourceVersion the watch
// held while it was away is gone, as on a busy cluster after a long outage.
import * as k8s from '@kubernetes/client-node';
import { eventSource, watchEvents } from '../../connectors/kubernetes/events.js';
import type { ListWatch, ListWatchSource } from '../../connectors/kubernetes/watch.js';
import type { ControlPlane } from '../../devserver/kubernetes.js';
import type { EventRecord } from '../../evaluation/kubernetes/events.js';
import { adminConfig, Cluster, startTestControlPlane } from '../support/kubernetes.js';
import { waitFor } from '../support/wait.js';

describe('event watch: list, watch, resume and relist', () => {
  let cp: ControlPlane;
  let cluster: Cluster;
  let watch: ListWatch<EventRecord>;
  const ns = 'pw-watch';
  const seen: Array<{ change: string; uid: string; version: string; reason: string }> = [];
  // Lets the test hold the watch away from the server, as a long network outage would.
  let gate: Promise<void> = Promise.resolve();
  let openGate: () => void = () => undefined;
  let watchCalls = 0;

  beforeAll(async () => {
    cp = await startTestControlPlane({ compactionInterval: '0', apiServerArgs: ['--watch-cache=false'] });
    cluster = new Cluster(adminConfig(cp));
    await cluster.namespace(ns);
    const real = eventSource(adminConfig(cp), { namespace: ns, fieldSelector: 'type=Warning' });
    const gated: ListWatchSource = {
      list: (cont, limit) => real.list(cont, limit),
      watch: async (version, onEvent, done) => {
        watchCalls++;
        await gate;
        return real.watch(version, onEvent, done);
      },
    };
    watch = watchEvents(gated, {
      namespace: ns,
      max: 1_000,
      onChange: (change, e) => seen.push({ change, uid: e.uid, version: e.resourceVersion, reason: e.reason }),
    });
    await watch.ready;
  });

  afterAll(async () => {
    watch?.stop();
    await cp?.stop();
  });

  const warn = (reason: string, count = 1) =>
    cluster.event(ns, { kind: 'Pod', name: 'loader-1' }, { reason, message: `${reason} happened`, count });
  const changesOf = (reason: string) => seen.filter((s) => s.reason === reason);

  it('sees every event once, across an API server crash and restart, and each change of an event once', async () => {
    const before = await Promise.all(['A1', 'A2', 'A3'].map((r) => warn(r)));
    await waitFor(() => seen.length >= 3 || undefined, 'the first three events');

    await cp.restartApiServer({ kill: true });
    const after = await Promise.all(['B1', 'B2', 'B3'].map((r) => warn(r)));
    // The kubelet bumps an event's count when it recurs: one MODIFIED, not a new event.
    await cluster.core.patchNamespacedEvent(
      { namespace: ns, name: before[0]!.metadata!.name!, body: { count: 2 } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    // A Normal event is outside the watch's field selector.
    await cluster.event(ns, { kind: 'Pod', name: 'loader-1' }, { reason: 'Pulled', message: 'pulled', type: 'Normal' });
    await waitFor(() => seen.length >= 7 || undefined, 'the events written after the restart', 30_000);

    expect(seen.map((s) => `${s.change} ${s.reason}`).sort()).toEqual(
      ['ADDED A1', 'ADDED A2', 'ADDED A3', 'ADDED B1', 'ADDED B2', 'ADDED B3', 'MODIFIED A1'].sort(),
    );
    expect(new Set(seen.map((s) => `${s.uid}@${s.version}`)).size).toBe(seen.length);
    expect(
      watch
        .items()
        .map((e) => e.reason)
        .sort(),
    ).toEqual(['A1', 'A2', 'A3', 'B1', 'B2', 'B3']);
    expect(watch.items().find((e) => e.reason === 'A1')!.count).toBe(2);
    expect(watch.relists).toBe(1);
    expect(after).toHaveLength(3);
  });

  it('lists afresh after 410 Gone and reports only what changed while it was away', async () => {
    const lastVersion = seen[seen.length - 1]!.version;
    const already = seen.length;
    gate = new Promise((resolve) => (openGate = resolve));
    const calls = watchCalls;
    // The stream drops; the watch's next attempt waits at the gate, holding its old resourceVersion.
    await cp.restartApiServer({ kill: true });
    await waitFor(() => watchCalls > calls || undefined, 'the watch to try to resume');

    await Promise.all(['C1', 'C2'].map((r) => warn(r)));
    const gone = watch.items().find((e) => e.reason === 'A2')!;
    await cluster.core.deleteNamespacedEvent({ namespace: ns, name: gone.name });
    // Compact etcd up to now, as kube-apiserver does every few minutes: the version the watch holds is gone.
    const etcd = (path: string, body: object) =>
      fetch(`${cp.etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ header: { revision: string } }>,
      );
    const { header } = await etcd('/v3/kv/range', {
      key: Buffer.from('/').toString('base64'),
      range_end: Buffer.from('0').toString('base64'),
      limit: 1,
      keys_only: true,
    });
    await etcd('/v3/kv/compaction', { revision: header.revision, physical: true });
    await expect(
      cluster.core.listNamespacedEvent({ namespace: ns, resourceVersion: lastVersion, resourceVersionMatch: 'Exact' }),
    ).rejects.toMatchObject({ code: 410 });

    openGate();
    await waitFor(() => watch.relists === 2 || undefined, 'a relist after 410 Gone', 30_000);
    await waitFor(() => seen.length >= already + 3 || undefined, 'the changes made while away', 30_000);
    const since = seen
      .slice(already)
      .map((s) => `${s.change} ${s.reason}`)
      .sort();
    expect(since).toEqual(['ADDED C1', 'ADDED C2', 'DELETED A2']);
    expect(new Set(seen.map((s) => `${s.change} ${s.uid}@${s.version}`)).size).toBe(seen.length);

    // And it streams again from the relisted version.
    await warn('D1');
    await waitFor(() => changesOf('D1').length === 1 || undefined, 'an event after the relist');
    expect(watch.connected).toBe(true);
    expect(
      watch
        .items()
        .map((e) => e.reason)
        .sort(),
    ).toEqual(['A1', 'A3', 'B1', 'B2', 'B3', 'C1', 'C2', 'D1']);
  });
});
