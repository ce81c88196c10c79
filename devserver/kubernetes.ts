// A real Kubernetes control plane for tests and local trials: etcd plus
// kube-apiserver, and when asked (`running`) kube-controller-manager with the
// chosen controllers, kube-scheduler and kwok simulating nodes (pods get the
// statuses a kubelet would write, without containers; devserver/kwok-stages.ts).
// Built once from the Go module proxy by scripts/build-k8s.sh into the cache,
// started here on free ports with a static-token file (an admin and a user
// with no RBAC rights) and RBAC on.
// The binaries are found or built by kubernetes-binaries.ts; kwok's nodes are registered by kubernetes-nodes.ts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stopProcess } from './dev-server.js';
import { kwokPodStages } from './kwok-stages.js';
import { logTail } from './log-tail.js';
import { findControlPlane, type ControlPlaneBinaries } from './kubernetes-binaries.js';
import { createNodes, KWOK_NODE_ANNOTATION } from './kubernetes-nodes.js';

export { findControlPlane, k8sBinDir, type ControlPlaneBinaries } from './kubernetes-binaries.js';
export { KWOK_NODE_ANNOTATION } from './kubernetes-nodes.js';

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
  /** The kwok nodes started with `running.nodes`. */
  nodes: string[];
  /**
   * Stops or starts again one component started with `running` (e.g. the controller-manager across a
   * CronJob's scheduled times, kwok to leave its nodes without heartbeats). Stopping is SIGTERM.
   */
  stopComponent(name: RunningComponent): Promise<void>;
  startComponent(name: RunningComponent): Promise<void>;
  /** Process ids of what runs now, by component (for measuring the control plane's memory and CPU). */
  pids(): Record<string, number>;
  stop(): Promise<void>;
}

export type RunningComponent = 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

/** What makes the cluster run things; each part is optional. */
export interface RunningOptions {
  /** kube-controller-manager's --controllers (names as in its --help, e.g. cronjob-controller, job-controller); none: not started. */
  controllers?: string[];
  /** More kube-controller-manager flags, e.g. --node-monitor-grace-period=20s. */
  controllerManagerArgs?: string[];
  /** Start kube-scheduler (binds pods to nodes; says why it cannot). */
  scheduler?: boolean;
  /** Nodes kwok simulates (created here with `nodeCapacity`, Ready once kwok has initialized them). */
  nodes?: string[];
  nodeCapacity?: { cpu: string; memory: string; pods: string };
}

/** GET /readyz trusting only the control plane's own serving certificate. */
function readyz(server: string, token: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsRequest(
      `${server}/readyz`,
      { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** kube-apiserver did not come up; the message ends with the tail of its log. */
class ControlPlaneStartError extends Error {}

async function waitReady(server: string, token: string, ca: Buffer, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const failed = (what: string) => new ControlPlaneStartError(`${what}; ${log} ends with:\n${logTail(log, 15)}`);
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
  /** Controllers, scheduler and simulated nodes; without it the cluster stores objects and runs nothing. */
  running?: RunningOptions;
}

/**
 * Starts etcd and kube-apiserver on free ports. A port is found free and then bound by a child process, and
 * another process can take it in between: a start that fails is tried again on fresh ports (three tries), and
 * the last failure says what the API server logged.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchControlPlane({
        ...options,
        dir: attempt === 1 ? options.dir : join(options.dir, `attempt-${attempt}`),
      });
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
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '30',
    '-keyout',
    'serving.key',
    '-out',
    'serving.crt',
    '-subj',
    '/CN=kube-apiserver',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  );
  // Tokens are test fixtures, not secrets: a throw-away cluster on loopback.
  const tokens = {
    admin: `admin-${Math.random().toString(36).slice(2)}`,
    nobody: `nobody-${Math.random().toString(36).slice(2)}`,
  };
  writeFileSync(
    join(dir, 'tokens.csv'),
    `${tokens.admin},admin,admin,"system:masters"\n${tokens.nobody},nobody,nobody\n`,
  );

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

  const running = options.running ?? {};
  const nodes = running.nodes ?? [];
  const componentArgs: Partial<Record<RunningComponent, () => Promise<{ bin: string; args: string[] }>>> = {};
  if (running.controllers?.length) {
    componentArgs['kube-controller-manager'] = async () => ({
      bin: bins.controllerManager,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--controllers=${running.controllers!.join(',')}`,
        '--leader-elect=false',
        '--secure-port=0',
        ...(running.controllerManagerArgs ?? []),
      ],
    });
  }
  if (running.scheduler) {
    componentArgs['kube-scheduler'] = async () => ({
      bin: bins.scheduler,
      args: [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0'],
    });
  }
  if (nodes.length) {
    writeFileSync(join(dir, 'kwok-stages.yaml'), kwokPodStages);
    componentArgs.kwok = async () => ({
      bin: bins.kwok,
      args: [
        `--kubeconfig=${kubeconfig}`,
        // its own stages only: never a ~/.kwok/kwok.yaml of the machine
        `--config=${join(dir, 'kwok-stages.yaml')}`,
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        `--server-address=127.0.0.1:${await freePort()}`,
        // Heartbeats by Lease, renewed every 10 s, as kubelets do: without this flag (a config file of stages only)
        // kwok updates node status every ~25 s and no Lease, which a short --node-monitor-grace-period reads as NotReady.
        '--node-lease-duration-seconds=40',
        '--node-ip=10.0.1.1',
        '--cidr=10.0.2.1/24',
      ],
    });
  }
  const children = new Map<RunningComponent, ChildProcess>();
  const startComponent = async (name: RunningComponent) => {
    const make = componentArgs[name];
    if (!make) throw new Error(`${name} was not asked for in running`);
    const current = children.get(name);
    if (current && alive(current)) return;
    const { bin, args } = await make();
    const out = openSync(join(dir, `${name}.log`), 'a');
    const child = spawn(bin, args, { stdio: ['ignore', out, out] });
    children.set(name, child);
    // Fails fast with its log when it exits within its first second (a bad flag, a refused kubeconfig).
    await new Promise((r) => setTimeout(r, 1_000));
    if (!alive(child)) {
      const tail = readFileSync(join(dir, `${name}.log`), 'utf8')
        .trim()
        .split('\n')
        .slice(-15)
        .join('\n');
      throw new Error(
        `${name} exited (${child.exitCode ?? child.signalCode}); ${join(dir, `${name}.log`)} ends with:\n${tail}`,
      );
    }
  };
  const stopAll = async () => {
    for (const child of children.values()) await stopProcess(child);
    if (apiserver) await stopProcess(apiserver);
    await stopProcess(etcd);
  };
  try {
    for (const name of Object.keys(componentArgs) as RunningComponent[]) await startComponent(name);
    if (nodes.length)
      await createNodes(server, tokens.admin, readFileSync(join(dir, 'serving.crt')), nodes, running.nodeCapacity);
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    server,
    etcdUrl: `http://127.0.0.1:${etcdClient}`,
    kubeconfig,
    caFile: join(dir, 'serving.crt'),
    tokens,
    dir,
    nodes,
    async restartApiServer(restart: { kill?: boolean } = {}) {
      if (apiserver) await stopProcess(apiserver, restart.kill ? 0 : 10_000);
      await startApi();
    },
    async stopComponent(name: RunningComponent) {
      const child = children.get(name);
      if (child) await stopProcess(child);
    },
    startComponent,
    pids() {
      const out: Record<string, number> = {};
      const all: Array<[string, ChildProcess | undefined]> = [
        ['etcd', etcd],
        ['kube-apiserver', apiserver],
        ...children.entries(),
      ];
      for (const [name, child] of all) if (child?.pid !== undefined && alive(child)) out[name] = child.pid;
      return out;
    },
    stop: stopAll,
  };
}

/** Not exited: a child killed by a signal has exitCode null and its signalCode set. */
const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
