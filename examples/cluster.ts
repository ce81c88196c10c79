// The example's operations side. The example pipeline runs as Temporal
// workflows, not as pods; when `pipewatch demo --kubeconfig FILE` names a
// cluster, the example keeps a namespace there for the parser it would deploy,
// and the `pod` fault puts in it a parser pod whose image does not exist — a
// real pod that a real cluster cannot start (ImagePullBackOff), nor the local
// cluster of `pipewatch start` (its kwok node reports the same), and that an API
// server without nodes cannot schedule (Pending). The operations monitors of
// examples/pipewatch.yaml watch that namespace. Faults are reconciled from the
// fault file every couple of seconds, as the pipeline's own stages read it.
import * as k8s from '@kubernetes/client-node';
import { apiStatus } from '../connectors/kubernetes/client.js';
import { boundedApiClient } from '../connectors/kubernetes/transport.js';
import { KWOK_FAULT_LABEL } from '../devserver/kwok-stages.js';
import { EXAMPLE_NAMESPACE, readFaults } from './faults.js';
import { deployExampleWorkloads, localFaults, type LocalControls } from './local-workloads.js';

export const FAULTY_POD = 'example-parser-canary';
// The kwok label makes a simulated node (pipewatch start's local cluster) report what a real one would for this image:
// ImagePullBackOff. A real cluster ignores it and fails the pull itself.
const LABELS = {
  'app.kubernetes.io/part-of': 'example',
  'app.kubernetes.io/name': 'example-parser',
  'pipewatch.io/fault': 'pod',
  [KWOK_FAULT_LABEL]: 'image-pull',
};

export interface DemoCluster {
  /** The cluster's API server, for the start-up summary. */
  server: string;
  stop(): Promise<void>;
}

export async function startDemoCluster(options: {
  kubeconfig: string;
  dataDir: string;
  intervalMs?: number;
  log: (line: string) => void;
  /** The local cluster (start's default): the example deploys its workloads there, and its cronjob and node faults work. */
  local?: LocalControls;
}): Promise<DemoCluster> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error(`kubeconfig ${options.kubeconfig} names no current cluster`);
  // Bounded like the connector's calls, so an API server that stops answering cannot hold up Ctrl-C.
  const core = boundedApiClient(kc, k8s.CoreV1Api, 10_000);
  await core
    .createNamespace({
      body: { metadata: { name: EXAMPLE_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'example' } } },
    })
    .catch((err: unknown) => {
      if (status(err) !== 409)
        throw new Error(`cannot create namespace ${EXAMPLE_NAMESPACE} on ${server}: ${message(err)}`);
    });

  if (options.local)
    await deployExampleWorkloads(kc).catch((err: unknown) =>
      options.log(`the example's workloads could not be deployed on ${server}: ${message(err)}`),
    );
  const local = options.local ? localFaults(options.local, options.dataDir) : undefined;

  let lastProblem = '';
  const reconcile = async () => {
    await local?.().catch((err: unknown) =>
      options.log(`the example's cronjob or node fault could not be applied on ${server}: ${message(err)}`),
    );
    const wanted = 'pod' in readFaults(options.dataDir).faults;
    try {
      if (wanted) {
        await core
          .createNamespacedPod({
            namespace: EXAMPLE_NAMESPACE,
            body: {
              metadata: { name: FAULTY_POD, labels: LABELS },
              spec: {
                restartPolicy: 'Always',
                containers: [{ name: 'parser', image: 'registry.invalid/pipewatch-example/parser:missing' }],
              },
            },
          })
          .catch((err: unknown) => {
            if (status(err) !== 409) throw err;
          });
      } else {
        await core.deleteNamespacedPod({ namespace: EXAMPLE_NAMESPACE, name: FAULTY_POD }).catch((err: unknown) => {
          if (status(err) !== 404) throw err;
        });
      }
      lastProblem = '';
    } catch (err) {
      const problem = `the example's pod fault could not be ${wanted ? 'injected' : 'healed'} on ${server}: ${message(err)}`;
      if (problem !== lastProblem) options.log(problem); // once per distinct problem, not every tick
      lastProblem = problem;
    }
  };

  let stopped = false;
  let running: Promise<void> = reconcile();
  const timer = setInterval(() => {
    if (!stopped) running = running.then(reconcile);
  }, options.intervalMs ?? 2_000);
  return {
    server,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

const status = (err: unknown) => apiStatus(err).status;

function message(err: unknown): string {
  const { status: code, serverMessage } = apiStatus(err);
  return code === undefined
    ? ((err as Error).message ?? String(err)).split('\n')[0]!
    : `${code}${serverMessage ? `: ${serverMessage}` : ''}`;
}
