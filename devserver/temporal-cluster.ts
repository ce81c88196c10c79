// A production-shaped Temporal cluster for tests, benchmarks and local trials: the
// server's frontend, history, matching and worker services as four separate
// processes (go.temporal.io/server, built once by scripts/build-temporal-server.sh
// into the cache), on PostgreSQL persistence and SQL visibility in databases of
// their own (made with the server's SQL schema tool), several history shards, and
// mutual TLS on the frontend. The dev server (dev-server.ts) is one process on
// SQLite with one shard; this is what users who outgrow one machine run.
// The server's build is temporal-server-binaries.ts; its databases, certificates and namespace are
// temporal-cluster-databases.ts, temporal-cluster-certificates.ts and temporal-cluster-namespace.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { portOpen, stopProcess } from './dev-server.js';
import { logTail } from './log-tail.js';
import { findTemporalServer, type ServerBinaries } from './temporal-server-binaries.js';
import { createSchema, dropDatabases, pgTarget, type PgTarget } from './temporal-cluster-databases.js';
import type { ClusterTls } from './temporal-cluster-certificates.js';

export {
  TEMPORAL_SERVER_VERSION,
  findTemporalServer,
  temporalServerDir,
  type ServerBinaries,
} from './temporal-server-binaries.js';
export { makeClusterCertificates, type ClusterTls } from './temporal-cluster-certificates.js';
export { prepareNamespace } from './temporal-cluster-namespace.js';

export const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A free port below 32768: the cluster_membership table keeps ports as SMALLINT (a service on an
 * ephemeral port above it dies with "value … is out of range for type smallint"), and below the
 * kernel's ephemeral range nothing else is handed the port between this check and the bind.
 */
async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await canListen(port))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32000 for the Temporal services');
}
const taken = new Set<number>();

export interface ClusterOptions {
  /** Where configs and logs go. */
  dir: string;
  /** A PostgreSQL superuser URL (the databases are created through it). */
  databaseUrl: string;
  /** Prefix of the two databases: <prefix>_temporal and <prefix>_visibility. Unique per run. */
  databasePrefix: string;
  /** numHistoryShards (fixed for the life of the databases). Default 4. */
  historyShards?: number;
  tls?: ClusterTls;
  namespace?: string;
  binaries?: ServerBinaries;
  /** Extra dynamic config (key → value). */
  dynamicConfig?: Record<string, unknown>;
  log?: (line: string) => void;
}

export interface ServiceProcess {
  name: ServiceName;
  grpcPort: number;
  membershipPort: number;
  logFile: string;
  process?: ChildProcess;
  pid(): number | undefined;
}

export interface TemporalCluster {
  /** The frontend's host:port. */
  address: string;
  namespace: string;
  databases: { main: string; visibility: string };
  services: Record<ServiceName, ServiceProcess>;
  /**
   * Environment for pipewatch and the `temporal` CLI (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*),
   * given a client certificate; without TLS only the address and namespace.
   */
  clientEnv(client?: { certFile: string; keyFile: string }): NodeJS.ProcessEnv;
  /** Stops one service (SIGTERM, or SIGKILL with kill) and starts it again on the same ports. */
  restart(service: ServiceName, options?: { kill?: boolean }): Promise<void>;
  stop(options?: { dropDatabases?: boolean }): Promise<void>;
}

/** One service's configuration: every service's ports (they find each other through the membership table), its own log. */
function serverConfig(
  options: ClusterOptions,
  pg: PgTarget,
  databases: { main: string; visibility: string },
  ports: Record<ServiceName, { grpc: number; membership: number; http?: number }>,
  dynamicConfigFile: string,
): unknown {
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const tls = options.tls
    ? {
        frontend: {
          server: {
            certFile: options.tls.serverCertFile,
            keyFile: options.tls.serverKeyFile,
            requireClientAuth: true,
            clientCaFiles: [options.tls.caFile],
          },
          client: { serverName: options.tls.serverName ?? 'localhost', rootCaFiles: [options.tls.caFile] },
        },
        // The worker service (schedules, system workflows) calls the frontend as a client with its own certificate.
        systemWorker: {
          certFile: options.tls.systemWorkerCertFile,
          keyFile: options.tls.systemWorkerKeyFile,
          client: { serverName: options.tls.serverName ?? 'localhost', rootCaFiles: [options.tls.caFile] },
        },
      }
    : undefined;
  const service = (name: ServiceName) => ({
    rpc: {
      grpcPort: ports[name].grpc,
      membershipPort: ports[name].membership,
      bindOnIP: '127.0.0.1',
      ...(ports[name].http ? { httpPort: ports[name].http } : {}),
    },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: options.historyShards ?? 4,
      datastores: { 'postgres-default': sql(databases.main, 20), 'postgres-visibility': sql(databases.visibility, 10) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      ...(tls ? { tls } : {}),
    },
    services: Object.fromEntries(SERVICES.map((s) => [s, service(s)])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend.grpc}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

export async function startTemporalCluster(options: ClusterOptions): Promise<TemporalCluster> {
  const log = options.log ?? (() => undefined);
  const bins = options.binaries ?? findTemporalServer({ log });
  const pg = pgTarget(options.databaseUrl);
  const namespace = options.namespace ?? 'default';
  mkdirSync(options.dir, { recursive: true });
  const databases = { main: `${options.databasePrefix}_temporal`, visibility: `${options.databasePrefix}_visibility` };

  const started = Date.now();
  const schemaLog = join(options.dir, 'sql-tool.log');
  createSchema(bins, pg, databases.main, 'temporal', schemaLog);
  createSchema(bins, pg, databases.visibility, 'visibility', schemaLog);
  log(`temporal cluster: databases ${databases.main}, ${databases.visibility} created in ${Date.now() - started} ms`);

  const ports = {} as Record<ServiceName, { grpc: number; membership: number; http?: number }>;
  for (const s of SERVICES)
    ports[s] = {
      grpc: await freePort(),
      membership: await freePort(),
      ...(s === 'frontend' ? { http: await freePort() } : {}),
    };

  // Dynamic config, YAML in its list-of-constraints form (JSON is YAML).
  const dynamic: Record<string, unknown> = {
    // The UI and CLI list runs through visibility: read what was written without the default lag.
    ...options.dynamicConfig,
  };
  const dynamicConfigFile = join(options.dir, 'dynamicconfig.yaml');
  writeFileSync(
    dynamicConfigFile,
    Object.keys(dynamic).length
      ? JSON.stringify(Object.fromEntries(Object.entries(dynamic).map(([k, v]) => [k, [{ value: v }]])), null, 2)
      : '{}\n',
  );
  const configDir = join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'cluster.yaml'),
    JSON.stringify(serverConfig(options, pg, databases, ports, dynamicConfigFile), null, 2),
  );

  const services = {} as Record<ServiceName, ServiceProcess>;
  for (const name of SERVICES) {
    const svc: ServiceProcess = {
      name,
      grpcPort: ports[name].grpc,
      membershipPort: ports[name].membership,
      logFile: join(options.dir, `${name}.log`),
      pid: () => svc.process?.pid,
    };
    services[name] = svc;
  }

  const launch = async (svc: ServiceProcess): Promise<void> => {
    const out = openSync(svc.logFile, 'a');
    const child = spawn(
      bins.server,
      [
        '--root',
        options.dir,
        '--config',
        'config',
        '--env',
        'cluster',
        '--allow-no-auth',
        'start',
        '--service',
        svc.name,
      ],
      {
        stdio: ['ignore', out, out],
      },
    );
    svc.process = child;
    let exited: number | null | undefined;
    child.once('exit', (code) => (exited = code));
    const deadline = Date.now() + 60_000;
    // The worker service serves no gRPC (it is a client of the frontend); its membership port says it joined.
    const readyPort = svc.name === 'worker' ? svc.membershipPort : svc.grpcPort;
    while (!(await portOpen(readyPort))) {
      if (exited !== undefined)
        throw new Error(
          `temporal ${svc.name} exited with code ${exited}; its log (${svc.logFile}) ends with:\n${logTail(svc.logFile, 30)}`,
        );
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal ${svc.name} did not listen on ${readyPort} within 60 s; see ${svc.logFile}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const stopAll = async () => {
    for (const name of [...SERVICES].reverse()) if (services[name].process) await stopProcess(services[name].process!);
  };
  try {
    for (const name of SERVICES) {
      await launch(services[name]);
      log(
        `temporal cluster: ${name} on 127.0.0.1:${name === 'worker' ? `${services[name].membershipPort} (membership)` : services[name].grpcPort} (pid ${services[name].pid()})`,
      );
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const address = `127.0.0.1:${ports.frontend.grpc}`;
  const clientEnv = (client?: { certFile: string; keyFile: string }): NodeJS.ProcessEnv => ({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    ...(options.tls
      ? {
          TEMPORAL_TLS: 'true',
          TEMPORAL_TLS_SERVER_CA_CERT_PATH: options.tls.caFile,
          TEMPORAL_TLS_SERVER_NAME: options.tls.serverName ?? 'localhost',
          ...(client
            ? { TEMPORAL_TLS_CLIENT_CERT_PATH: client.certFile, TEMPORAL_TLS_CLIENT_KEY_PATH: client.keyFile }
            : {}),
        }
      : {}),
  });

  const cluster: TemporalCluster = {
    address,
    namespace,
    databases,
    services,
    clientEnv,
    async restart(service, restartOptions = {}) {
      const svc = services[service];
      if (svc.process) {
        if (restartOptions.kill) {
          const exited = new Promise<void>((resolve) =>
            svc.process!.exitCode !== null || svc.process!.signalCode !== null
              ? resolve()
              : svc.process!.once('exit', () => resolve()),
          );
          svc.process.kill('SIGKILL');
          await exited;
        } else {
          await stopProcess(svc.process, 30_000);
        }
      }
      await launch(svc);
    },
    async stop(stopOptions = {}) {
      await stopAll();
      if (stopOptions.dropDatabases) dropDatabases(bins, pg, [databases.main, databases.visibility]);
    },
  };
  return cluster;
}
