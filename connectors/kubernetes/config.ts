// Where a Kubernetes connector's client configuration comes from: a kubeconfig
// file and context, or the service account of the pod it runs in. Every way
// the configuration can be unusable has its own message; the credentials it
// holds are returned so that messages can be scrubbed of them.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { ConnectorSpec } from '../../config/model.js';

export type KubeSpec = Extract<ConnectorSpec, { type: 'kubernetes' }>;

/** The kubeconfig file a connector reads when it names none: $KUBECONFIG's first entry, then ~/.kube/config. */
export function defaultKubeconfig(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p.trim() !== '');
  return fromEnv ?? join(homedir(), '.kube', 'config');
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** The client configuration of a connector and the secrets in it; `fail` makes the error for each way it is unusable. */
export function loadKubeConfig(
  spec: KubeSpec,
  fail: (message: string) => Error,
): { kc: k8s.KubeConfig; secrets: string[] } {
  const kc = new k8s.KubeConfig();
  if (spec.inCluster) {
    if (!process.env.KUBERNETES_SERVICE_HOST)
      throw fail(
        'inCluster is set but this process does not run in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)',
      );
    // Where the service account is mounted: /var/run/secrets/kubernetes.io/serviceaccount, under this root.
    const root = process.env.PIPEWATCH_K8S_SA_ROOT ?? '';
    const tokenFile = `${root}/var/run/secrets/kubernetes.io/serviceaccount/token`;
    let token: string;
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw fail(
        `cannot read the service account token ${tokenFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    // The client re-reads the token file for each request, so rotated tokens are picked up.
    kc.loadFromCluster(root);
    return { kc, secrets: [token] };
  }
  const file = resolve(expandHome(spec.kubeconfig ?? defaultKubeconfig()));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(
      `cannot read kubeconfig ${file} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? (err as Error).message)})`,
    );
  }
  try {
    kc.loadFromString(text, { onInvalidEntry: 'filter' as never });
  } catch (err) {
    throw fail(`kubeconfig ${file} is not a valid kubeconfig: ${(err as Error).message.split('\n')[0]}`);
  }
  if (spec.context) {
    if (!kc.getContextObject(spec.context)) {
      throw fail(
        `kubeconfig ${file} has no context "${spec.context}"; it has: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || '(none)'
        }`,
      );
    }
    kc.setCurrentContext(spec.context);
  }
  if (!kc.getCurrentCluster())
    throw fail(`kubeconfig ${file}: context "${kc.getCurrentContext() || '(none)'}" names no cluster`);
  const user = kc.getCurrentUser() as (k8s.User & { authProvider?: { config?: Record<string, string> } }) | null;
  const secrets = [
    user?.token,
    user?.password,
    user?.keyData,
    user?.authProvider?.config?.['access-token'],
    user?.authProvider?.config?.['id-token'],
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return { kc, secrets };
}
