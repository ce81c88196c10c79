// A production-shaped Temporal cluster for tests, benchmarks and local trials: the
// server's frontend, history, matching and worker services as four separate
// processes (go.temporal.io/server, built once by scripts/build-temporal-server.sh
// into the cache), on PostgreSQL persistence and SQL visibility in databases of
// their own (made with the server's SQL schema tool), several history shards, and
// mutual TLS on the frontend. The dev server (dev-server.ts) is one process on
// SQLite with one shard; this is what users who outgrow one machine run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './temporal-cli.js';
import { portOpen, stopProcess } from './dev-server.js';

/** The server the Temporal CLI v1.5.1 embeds (its dev server), so both run the same code. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServerBinaries {
  server: string;
  sqlTool: string;
  /** schema/postgresql of the server module: the SQL tool's versioned migrations. */
  schemaDir: string;
  dir: string;
}

export function temporalServerDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPEWATCH_TEMPORAL_SERVER_DIR ?? join(cacheDir(env), 'temporal-server', TEMPORAL_SERVER_VERSION);
}

function scriptPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/devserver/ → ../../scripts; devserver/ (ts-jest) → ../scripts
  const fromDist = join(here, '..', '..', 'scripts', 'build-temporal-server.sh');
  return existsSync(fromDist) ? fromDist : join(here, '..', 'scripts', 'build-temporal-server.sh');
}

/** The cached server and SQL tool, built with scripts/build-temporal-server.sh when missing (about 3 minutes, once). */
export function findTemporalServer(
  options: { build?: boolean; log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): ServerBinaries {
  const env = options.env ?? process.env;
  const dir = temporalServerDir(env);
  const bins: ServerBinaries = {
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
    dir,
  };
  if (existsSync(bins.server) && existsSync(bins.sqlTool) && existsSync(bins.schemaDir)) return bins;
  if (options.build === false)
    throw new Error(`no Temporal server in ${dir}; build it with scripts/build-temporal-server.sh`);
  options.log?.(
    `building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool into ${dir} (once; about 3 minutes)…`,
  );
  execFileSync('bash', [scriptPath()], {
    env: { ...env, OUT: dir, TEMPORAL_SERVER_VERSION },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return bins;
}

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

/** Certificates (PEM files) for mutual TLS on the frontend. */
export interface ClusterTls {
  /** CA that signed the frontend's certificate and every client certificate. */
  caFile: string;
  /** The frontend's serving certificate (subjectAltName 127.0.0.1). */
  serverCertFile: string;
  serverKeyFile: string;
  /** The certificate the server's own worker service presents to the frontend (clientAuth). */
  systemWorkerCertFile: string;
  systemWorkerKeyFile: string;
  /** The name clients check in the frontend's certificate (default localhost: a name, since Node refuses to send an IP as SNI). */
  serverName?: string;
}

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

interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

function pgTarget(databaseUrl: string): PgTarget {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
  };
}

/**
 * Creates a database and brings its schema to the newest version with the
 * server's own tool (create-database, setup-schema -v 0.0, update-schema), as
 * the server's documentation has operators do.
 */
function createSchema(
  bins: ServerBinaries,
  pg: PgTarget,
  database: string,
  kind: 'temporal' | 'visibility',
  logFile: string,
): void {
  const base = [
    '--plugin',
    'postgres12',
    '--ep',
    pg.host,
    '-p',
    String(pg.port),
    '-u',
    pg.user,
    ...(pg.password ? ['--pw', pg.password] : []),
  ];
  const out = openSync(logFile, 'a');
  const run = (args: string[]) => {
    try {
      execFileSync(bins.sqlTool, args, { stdio: ['ignore', out, out] });
    } catch {
      throw new Error(
        `${bins.sqlTool} ${args.filter((a) => a !== pg.password).join(' ')} failed; its output is in ${logFile}:\n${tail(logFile)}`,
      );
    }
  };
  run([...base, '--db', database, 'create-database']);
  run([...base, '--db', database, 'setup-schema', '-v', '0.0']);
  run([...base, '--db', database, 'update-schema', '-d', join(bins.schemaDir, kind, 'versioned')]);
}

function dropDatabases(bins: ServerBinaries, pg: PgTarget, databases: string[]): void {
  for (const db of databases) {
    try {
      execFileSync(
        bins.sqlTool,
        [
          '--plugin',
          'postgres12',
          '--ep',
          pg.host,
          '-p',
          String(pg.port),
          '-u',
          pg.user,
          ...(pg.password ? ['--pw', pg.password] : []),
          '--db',
          db,
          'drop-database',
          '--force',
        ],
        { stdio: 'ignore' },
      );
    } catch {
      // best effort: a left-over test database is harmless and uniquely named
    }
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
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
          `temporal ${svc.name} exited with code ${exited}; its log (${svc.logFile}) ends with:\n${tail(svc.logFile)}`,
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

/**
 * Certificates for a cluster on this machine, made with openssl: a CA, the frontend's serving certificate
 * (localhost and 127.0.0.1), and client certificates for the server's worker service and for pipewatch,
 * with the key usages rustls (the worker's TLS) insists on. Tests make theirs with test/support/tls.ts.
 */
export function makeClusterCertificates(dir: string): {
  tls: ClusterTls;
  client: { certFile: string; keyFile: string };
} {
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    '/CN=pipewatch cluster CA',
  );
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  writeFileSync(
    join(dir, 'client.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  for (const [name, kind, cn] of [
    ['frontend', 'server', 'localhost'],
    ['system-worker', 'client', 'temporal-system-worker'],
    ['pipewatch', 'client', 'pipewatch-worker'],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '30',
      '-extfile',
      `${kind}.ext`,
    );
  }
  return {
    tls: {
      caFile: join(dir, 'ca.pem'),
      serverCertFile: join(dir, 'frontend.pem'),
      serverKeyFile: join(dir, 'frontend.key'),
      systemWorkerCertFile: join(dir, 'system-worker.pem'),
      systemWorkerKeyFile: join(dir, 'system-worker.key'),
    },
    client: { certFile: join(dir, 'pipewatch.pem'), keyFile: join(dir, 'pipewatch.key') },
  };
}

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
