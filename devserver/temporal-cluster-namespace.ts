// Makes a fresh cluster usable the way an operator would: its namespace registered through the frontend and,
// when asked, pipewatch's search attributes added.
import { readFileSync } from 'node:fs';
import type { TemporalCluster } from './temporal-cluster.js';

/**
 * Registers the cluster's namespace through the frontend, as an operator would (retried while the services
 * settle membership), and optionally pipewatch's search attributes, waiting until the namespace accepts
 * them (the services cache namespace metadata for a few seconds).
 */
export async function prepareNamespace(
  cluster: TemporalCluster,
  client: { certFile: string; keyFile: string },
  options: { searchAttributes?: boolean } = {},
): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  const { msToTs } = await import('@temporalio/common/lib/time.js');
  const env = cluster.clientEnv(client);
  const connection = await Connection.connect({
    address: cluster.address,
    tls: env.TEMPORAL_TLS_SERVER_CA_CERT_PATH
      ? {
          serverRootCACertificate: readFileSync(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH),
          clientCertPair: { crt: readFileSync(client.certFile), key: readFileSync(client.keyFile) },
          serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
        }
      : undefined,
  });
  const retry = async (what: string, fn: () => Promise<unknown>) => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  try {
    await retry(`registering namespace ${cluster.namespace}`, () =>
      connection.workflowService
        .registerNamespace({ namespace: cluster.namespace, workflowExecutionRetentionPeriod: msToTs('1 day') })
        .catch((err: Error) => {
          if (!/already exists/i.test(err.message)) throw err;
        }),
    );
    await retry(`namespace ${cluster.namespace} answering`, () =>
      connection.workflowService.describeNamespace({ namespace: cluster.namespace }),
    );
    if (options.searchAttributes) {
      const { SEARCH_ATTRIBUTES } = await import('../workflows/search-attributes.js');
      await connection.operatorService.addSearchAttributes({
        namespace: cluster.namespace,
        searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, k.type === 'KEYWORD_LIST' ? 7 : 2])),
      });
      const probe = SEARCH_ATTRIBUTES.map((k) => `${k.name} = '_'`).join(' OR ');
      await retry('the search attributes becoming usable', () =>
        connection.workflowService.countWorkflowExecutions({ namespace: cluster.namespace, query: probe }),
      );
    }
  } finally {
    await connection.close();
  }
}
