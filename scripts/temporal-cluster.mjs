// A production-shaped Temporal cluster on this machine, to try pipewatch on (or benchmark it): frontend,
// history, matching and worker as separate processes (devserver/temporal-cluster.ts), PostgreSQL databases
// of their own, 4 history shards, mutual TLS on the frontend with certificates made here, the namespace
// `default`. Prints the environment for `pipewatch` and `temporal`, then runs until Ctrl-C.
//
//   npm run build && node scripts/temporal-cluster.mjs [--database-url postgres://postgres@127.0.0.1:5432/postgres]
//       [--dir /tmp/pipewatch-cluster] [--shards 4] [--keep-databases]
//   then, in another shell: eval "$(cat <dir>/env)"; pipewatch setup; pipewatch schedules sync; pipewatch worker
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    dir: { type: 'string', default: '/tmp/pipewatch-cluster' },
    shards: { type: 'string', default: '4' },
    'keep-databases': { type: 'boolean', default: false },
  },
});
const { startTemporalCluster } = await import(join(root, 'dist', 'devserver', 'temporal-cluster.js'));
const { Connection } = await import('@temporalio/client');

// A CA, the frontend's certificate (localhost / 127.0.0.1), and client certificates for the server's own
// worker service and for pipewatch, with the key usages rustls (the worker's TLS) insists on.
const tls = join(values.dir, 'tls');
mkdirSync(tls, { recursive: true });
const openssl = (...args) => execFileSync('openssl', args, { cwd: tls, stdio: 'pipe' });
openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=pipewatch cluster CA');
writeFileSync(join(tls, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
writeFileSync(join(tls, 'client.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
for (const [name, kind, cn] of [['frontend', 'server', 'localhost'], ['system-worker', 'client', 'temporal-system-worker'], ['pipewatch', 'client', 'pipewatch-worker']]) {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '30', '-extfile', `${kind}.ext`);
}

const cluster = await startTemporalCluster({
  dir: join(values.dir, 'temporal'),
  databaseUrl: values['database-url'],
  databasePrefix: `pwcluster_${Date.now().toString(36)}`,
  historyShards: Number(values.shards),
  tls: {
    caFile: join(tls, 'ca.pem'),
    serverCertFile: join(tls, 'frontend.pem'),
    serverKeyFile: join(tls, 'frontend.key'),
    systemWorkerCertFile: join(tls, 'system-worker.pem'),
    systemWorkerKeyFile: join(tls, 'system-worker.key'),
  },
  log: (line) => process.stderr.write(`${line}\n`),
});
const stop = async () => {
  await cluster.stop({ dropDatabases: !values['keep-databases'] });
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

// The namespace, registered through the frontend as an operator would (the services need a few seconds
// to settle membership first).
const connection = await Connection.connect({
  address: cluster.address,
  tls: { serverRootCACertificate: readFileSync(join(tls, 'ca.pem')), clientCertPair: { crt: readFileSync(join(tls, 'pipewatch.pem')), key: readFileSync(join(tls, 'pipewatch.key')) }, serverNameOverride: 'localhost' },
});
for (let i = 0; ; i++) {
  try {
    await connection.workflowService.registerNamespace({ namespace: cluster.namespace, workflowExecutionRetentionPeriod: { seconds: 86_400 } });
    break;
  } catch (err) {
    if (/already exists/i.test(err.message)) break;
    if (i > 90) throw err;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
await connection.close();

const env = cluster.clientEnv({ certFile: join(tls, 'pipewatch.pem'), keyFile: join(tls, 'pipewatch.key') });
const exports = Object.entries(env).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`).join('\n');
writeFileSync(join(values.dir, 'env'), `${exports}\n`);
process.stdout.write(`Temporal cluster ready on ${cluster.address} (namespace ${cluster.namespace}); databases ${cluster.databases.main}, ${cluster.databases.visibility}
services: ${Object.values(cluster.services).map((s) => `${s.name} pid ${s.pid()}`).join(', ')}; logs in ${join(values.dir, 'temporal')}
environment for pipewatch and temporal (also in ${join(values.dir, 'env')}):
${exports}
then: pipewatch setup && pipewatch schedules sync && pipewatch worker   — Ctrl-C stops the cluster${values['keep-databases'] ? '' : ' and drops its databases'}
`);
await new Promise(() => undefined);
