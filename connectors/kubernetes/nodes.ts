// Reads the nodes the podHealth and kubeEvents checks need (get by name, the right docs/kubernetes/rbac.yaml
// grants; a namespaced RoleBinding cannot grant it, so a refusal is said in the details, not a failure of the
// check), and judges their Ready condition (evaluation/kubernetes/nodes.ts).
import * as k8s from '@kubernetes/client-node';
import { nodeReadiness, type NodeReadiness, type NodeShape } from '../../evaluation/kubernetes/nodes.js';
import type { KubeClient } from './client.js';

/** Nodes read per run at most (the pods of a namespace rarely span more). */
const MAX_NODES = 50;

export interface NodesRead {
  readiness: Map<string, NodeReadiness>;
  /** Why some nodes could not be read (forbidden, no answer), for the check's details; undefined when all were. */
  unread?: string;
}

export async function readNodes(client: KubeClient, names: Iterable<string>): Promise<NodesRead> {
  const wanted = [...new Set(names)];
  const readiness = new Map<string, NodeReadiness>();
  const core = client.api(k8s.CoreV1Api);
  let unread: string | undefined;
  const queue = wanted.slice(0, MAX_NODES);
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      try {
        const node = await client.call(`reading node ${name}`, () => core.readNode({ name }));
        readiness.set(name, nodeReadiness(name, node as NodeShape));
      } catch (err) {
        const message = (err as Error).message;
        if (/not found \(404\)/.test(message)) readiness.set(name, nodeReadiness(name, null));
        else unread ??= message.replace(/^kubernetes connector "[^"]*": /, '');
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  if (wanted.length > MAX_NODES) unread ??= `only the first ${MAX_NODES} of ${wanted.length} nodes were read`;
  return { readiness, unread };
}
