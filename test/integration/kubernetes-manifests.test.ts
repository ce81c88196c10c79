// The deployment manifests in docs/kubernetes (kustomization.yaml's resources) applied to a real
// kube-apiserver with a server-side dry run: the API server validates every object against its
// schema and admission (fields, probes, the PodDisruptionBudget, RBAC) without keeping it. Also:
// what the Deployment mounts and reads exists in the same files, and docs/PRODUCTION.md states the
// numbers the manifests hold.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../config/load.js';
import type { ControlPlane } from '../../devserver/kubernetes.js';
import { adminConfig, startTestControlPlane } from '../support/kubernetes.js';

const dir = join(process.cwd(), 'docs', 'kubernetes');

function resources(): Array<{ file: string; object: k8s.KubernetesObject }> {
  const kustomization = k8s.loadYaml<{ resources: string[] }>(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
  return kustomization.resources.flatMap((file) =>
    (k8s.loadAllYaml(readFileSync(join(dir, file), 'utf8')) as k8s.KubernetesObject[])
      .filter(Boolean)
      .map((object) => ({ file, object })),
  );
}

type Deployment = k8s.V1Deployment;

describe('docs/kubernetes manifests', () => {
  let cp: ControlPlane;
  let objects: k8s.KubernetesObjectApi;
  const all = resources();
  const deployment = all.find((r) => r.object.kind === 'Deployment')!.object as Deployment;

  beforeAll(async () => {
    cp = await startTestControlPlane();
    objects = k8s.KubernetesObjectApi.makeApiClient(adminConfig(cp));
    // A dry-run namespace is not kept, so the namespaced objects need the real one.
    for (const { object } of all.filter((r) => r.object.kind === 'Namespace')) await objects.create(object);
  }, 120_000);

  afterAll(async () => {
    await cp?.stop();
  });

  it('lists every file of the directory that holds objects', () => {
    expect(new Set(all.map((r) => r.file))).toEqual(
      new Set(['namespace.yaml', 'rbac.yaml', 'config.yaml', 'secrets.yaml', 'worker.yaml', 'sync-job.yaml']),
    );
    expect(all.map((r) => r.object.kind).sort()).toEqual(
      [
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'Deployment',
        'Job',
        'Namespace',
        'PodDisruptionBudget',
        'Secret',
        'Secret',
        'Secret',
        'ServiceAccount',
      ].sort(),
    );
  });

  it('applies cleanly with a server-side dry run', async () => {
    for (const { file, object } of all) {
      const applied = await objects
        .patch(object, undefined, 'All', 'pipewatch-manifests-test', true, k8s.PatchStrategy.ServerSideApply)
        .catch((err: Error & { body?: unknown }) => {
          throw new Error(
            `${file} ${object.kind}/${object.metadata?.name}: ${err.message} ${JSON.stringify(err.body ?? '')}`,
          );
        });
      expect({ file, kind: applied.kind, name: applied.metadata?.name }).toEqual({
        file,
        kind: object.kind,
        name: object.metadata?.name,
      });
    }
    // Nothing but the namespace was kept.
    const core = adminConfig(cp).makeApiClient(k8s.CoreV1Api);
    expect(
      (await core.listNamespacedSecret({ namespace: 'pipewatch' })).items.map((s) => s.metadata?.name),
    ).not.toContain('pipewatch-env');
  });

  it('is refused by the same dry run when a field is wrong (the check can fail)', async () => {
    const broken = JSON.parse(JSON.stringify(deployment)) as Deployment;
    (broken.spec!.template.spec!.containers[0]!.readinessProbe!.httpGet as unknown as { port: unknown }).port =
      'no-such-port-name-longer-than-fifteen';
    await expect(
      objects.patch(broken, undefined, 'All', 'pipewatch-manifests-test', true, k8s.PatchStrategy.ServerSideApply),
    ).rejects.toThrow(/port|Invalid/i);
  });

  it('mounts and reads only Secrets, ConfigMaps and a ServiceAccount these files define', () => {
    const defined = (kind: string) =>
      new Set(all.filter((r) => r.object.kind === kind).map((r) => r.object.metadata!.name));
    for (const pod of [
      deployment.spec!.template.spec!,
      (all.find((r) => r.object.kind === 'Job')!.object as k8s.V1Job).spec!.template.spec!,
    ]) {
      for (const v of pod.volumes ?? []) {
        if (v.secret) expect(defined('Secret')).toContain(v.secret.secretName);
        if (v.configMap) expect(defined('ConfigMap')).toContain(v.configMap.name);
      }
      for (const c of pod.containers)
        for (const e of c.envFrom ?? []) expect(defined('Secret')).toContain(e.secretRef!.name);
    }
    expect(defined('ServiceAccount')).toContain(deployment.spec!.template.spec!.serviceAccountName);
    const env = Object.fromEntries(deployment.spec!.template.spec!.containers[0]!.env!.map((e) => [e.name, e.value]));
    // The codec key and the client certificate are read from where they are mounted.
    const mounts = deployment.spec!.template.spec!.containers[0]!.volumeMounts!.map((m) => m.mountPath);
    for (const name of [
      'PIPEWATCH_CODEC_KEY_FILE',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    ]) {
      expect(mounts.some((m) => env[name]!.startsWith(`${m}/`))).toBe(true);
    }
  });

  it('ships a ConfigMap whose pipewatch.yaml loads, with its secrets as ${ENV} references the Secret provides', () => {
    const configMap = all.find((r) => r.object.kind === 'ConfigMap')!.object as k8s.V1ConfigMap;
    const file = join(mkdtempSync(join(tmpdir(), 'pw-manifest-')), 'pipewatch.yaml');
    writeFileSync(file, configMap.data!['pipewatch.yaml']!);
    const loaded = loadConfigFile(file, { env: false });
    expect(loaded.monitors.map((m) => m.id)).toEqual(['orders-fresh']);
    const referenced = [...configMap.data!['pipewatch.yaml']!.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]);
    const env = all.find((r) => r.object.kind === 'Secret' && r.object.metadata!.name === 'pipewatch-env')!
      .object as k8s.V1Secret;
    expect(referenced.length).toBeGreaterThan(0);
    for (const name of referenced) expect(Object.keys(env.stringData ?? {})).toContain(name);
  });

  it('says in docs/PRODUCTION.md what the manifests hold', () => {
    const doc = readFileSync(join(process.cwd(), 'docs', 'PRODUCTION.md'), 'utf8');
    const pdb = all.find((r) => r.object.kind === 'PodDisruptionBudget')!.object as k8s.V1PodDisruptionBudget;
    const spec = deployment.spec!;
    expect(doc).toContain(`replicas: ${spec.replicas}`);
    expect(doc).toContain(`terminationGracePeriodSeconds: ${spec.template.spec!.terminationGracePeriodSeconds}`);
    expect(doc).toContain(`maxUnavailable: ${spec.strategy!.rollingUpdate!.maxUnavailable}`);
    expect(doc).toContain(`minAvailable: ${pdb.spec!.minAvailable}`);
    for (const file of new Set(all.map((r) => r.file))) expect(doc).toContain(file);
  });
});
