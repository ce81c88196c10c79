// Once per test run: the Temporal dev server (built from the Go module proxy on
// first use and cached outside the repo), one workflow bundle, the Kubernetes
// control-plane binaries (built likewise), and a check that PostgreSQL answers.
// Tests find them through PIPEWATCH_TEST_* variables.
//
// Jest runs this file with Node's own loader, outside its module mapping, so it
// uses the compiled code in dist/ (`npm test` builds first) and refuses to run
// on a build older than the sources.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return path.endsWith('.ts') ? s.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const built = join(root, 'dist', 'workflow-bundle.js');
  const sources = ['workflows', 'evaluation', 'config', 'devserver'].map((d) => newest(join(root, d)));
  if (!existsSync(built) || statSync(built).mtimeMs < Math.max(...sources)) {
    throw new Error('dist/ is older than the sources: run `npm test` (it builds first) or `npm run build`');
  }
  const { findTemporalCli } = await import(join(root, 'dist', 'devserver', 'temporal-cli.js'));
  const { startDevServer } = await import(join(root, 'dist', 'devserver', 'dev-server.js'));
  const { bundleWorkflows } = await import(join(root, 'dist', 'workers', 'bundle.js'));

  const work = mkdtempSync(join(tmpdir(), 'pipewatch-test-'));
  const databaseUrl = process.env.PIPEWATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.end();
  } catch (err) {
    throw new Error(
      `tests need PostgreSQL at ${databaseUrl} (${err.message}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
      { cause: err },
    );
  }

  for (const [port, what, start] of [
    [5672, 'RabbitMQ', 'rabbitmq-server -detached'],
    [15672, 'the RabbitMQ management API', 'rabbitmq-plugins enable rabbitmq_management'],
  ]) {
    if (!(await portOpen(port)))
      throw new Error(`tests need ${what} on 127.0.0.1:${port}; start it with: ${start} (.ci/run does)`);
  }

  const cli = await findTemporalCli({ log: (line) => process.stderr.write(`${line}\n`) });
  // etcd and kube-apiserver for the Kubernetes tests (each test file starts its own control plane).
  const { findControlPlane, k8sBinDir } = await import(join(root, 'dist', 'devserver', 'kubernetes.js'));
  findControlPlane({ log: (line) => process.stderr.write(`${line}\n`) });
  process.env.PIPEWATCH_K8S_BIN_DIR = k8sBinDir();
  // The Temporal server and SQL tool for the multi-service cluster test (built likewise; .ci/run builds them first).
  const { findTemporalServer } = await import(join(root, 'dist', 'devserver', 'temporal-cluster.js'));
  findTemporalServer({ log: (line) => process.stderr.write(`${line}\n`) });
  const [server, bundle] = await Promise.all([
    // With its Web UI, so links into it (the status page's) can be followed in a browser.
    startDevServer({ cli, dataDir: join(work, 'temporal'), port: await freePort(), uiPort: await freePort() }),
    bundleWorkflows(),
  ]);
  const bundlePath = join(work, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  globalThis.__pipewatchDevServer = server;
  process.env.PIPEWATCH_TEST_ROOT = work;
  process.env.PIPEWATCH_TEST_TEMPORAL_ADDRESS = server.address;
  process.env.PIPEWATCH_TEST_TEMPORAL_UI = server.uiUrl;
  process.env.PIPEWATCH_TEST_BUNDLE = bundlePath;
  process.env.PIPEWATCH_TEST_DATABASE_URL = databaseUrl;
  process.env.PIPEWATCH_TEST_CLI = cli;
  // Every test runs with payload encryption, as production should; when the
  // run captures replay fixtures, with the fixtures' own test key.
  const { newKeyLine } = await import(join(root, 'dist', 'workers', 'codec.js'));
  process.env.PIPEWATCH_CODEC_KEYS = process.env.PIPEWATCH_CAPTURE_HISTORIES
    ? readFileSync(join(root, 'test', 'fixtures', 'histories', 'codec.keys'), 'utf8')
    : newKeyLine('test');
}
