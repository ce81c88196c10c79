// kwok's nodes on the test control plane: registered through the API server as the admin, as a kubelet
// registering itself would, and waited for until kwok has made each Ready.
import { request as httpsRequest } from 'node:https';

/** The annotation that puts a node under kwok (its value "fake"), as kwok's own docs write it. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** The parts of a Node answer read here (the body is the answer's text when it is not JSON). */
interface NodeAnswer {
  status?: { conditions?: Array<{ type: string; status?: string }> };
  spec?: { taints?: Array<{ key: string }> };
}

/** A JSON request to the API server as the admin (no client library here: devserver also runs from the CLI). */
function apiRequest(
  server: string,
  token: string,
  ca: Buffer,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: NodeAnswer | string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${server}${path}`,
      { method, ca, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as NodeAnswer | string });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

/** Registers kwok's nodes and waits until kwok has made each Ready (as a kubelet registering itself would). */
export async function createNodes(
  server: string,
  token: string,
  ca: Buffer,
  nodes: string[],
  capacity = { cpu: '8', memory: '32Gi', pods: '110' },
): Promise<void> {
  for (const name of nodes) {
    const res = await apiRequest(server, token, ca, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok' },
      },
      status: { capacity, allocatable: capacity },
    });
    if (res.status !== 201 && res.status !== 409)
      throw new Error(`creating node ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const deadline = Date.now() + 30_000;
  for (const name of nodes) {
    for (;;) {
      const res = await apiRequest(server, token, ca, 'GET', `/api/v1/nodes/${name}`);
      const node = typeof res.body === 'object' && res.body !== null ? res.body : {};
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status === 'True') {
        // The API server's TaintNodesByCondition admission taints a new node not-ready; the node lifecycle controller
        // lifts it once the node is Ready. Lifted here as well, so pods schedule without that controller running.
        const taints = node.spec?.taints ?? [];
        const kept = taints.filter((t) => t.key !== 'node.kubernetes.io/not-ready');
        if (kept.length !== taints.length) {
          const patched = await apiRequest(
            server,
            token,
            ca,
            'PATCH',
            `/api/v1/nodes/${name}`,
            { spec: { taints: kept } },
            'application/merge-patch+json',
          );
          if (patched.status !== 200)
            throw new Error(
              `lifting the not-ready taint of node ${name}: ${patched.status} ${JSON.stringify(patched.body)}`,
            );
        }
        break;
      }
      if (Date.now() > deadline)
        throw new Error(`kwok did not make node ${name} Ready within 30 s (its log: kwok.log)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
