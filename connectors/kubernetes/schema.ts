// The kubernetes connector's part of pipewatch.yaml: the connector and its checks.
import { z } from 'zod';
import { parseLabelSelector } from '../../evaluation/label-selector.js';
import { duration } from '../../config/schema-fields.js';

export const kubernetesConnector = z
  .strictObject({
    type: z.literal('kubernetes'),
    kubeconfig: z.string().optional().meta({
      description:
        'A kubeconfig file; default: $KUBECONFIG, then ~/.kube/config. Its credentials are read by the worker and never logged.',
    }),
    context: z
      .string()
      .optional()
      .meta({ description: "The kubeconfig context to use; default: the file's current-context." }),
    inCluster: z
      .boolean()
      .default(false)
      .meta({ description: "Use the pod's service account, when pipewatch runs inside the cluster." }),
    requestTimeout: duration.prefault('30s'),
    maxEvents: z.int().min(100).max(1_000_000).default(10_000).meta({
      description: 'Events kept per watch at most (the oldest are dropped first): bounds memory on large clusters.',
    }),
  })
  .superRefine((c, ctx) => {
    if (c.inCluster && c.kubeconfig)
      ctx.addIssue({
        code: 'custom',
        path: ['inCluster'],
        message: 'use either "inCluster: true" or "kubeconfig", not both',
      });
  })
  .meta({
    description:
      'A Kubernetes cluster: events, pods, CronJobs and Jobs, read with list and watch (get, list and watch rights suffice).',
  });

const labelSelector = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parseLabelSelector(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  })
  .meta({
    description: 'A Kubernetes label selector: app.kubernetes.io/part-of=crawler,tier!=cache,env in (prod,stage).',
  });

const kubeScope = {
  namespace: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'The namespace to watch; default: every namespace the credentials may read.' }),
  labels: labelSelector.optional(),
  groupBy: z.string().default('app.kubernetes.io/name').meta({
    description:
      'The label that names an application; alerts group by it (falling back to "app", then the pod\'s owner).',
  }),
};

export const kubeEventsCheck = z
  .strictObject({
    type: z.literal('kubeEvents'),
    ...kubeScope,
    kinds: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: 'Kinds of the involved object (Pod, Job, Node …); default: any.' }),
    names: z.array(z.string().min(1)).optional().meta({ description: 'Names of the involved objects; default: any.' }),
    reasons: z.array(z.string().min(1)).optional().meta({
      description:
        'Event reasons: BackOff, Failed, FailedScheduling, OOMKilling, Evicted, Unhealthy, FailedMount, FailedCreate …; default: any.',
    }),
    types: z.array(z.enum(['Warning', 'Normal'])).default(['Warning']),
    window: duration.prefault('15m').meta({ description: 'Events last seen within this long before the run count.' }),
  })
  .meta({
    description:
      'Kubernetes events, grouped per application, each group naming the failing layer with its evidence; the value is how many occurrences matched.',
  });

export const podHealthCheck = z
  .strictObject({
    type: z.literal('podHealth'),
    ...kubeScope,
    crashLoopFor: duration
      .prefault('15m')
      .meta({ description: 'A container in CrashLoopBackOff this long is a problem.' }),
    imagePullFor: duration.prefault('5m').meta({
      description: 'A container failing to pull its image (ImagePullBackOff, ErrImagePull) this long is a problem.',
    }),
    oomWithin: duration.prefault('1h').meta({ description: 'A container OOMKilled within this long is a problem.' }),
    restarts: z
      .strictObject({ max: z.int().min(1).default(5), window: duration.prefault('1h') })
      .prefault({})
      .meta({ description: 'More than max restarts of one container within the window is a problem.' }),
    stuck: z
      .strictObject({
        pending: duration.prefault('10m'),
        containerCreating: duration.prefault('10m'),
        terminating: duration.prefault('5m'),
      })
      .prefault({})
      .meta({
        description:
          'Pods Pending, ContainerCreating, or Terminating (past their grace period) longer than these are stuck.',
      }),
  })
  .meta({
    description:
      'Pods in trouble: crash loops, OOM kills, restarts, image pulls and stuck pods; the value is how many problems, the details a timeline per application.',
  });

export const cronJobsCheck = z
  .strictObject({
    type: z.literal('cronJobs'),
    ...kubeScope,
    names: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: 'Only these CronJobs; default: every CronJob in scope.' }),
    manifests: z.string().min(1).optional().meta({
      description:
        'YAML manifests declaring the CronJobs (a file, a directory, or files matched by * in the name; multi-document and rendered Helm output). The schedules come from them; runs from the cluster.',
    }),
    grace: duration.prefault('2m').meta({
      description: 'How long after its scheduled time a run may take to start (capped by startingDeadlineSeconds).',
    }),
    successWithin: z
      .int()
      .min(1)
      .max(1000)
      .default(3)
      .meta({ description: 'The last success must be newer than this many scheduled runs.' }),
    failedWithin: duration
      .prefault('24h')
      .meta({ description: 'A Job that failed within this long, with no success after it, is a problem.' }),
    slowerThan: z
      .number()
      .min(1)
      .default(3)
      .meta({ description: 'A run taking this many times the median of its recent successful runs is a problem.' }),
    maxDuration: duration
      .optional()
      .meta({ description: 'A run taking longer than this is a problem, whatever its history.' }),
  })
  .meta({
    description:
      'CronJobs that missed a run, have not succeeded for N periods, whose last Job failed or runs too long; suspended CronJobs are reported, not counted.',
  });
