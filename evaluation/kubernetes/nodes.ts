// Nodes as the Kubernetes checks judge them: a node is Ready when its Ready
// condition is True — what the kubelet reports and the node lifecycle
// controller turns Unknown when the kubelet stops reporting. podHealth counts
// a pod on a node that is not Ready as a node-layer problem for as long as it
// is not (so it resolves when the node is Ready again); kubeEvents leaves out
// NodeNotReady events about a node that has reported Ready since. Pure; the
// connector reads the nodes (connectors/kubernetes/nodes.ts).
import { iso, ms, type ObjectMeta } from './shared.js';

export interface NodeShape {
  metadata?: ObjectMeta;
  status?: {
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastHeartbeatTime?: Date | string;
      lastTransitionTime?: Date | string;
    }>;
  };
}

export interface NodeReadiness {
  node: string;
  ready: boolean;
  /** The Ready condition's status (True, False, Unknown), or "missing" when the node has none, "gone" when it does not exist. */
  status: string;
  /** Since when the condition has had this status, as the node says. */
  since?: number;
  /** The newest time the node's Ready condition was written (transition or heartbeat). */
  reportedAt?: number;
  evidence: string;
}

/** The Ready condition of a node read by name (null: the API server says it does not exist). */
export function nodeReadiness(name: string, node: NodeShape | null): NodeReadiness {
  if (node === null)
    return { node: name, ready: false, status: 'gone', evidence: `node ${name} does not exist (deleted)` };
  const c = node.status?.conditions?.find((x) => x.type === 'Ready');
  if (!c) return { node: name, ready: false, status: 'missing', evidence: `node ${name} reports no Ready condition` };
  const since = ms(c.lastTransitionTime);
  const heartbeat = ms(c.lastHeartbeatTime);
  const reportedAt = since === undefined ? heartbeat : heartbeat === undefined ? since : Math.max(since, heartbeat);
  const why = [c.reason, c.message].filter(Boolean).join(': ');
  return {
    node: name,
    ready: c.status === 'True',
    status: c.status,
    since,
    reportedAt,
    evidence: `node ${name} Ready=${c.status}${since !== undefined ? ` since ${iso(since)}` : ''}${why ? ` (${why})` : ''}`,
  };
}

/**
 * A NodeNotReady event is over when its node has reported Ready after the event was last seen. The time
 * compared is the newest of the Ready condition's transition and heartbeat: kwok, like some kubelets, keeps
 * the transition time at the node's creation, and writes a fresh heartbeat when it reports Ready again.
 */
export function notReadyEventOver(event: { reason: string; lastSeen: number }, node: NodeReadiness): boolean {
  return (
    event.reason === 'NodeNotReady' && node.ready && node.reportedAt !== undefined && node.reportedAt > event.lastSeen
  );
}
