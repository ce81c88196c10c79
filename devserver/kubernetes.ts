// A real Kubernetes API server for tests and local trials: etcd plus
// kube-apiserver (no kubelet, no controllers — objects and their status are
// written through the API), built once from the Go module proxy by
// scripts/build-k8s.sh into the cache, started here on free ports with a
// static-token file (an admin and a user with no RBAC rights) and RBAC on.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './temporal-cli.js';
import { stopProcess } from './dev-server.js';

export interface ControlPlaneBinaries {
  etcd: string;
  apiserver: string;
}

export function k8sBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPEWATCH_K8S_BIN_DIR ?? join(cacheDir(env), 'k8s');
}

/** The cached binaries, built with scripts/build-k8s.sh when missing (minutes, once). */
export function findControlPlane(options: { build?: boolean; log?: (line: string) => void } = {}): ControlPlaneBinaries {
  const dir = k8sBinDir();
  const bins = { etcd: join(dir, 'etcd'), apiserver: join(dir, 'kube-apiserver') };
  if (existsSync(bins.etcd) && existsSync(bins.apiserver)) return bins;
  if (options.build === false) throw new Error(`no Kubernetes control plane in ${dir}; build it with scripts/build-k8s.sh`);
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'build-k8s.sh');
  const scriptPath = existsSync(script) ? script : join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'build-k8s.sh');
  options.log?.(`building etcd and kube-apiserver into ${dir} (once; a few minutes)…`);
  execFileSync('bash', [scriptPath], { env: { ...process.env, OUT: dir }, stdio: ['ignore', 'ignore', 'inherit'] });
  return bins;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ControlPlane {
  server: string;
  /** etcd's client URL (its v3 JSON gateway answers /v3/kv/... there). */
  etcdUrl: string;
  kubeconfig: string;
  caFile: string;
  tokens: { admin: string; nobody: string };
  dir: string;
  /**
   * Stops and starts kube-apiserver on the same etcd: gracefully (it drains
   * open watches for up to 10 s), or killed outright as in a crash.
   */
  restartApiServer(options?: { kill?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** GET /readyz trusting only the control plane's own serving certificate. */
function readyz(server: string, token: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsRequest(`${server}/readyz`, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** kube-apiserver did not come up; the message ends with the tail of its log. */
class ControlPlaneStartError extends Error {}

async function waitReady(server: string, token: string, ca: Buffer, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const failed = (what: string) => {
    let tail = '';
    try {
      tail = readFileSync(log, 'utf8').trim().split('\n').slice(-15).join('\n');
    } catch {
      tail = '(no log)';
    }
    return new ControlPlaneStartError(`${what}; ${log} ends with:\n${tail}`);
  };
  for (;;) {
    if (child.exitCode !== null) throw failed(`kube-apiserver exited (${child.exitCode})`);
    if (await readyz(server, token, ca)) return;
    if (Date.now() > deadline) throw failed('kube-apiserver not ready within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ControlPlaneOptions {
  dir: string;
  binaries?: ControlPlaneBinaries;
  /** How often kube-apiserver compacts etcd (default 5m; "0" never: compact through etcdUrl instead). */
  compactionInterval?: string;
  /** More kube-apiserver flags, e.g. --watch-cache=false so watches read etcd itself. */
  apiServerArgs?: string[];
}

/**
 * Starts etcd and kube-apiserver on free ports. A port is found free and then bound by a child process, and
 * another process can take it in between: a start that fails is tried again on fresh ports (three tries), and
 * the last failure says what the API server logged.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchControlPlane({ ...options, dir: attempt === 1 ? options.dir : join(options.dir, `attempt-${attempt}`) });
    } catch (err) {
      if (attempt >= 3 || !(err instanceof ControlPlaneStartError)) throw err;
    }
  }
}

async function launchControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const bins = options.binaries ?? findControlPlane();
  const dir = options.dir;
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl('genrsa', '-out', 'sa.key', '2048');
  openssl('rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-keyout', 'serving.key', '-out', 'serving.crt', '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  // Tokens are test fixtures, not secrets: a throw-away cluster on loopback.
  const tokens = { admin: `admin-${Math.random().toString(36).slice(2)}`, nobody: `nobody-${Math.random().toString(36).slice(2)}` };
  writeFileSync(join(dir, 'tokens.csv'), `${tokens.admin},admin,admin,"system:masters"\n${tokens.nobody},nobody,nobody\n`);

  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdLog = openSync(join(dir, 'etcd.log'), 'a');
  const etcd = spawn(
    bins.etcd,
    [
      '--name=pipewatch-test',
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=pipewatch-test=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    { stdio: ['ignore', etcdLog, etcdLog] },
  );

  const server = `https://127.0.0.1:${apiPort}`;
  const apiLog = join(dir, 'kube-apiserver.log');
  let apiserver: ChildProcess | undefined;
  const startApi = async () => {
    const out = openSync(apiLog, 'a');
    apiserver = spawn(
      bins.apiserver,
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        `--secure-port=${apiPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--tls-cert-file=${join(dir, 'serving.crt')}`,
        `--tls-private-key-file=${join(dir, 'serving.key')}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        '--enable-priority-and-fairness=false',
        '--endpoint-reconciler-type=none',
        `--etcd-compaction-interval=${options.compactionInterval ?? '5m'}`,
        ...(options.apiServerArgs ?? []),
      ],
      { stdio: ['ignore', out, out] },
    );
    await waitReady(server, tokens.admin, readFileSync(join(dir, 'serving.crt')), apiserver, apiLog);
  };
  try {
    await startApi();
  } catch (err) {
    apiserver?.kill('SIGKILL');
    etcd.kill('SIGKILL');
    throw err;
  }

  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: pipewatch-test
  cluster: { server: "${server}", certificate-authority: "${join(dir, 'serving.crt')}" }
users:
- name: admin
  user: { token: "${tokens.admin}" }
- name: nobody
  user: { token: "${tokens.nobody}" }
contexts:
- name: admin
  context: { cluster: pipewatch-test, user: admin }
- name: nobody
  context: { cluster: pipewatch-test, user: nobody }
current-context: admin
`,
  );

  return {
    server,
    etcdUrl: `http://127.0.0.1:${etcdClient}`,
    kubeconfig,
    caFile: join(dir, 'serving.crt'),
    tokens,
    dir,
    async restartApiServer(restart: { kill?: boolean } = {}) {
      if (apiserver) await stopProcess(apiserver, restart.kill ? 0 : 10_000);
      await startApi();
    },
    async stop() {
      if (apiserver) await stopProcess(apiserver);
      await stopProcess(etcd);
    },
  };
}
