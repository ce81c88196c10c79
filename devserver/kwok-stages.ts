// What kwok's simulated kubelet does with a pod, as kwok "Stage" objects: the
// test control plane (devserver/kubernetes.ts) starts kwok with these instead
// of its built-in ones. Pods without a fault label live as kwok's fast stages
// have them live (Running at once; a Job's pod Succeeded, after the duration in
// its annotation pipewatch.dev/run-for if set; deleted when asked). A pod
// labelled pipewatch.dev/kwok-fault=<fault> gets that fault instead, as a
// kubelet would report it — so the controllers and pipewatch see the same
// statuses they would on a real node. Mutually exclusive selectors rather
// than weights, so which stage applies is never a draw.

/** Label that picks a fault stage for a pod (set it in a Job's or Deployment's pod template). */
export const KWOK_FAULT_LABEL = 'pipewatch.dev/kwok-fault';
/** Annotation on a Job's pod: how long it runs before it succeeds (a Go duration, e.g. "90s"). */
export const KWOK_RUN_FOR_ANNOTATION = 'pipewatch.dev/run-for';

const notDeleted = `    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'`;
const noFault = `    - key: '.metadata.labels["${KWOK_FAULT_LABEL}"]'
      operator: 'DoesNotExist'`;
const withFault = (name: KwokFault) => `    - key: '.metadata.labels["${KWOK_FAULT_LABEL}"]'
      operator: 'In'
      values: ['${name}']`;
// A pod is started once: every start stage needs a pod without an IP yet.
const notStarted = `    - key: '.status.podIP'
      operator: 'DoesNotExist'`;

function stage(name: string, selector: string[], next: string, delay = ''): string {
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ${name}
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
${selector.join('\n')}
${delay}  next:
${next}
`;
}

/** What the simulated kubelet reports of a pod: its phase, and one state for every container (flow-style YAML, `$now` for the time). */
interface PodReport {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** The pod's Ready and ContainersReady conditions, and each container's ready and started. */
  ready: boolean;
  restartCount: number;
  state: string;
  lastState?: string;
}

/** The status template of a report; a pod being started also gets its node's and its own IP and a start time. */
function statusTemplate(report: PodReport, start: boolean): string {
  const ready = String(report.ready);
  const container = [
    `        ready: ${ready}`,
    `        restartCount: ${report.restartCount}`,
    `        started: ${ready}`,
    ...(report.lastState ? [`        lastState: ${report.lastState}`] : []),
    `        state: ${report.state}`,
  ];
  const addresses = [
    `      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}`,
    `      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}`,
    `      startTime: {{ $now | Quote }}`,
  ];
  const condition = report.ready ? '"True"' : '"False"';
  return [
    `    statusTemplate: |`,
    `      {{ $now := Now }}`,
    `      conditions:`,
    `      - { type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }} }`,
    `      - { type: Ready, status: ${condition}, lastTransitionTime: {{ $now | Quote }} }`,
    `      - { type: ContainersReady, status: ${condition}, lastTransitionTime: {{ $now | Quote }} }`,
    `      containerStatuses:`,
    `      {{ range .spec.containers }}`,
    `      - image: {{ .image | Quote }}`,
    `        name: {{ .name | Quote }}`,
    ...container,
    `      {{ end }}`,
    ...(start ? addresses : []),
    `      phase: ${report.phase}`,
  ].join('\n');
}

/** A stage that starts a pod (one not deleted and without an IP yet) matching `match`, reporting `report`. */
const startStage = (name: string, match: string, report: PodReport) =>
  stage(name, [notDeleted, match, notStarted], statusTemplate(report, true));

const exited = (exitCode: number, reason: string) =>
  `{ terminated: { exitCode: ${exitCode}, reason: ${reason}, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } }`;
const runningNow = '{ running: { startedAt: {{ $now | Quote }} } }';

/** What each fault makes a pod report, in the order of the stages. */
const FAULTS = {
  // A Job's pod whose container exits 1: the Job controller retries up to backoffLimit, then the Job fails.
  fail: { phase: 'Failed', ready: false, restartCount: 0, state: exited(1, 'Error') },
  // A container that keeps exiting: waiting in CrashLoopBackOff after its sixth restart, as the kubelet reports it.
  'crash-loop': {
    phase: 'Running',
    ready: false,
    restartCount: 6,
    lastState: exited(1, 'Error'),
    state:
      '{ waiting: { reason: CrashLoopBackOff, message: "back-off 5m0s restarting failed container={{ .name }} pod={{ $.metadata.name }}_{{ $.metadata.namespace }}({{ $.metadata.uid }})" } }',
  },
  // Killed for exceeding its memory limit once, running again.
  oom: { phase: 'Running', ready: true, restartCount: 1, lastState: exited(137, 'OOMKilled'), state: runningNow },
  // The image cannot be pulled: the sandbox has its IP, the container waits in ImagePullBackOff.
  'image-pull': {
    phase: 'Pending',
    ready: false,
    restartCount: 0,
    state: '{ waiting: { reason: ImagePullBackOff, message: "Back-off pulling image \\"{{ .image }}\\"" } }',
  },
} satisfies Record<string, PodReport>;

export type KwokFault = keyof typeof FAULTS;

export const kwokPodStages: string = [
  startStage('pod-ready', noFault, { phase: 'Running', ready: true, restartCount: 0, state: runningNow }),
  // A Job's running pod (without a fault) completes, at once or after its run-for annotation.
  stage(
    'pod-complete',
    [
      notDeleted,
      noFault,
      `    - key: '.status.phase'
      operator: 'In'
      values: ['Running']`,
      `    - key: '.metadata.ownerReferences.[].kind'
      operator: 'In'
      values: ['Job']`,
    ],
    statusTemplate({ phase: 'Succeeded', ready: false, restartCount: 0, state: exited(0, 'Completed') }, false),
    `  delay:
    durationMilliseconds: 0
    durationFrom: { expressionFrom: '.metadata.annotations["${KWOK_RUN_FOR_ANNOTATION}"]' }
`,
  ),
  stage(
    'pod-delete',
    [
      `    - key: '.metadata.deletionTimestamp'
      operator: 'Exists'`,
    ],
    `    finalizers: { empty: true }
    delete: true`,
  ),
  ...(Object.entries(FAULTS) as Array<[KwokFault, PodReport]>).map(([fault, report]) =>
    startStage(`pod-${fault}`, withFault(fault), report),
  ),
].join('---\n');
