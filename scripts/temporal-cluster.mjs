// A production-shaped Temporal cluster on this machine, to try pipewatch on (or benchmark it): frontend,
// history, matching and worker as separate processes (devserver/temporal-cluster.ts), PostgreSQL databases
// of their own, 4 history shards, mutual TLS on the frontend with certificates made here, the namespace
// `default`. Prints the environment for `pipewatch` and `temporal`, then runs until Ctrl-C.
//
//   npm run build && node scripts/temporal-cluster.mjs [--database-url postgres://postgres@127.0.0.1:5432/postgres]
//       [--dir /tmp/pipewatch-cluster] [--shards 4] [--keep-databases]
//   then, in another shell: eval "$(cat <dir>/env)"; pipewatch setup; pipewatch schedules sync; pipewatch worker
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    'database-url': {
      type: 'string',
      default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    dir: { type: 'string', default: '/tmp/pipewatch-cluster' },
    shards: { type: 'string', default: '4' },
    'keep-databases': { type: 'boolean', default: false },
  },
});
const { startTemporalCluster, makeClusterCertificates, prepareNamespace } = await import(
  join(root, 'dist', 'devserver', 'temporal-cluster.js')
);

const { tls, client } = makeClusterCertificates(join(values.dir, 'tls'));
const cluster = await startTemporalCluster({
  dir: join(values.dir, 'temporal'),
  databaseUrl: values['database-url'],
  databasePrefix: `pwcluster_${Date.now().toString(36)}`,
  historyShards: Number(values.shards),
  tls,
  log: (line) => process.stderr.write(`${line}\n`),
});
const stop = async () => {
  await cluster.stop({ dropDatabases: !values['keep-databases'] });
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// The namespace only: `pipewatch setup` registers the search attributes, as on any cluster.
await prepareNamespace(cluster, client);

const env = cluster.clientEnv(client);
const exports = Object.entries(env)
  .map(([k, v]) => `export ${k}=${JSON.stringify(v)}`)
  .join('\n');
writeFileSync(join(values.dir, 'env'), `${exports}\n`);
process.stdout
  .write(`Temporal cluster ready on ${cluster.address} (namespace ${cluster.namespace}); databases ${cluster.databases.main}, ${cluster.databases.visibility}
services: ${Object.values(cluster.services)
  .map((s) => `${s.name} pid ${s.pid()}`)
  .join(', ')}; logs in ${join(values.dir, 'temporal')}
environment for pipewatch and temporal (also in ${join(values.dir, 'env')}):
${exports}
then: pipewatch setup && pipewatch schedules sync && pipewatch worker   — Ctrl-C stops the cluster${values['keep-databases'] ? '' : ' and drops its databases'}
`);
await new Promise(() => undefined);
