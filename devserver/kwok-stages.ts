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

export type KwokFault = 'fail' | 'crash-loop' | 'oom' | 'image-pull';

const notDeleted = `    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'`;
const noFault = `    - key: '.metadata.labels["${KWOK_FAULT_LABEL}"]'
      operator: 'DoesNotExist'`;
const fault = (name: KwokFault) => `    - key: '.metadata.labels["${KWOK_FAULT_LABEL}"]'
      operator: 'In'
      values: ['${name}']`;
// A pod is started once: every start stage needs a pod without an IP yet.
const notStarted = `    - key: '.status.podIP'
      operator: 'DoesNotExist'`;
const addresses = `      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
      startTime: {{ $now | Quote }}`;
const conditions = (ready: boolean) => `      conditions:
      - { type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }} }
      - { type: Ready, status: "${ready ? 'True' : 'False'}", lastTransitionTime: {{ $now | Quote }} }
      - { type: ContainersReady, status: "${ready ? 'True' : 'False'}", lastTransitionTime: {{ $now | Quote }} }`;

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

/** Container statuses for every container of the pod, from one state template (YAML under `- name/image`). */
const everyContainer = (fields: string) => `      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
${fields}
      {{ end }}`;

export const kwokPodStages: string = [
  stage(
    'pod-ready',
    [notDeleted, noFault, notStarted],
    `    statusTemplate: |
      {{ $now := Now }}
${conditions(true)}
${everyContainer(`        ready: true
        restartCount: 0
        started: true
        state: { running: { startedAt: {{ $now | Quote }} } }`)}
${addresses}
      phase: Running`,
  ),
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
    `    statusTemplate: |
      {{ $now := Now }}
${conditions(false)}
${everyContainer(`        ready: false
        restartCount: 0
        started: false
        state: { terminated: { exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } }`)}
      phase: Succeeded`,
    `  delay:
    durationMilliseconds: 0
    durationFrom: { expressionFrom: '.metadata.annotations["${KWOK_RUN_FOR_ANNOTATION}"]' }
`,
  ),
  stage(
    'pod-delete',
    [`    - key: '.metadata.deletionTimestamp'
      operator: 'Exists'`],
    `    finalizers: { empty: true }
    delete: true`,
  ),
  // A Job's pod whose container exits 1: the Job controller retries up to backoffLimit, then the Job fails.
  stage(
    'pod-fail',
    [notDeleted, fault('fail'), notStarted],
    `    statusTemplate: |
      {{ $now := Now }}
${conditions(false)}
${everyContainer(`        ready: false
        restartCount: 0
        started: false
        state: { terminated: { exitCode: 1, reason: Error, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } }`)}
${addresses}
      phase: Failed`,
  ),
  // A container that keeps exiting: waiting in CrashLoopBackOff after its sixth restart, as the kubelet reports it.
  stage(
    'pod-crash-loop',
    [notDeleted, fault('crash-loop'), notStarted],
    `    statusTemplate: |
      {{ $now := Now }}
${conditions(false)}
${everyContainer(`        ready: false
        restartCount: 6
        started: false
        lastState: { terminated: { exitCode: 1, reason: Error, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } }
        state: { waiting: { reason: CrashLoopBackOff, message: "back-off 5m0s restarting failed container={{ .name }} pod={{ $.metadata.name }}_{{ $.metadata.namespace }}({{ $.metadata.uid }})" } }`)}
${addresses}
      phase: Running`,
  ),
  // Killed for exceeding its memory limit once, running again.
  stage(
    'pod-oom',
    [notDeleted, fault('oom'), notStarted],
    `    statusTemplate: |
      {{ $now := Now }}
${conditions(true)}
${everyContainer(`        ready: true
        restartCount: 1
        started: true
        lastState: { terminated: { exitCode: 137, reason: OOMKilled, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } }
        state: { running: { startedAt: {{ $now | Quote }} } }`)}
${addresses}
      phase: Running`,
  ),
  // The image cannot be pulled: the sandbox has its IP, the container waits in ImagePullBackOff.
  stage(
    'pod-image-pull',
    [notDeleted, fault('image-pull'), notStarted],
    `    statusTemplate: |
      {{ $now := Now }}
${conditions(false)}
${everyContainer(`        ready: false
        restartCount: 0
        started: false
        state: { waiting: { reason: ImagePullBackOff, message: "Back-off pulling image \\"{{ .image }}\\"" } }`)}
${addresses}
      phase: Pending`,
  ),
].join('---\n');
