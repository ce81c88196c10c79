// The cronJobs check: CronJobs and Jobs listed in pages (one list of Jobs for
// the whole scope), or the schedules read from manifests on disk (manifests.ts)
// and compared with what the cluster runs; each CronJob judged by
// evaluation/kubernetes/cronjobs.ts, and failed Jobs outside any CronJob counted.
import * as k8s from '@kubernetes/client-node';
import type { CheckSpec } from '../../config/model.js';
import {
  failedJob,
  judgeCronJob,
  type CronJobJudgement,
  type CronJobShape,
  type JobShape,
} from '../../evaluation/kubernetes/cronjobs.js';
import { parseLabelSelector, selectorMatches, type Requirement } from '../../evaluation/label-selector.js';
import type { Measurement } from '../../evaluation/types.js';
import { CollectError } from '../types.js';
import { PAGE, type KubeClient } from './client.js';
import { readCronJobManifests } from './manifests.js';

type CronJobsCheck = Extract<CheckSpec, { type: 'cronJobs' }>;

function standaloneCount(jobs: JobShape[], failedWithin: number, now: number): number {
  return jobs.filter((j) => failedJob(j, failedWithin, now) !== undefined).length;
}

/** Runs a cronJobs check: the number of problems (CronJobs and failed standalone Jobs), with their evidence in details. */
export async function collectCronJobs(client: KubeClient, check: CronJobsCheck, at: Date): Promise<Measurement> {
  const now = at.getTime();
  const batch = client.api(k8s.BatchV1Api);
  const where = check.namespace ? `in namespace ${check.namespace}` : 'in all namespaces';
  const requirements = check.labels ? (parseLabelSelector(check.labels) as Requirement[]) : [];

  const live = new Map<string, CronJobShape>();
  await client.listAll(
    `listing CronJobs ${where}`,
    (cont) =>
      check.namespace
        ? batch.listNamespacedCronJob({
            namespace: check.namespace,
            labelSelector: check.labels,
            limit: PAGE,
            _continue: cont,
          })
        : batch.listCronJobForAllNamespaces({ labelSelector: check.labels, limit: PAGE, _continue: cont }),
    (items) => items.forEach((c) => live.set(`${c.metadata?.namespace}/${c.metadata?.name}`, c as CronJobShape)),
  );

  // The CronJobs to judge: those declared in manifests (schedules from the files, runs from the cluster), or the live ones.
  const drift: string[] = [];
  let judged: CronJobShape[];
  if (check.manifests) {
    const declared = readCronJobManifests(check.manifests, check.namespace ?? 'default');
    judged = [];
    for (const m of declared) {
      if (check.namespace && m.metadata?.namespace !== check.namespace) continue;
      if (check.labels && !selectorMatches(requirements, m.metadata?.labels)) continue;
      const key = `${m.metadata?.namespace}/${m.metadata?.name}`;
      let deployed = live.get(key);
      if (!deployed && check.labels) {
        // Labels in the manifest may differ from the cluster's: look it up by name.
        deployed = await client
          .call(`reading CronJob ${key}`, () =>
            batch.readNamespacedCronJob({ name: m.metadata!.name!, namespace: m.metadata!.namespace! }),
          )
          .catch((err: Error) => {
            if (/not found \(404\)/.test(err.message)) return undefined;
            throw err;
          });
      }
      if (
        deployed &&
        (deployed.spec?.schedule !== m.spec?.schedule ||
          (deployed.spec?.timeZone ?? '') !== (m.spec?.timeZone ?? '') ||
          !!deployed.spec?.suspend !== !!m.spec?.suspend)
      ) {
        drift.push(
          `${key}: the cluster runs "${deployed.spec?.schedule}${deployed.spec?.timeZone ? ` ${deployed.spec.timeZone}` : ''}${deployed.spec?.suspend ? ' (suspended)' : ''}", the manifest says "${m.spec?.schedule}${m.spec?.timeZone ? ` ${m.spec.timeZone}` : ''}${m.spec?.suspend ? ' (suspended)' : ''}"`,
        );
      }
      judged.push({
        metadata: { ...m.metadata, creationTimestamp: deployed?.metadata?.creationTimestamp },
        spec: m.spec,
        status: deployed?.status ?? {},
        ...(deployed ? {} : { notDeployed: true }),
      } as CronJobShape);
    }
  } else {
    judged = [...live.values()];
  }
  if (check.names) judged = judged.filter((c) => check.names!.includes(c.metadata?.name ?? ''));

  // One list of Jobs for the whole scope (a namespace, or all), not one per CronJob.
  const jobs: JobShape[] = [];
  const judgedKeys = new Set(judged.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`));
  const namespaces = check.namespace ? [check.namespace] : undefined;
  await client.listAll(
    `listing Jobs ${where}`,
    (cont) =>
      namespaces
        ? batch.listNamespacedJob({ namespace: namespaces[0]!, limit: PAGE, _continue: cont })
        : batch.listJobForAllNamespaces({ limit: PAGE, _continue: cont }),
    (items) => {
      for (const j of items as JobShape[]) {
        const owner = j.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
        const ours = owner
          ? judgedKeys.has(`${j.metadata?.namespace}/${owner.name}`)
          : !check.names && selectorMatches(requirements, j.metadata?.labels);
        if (ours) jobs.push(j);
      }
    },
  );

  const settings = {
    grace: check.grace,
    successWithin: check.successWithin,
    failedWithin: check.failedWithin,
    slowerThan: check.slowerThan,
    maxDuration: check.maxDuration,
  };
  const judgements: CronJobJudgement[] = judged.map((c) => {
    const j = judgeCronJob(c, jobs, settings, now);
    if ((c as { notDeployed?: boolean }).notDeployed && j.state !== 'suspended') {
      return {
        ...j,
        state: 'problem',
        problems: [
          `declared in ${check.manifests} but not in the cluster, so it never runs`,
          ...j.problems.filter((p) => !p.startsWith('no success')),
        ],
      };
    }
    return j;
  });
  const standalone = jobs.map((j) => failedJob(j, check.failedWithin, now)).filter((x): x is string => x !== undefined);

  const problems = judgements.filter((j) => j.state === 'problem');
  const suspended = judgements.filter((j) => j.state === 'suspended');
  // A CronJob this worker cannot judge is said so on its own; the others are still judged. Only when none could be is the whole check "could not check".
  const unchecked = judgements.filter((j) => j.state === 'unchecked');
  if (
    unchecked.length > 0 &&
    unchecked.length === judgements.length &&
    standaloneCount(jobs, check.failedWithin, now) === 0
  ) {
    throw new CollectError(
      unchecked
        .map((j) => `CronJob ${j.namespace}/${j.name}: ${j.problems[0]}`)
        .slice(0, 5)
        .join('; '),
    );
  }
  const details: Record<string, string | number | boolean | null> = {
    scope: `${check.namespace ? `namespace ${check.namespace}` : 'all namespaces'}${check.labels ? `, labels ${check.labels}` : ''}${check.manifests ? `, schedules from ${check.manifests}` : ''}`,
    cronJobs: judgements.length,
    problems: problems.length + standalone.length,
    suspended: suspended.length ? suspended.map((j) => `${j.namespace}/${j.name}`).join(', ') : null,
    unchecked: unchecked.length ? unchecked.map((j) => `${j.namespace}/${j.name}`).join(', ') : null,
  };
  for (const j of problems.slice(0, 15))
    details[`cronjob ${j.namespace}/${j.name}`] = `${j.problems.join('; ')} — ${j.summary}`;
  for (const j of suspended.slice(0, 15)) details[`cronjob ${j.namespace}/${j.name}`] = j.summary;
  for (const j of unchecked.slice(0, 15))
    details[`cronjob ${j.namespace}/${j.name}`] = `${j.problems[0]} — ${j.summary}`;
  standalone.slice(0, 10).forEach((text, i) => (details[`job ${i + 1}`] = text));
  if (drift.length) details.drift = drift.slice(0, 10).join('; ');
  if (problems.length || standalone.length) {
    details.summary = [...problems.map((j) => `${j.name}: ${j.problems[0]}`), ...standalone].slice(0, 3).join('; ');
  }
  return { value: problems.length + standalone.length, unit: 'count', observedAt: at.toISOString(), details };
}
