// A multi-service Temporal cluster per test file (devserver/temporal-cluster.ts):
// frontend, history, matching and worker as separate processes on PostgreSQL
// databases of this run's own (unique prefix), four history shards, SQL
// visibility, mutual TLS on the frontend with certificates made here, the
// namespace registered through the frontend as an operator would, and — unless
// the test wants to do it with `pipewatch setup` — pipewatch's search attributes.
import { Connection } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { prepareNamespace, startTemporalCluster, type TemporalCluster } from '../../devserver/temporal-cluster.js';
import { testEnv, uniqueName } from './env.js';
import { makeCertificates, type IssuedCertificate, type TestCertificates } from './tls.js';
import { waitFor } from './wait.js';

export interface TestCluster {
  cluster: TemporalCluster;
  certificates: TestCertificates;
  /** The client certificate pipewatch workers and the CLI present. */
  client: IssuedCertificate;
  /** TEMPORAL_* variables for pipewatch and the temporal CLI. */
  env: NodeJS.ProcessEnv;
  connect(): Promise<Connection>;
  /** Waits until the frontend answers a namespace call again (after a restart). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  /** Register pipewatch's search attributes here (default true); false leaves it to `pipewatch setup`. */
  searchAttributes?: boolean;
  historyShards?: number;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const root = mkdtempSync(join(testEnv().root, 'cluster-'));
  const certificates = makeCertificates(root, 'pipewatch cluster test CA');
  const server = certificates.server(30);
  const systemWorker = certificates.client('temporal-system-worker');
  const client = certificates.client('pipewatch-worker');
  const cluster = await startTemporalCluster({
    dir: join(root, 'temporal'),
    databaseUrl: testEnv().databaseUrl,
    databasePrefix: uniqueName('pwc').toLowerCase(),
    historyShards: options.historyShards ?? 4,
    tls: {
      caFile: certificates.caFile,
      serverCertFile: server.certFile,
      serverKeyFile: server.keyFile,
      systemWorkerCertFile: systemWorker.certFile,
      systemWorkerKeyFile: systemWorker.keyFile,
    },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const connect = () =>
    Connection.connect({
      address: cluster.address,
      tls: {
        serverRootCACertificate: certificates.ca,
        clientCertPair: { crt: client.cert, key: client.key },
        serverNameOverride: 'localhost',
      },
    });
  const ready = async (timeoutMs = 60_000) => {
    await waitFor(
      async () => {
        const connection = await connect();
        try {
          await connection.workflowService.describeNamespace({ namespace: cluster.namespace });
          return true;
        } finally {
          await connection.close();
        }
      },
      `the cluster's frontend to answer for namespace ${cluster.namespace}`,
      timeoutMs,
      500,
    );
  };
  try {
    // Registered through the frontend once membership settled; the search attributes usable before it returns.
    await prepareNamespace(
      cluster,
      { certFile: client.certFile, keyFile: client.keyFile },
      { searchAttributes: options.searchAttributes !== false },
    );
    await ready();
  } catch (err) {
    await cluster.stop({ dropDatabases: true });
    throw err;
  }
  return {
    cluster,
    certificates,
    client,
    env: cluster.clientEnv({ certFile: client.certFile, keyFile: client.keyFile }),
    connect,
    ready,
    stop: () => cluster.stop({ dropDatabases: true }),
  };
}
