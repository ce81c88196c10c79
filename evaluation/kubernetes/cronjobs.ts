// The cronJobs check's judgement: a missed run, no success for N periods, a
// failed last Job, a run far slower than usual, as the CronJob controller
// counts runs (evaluation/cronjob-schedule.ts). Pure; the connector lists the
// CronJobs and Jobs, or reads schedules from manifests (connectors/kubernetes/cronjobs.ts).
import { cronCanFire, lastScheduledRun, type CronSpec } from '../cron.js';
import { cronJobSchedule, mostRecentScheduleTime, scheduledTimeOfJob } from '../cronjob-schedule.js';
import { median } from '../history.js';
import { formatSpan, ms, type ObjectMeta } from './shared.js';

export interface CronJobShape {
  metadata?: ObjectMeta;
  spec?: {
    schedule: string;
    timeZone?: string;
    suspend?: boolean;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: string;
  };
  status?: { lastScheduleTime?: Date | string; lastSuccessfulTime?: Date | string; active?: Array<{ name?: string }> };
}

export interface JobShape {
  metadata?: ObjectMeta;
  status?: {
    startTime?: Date | string;
    completionTime?: Date | string;
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: Date | string;
    }>;
  };
}

export interface CronJobSettings {
  grace: number;
  successWithin: number;
  failedWithin: number;
  slowerThan: number;
  maxDuration?: number;
}

export interface CronJobJudgement {
  namespace: string;
  name: string;
  /** unchecked: could not be judged here (a time zone this worker does not know); the others still are. */
  state: 'ok' | 'suspended' | 'problem' | 'unchecked';
  problems: string[];
  /** What an operator reads first: schedule, zone, last run. */
  summary: string;
}

function jobFinished(
  job: JobShape,
): { outcome: 'succeeded' | 'failed'; at: number; reason?: string; message?: string } | undefined {
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed)
    return {
      outcome: 'failed',
      at: ms(failed.lastTransitionTime) ?? ms(job.status?.startTime) ?? 0,
      reason: failed.reason,
      message: failed.message,
    };
  const complete = job.status?.conditions?.find((c) => c.type === 'Complete' && c.status === 'True');
  const completion = ms(job.status?.completionTime) ?? ms(complete?.lastTransitionTime);
  if (complete || completion !== undefined) return { outcome: 'succeeded', at: completion ?? 0 };
  return undefined;
}

/** Scheduled runs before `before`, newest first, as Kubernetes would compute them. */
export function previousRuns(spec: CronSpec, zone: string, before: number, n: number, notBefore: number): number[] {
  const out: number[] = [];
  let t = before;
  while (out.length < n) {
    const run = lastScheduledRun(spec, zone, t, Math.max(60_000, t - notBefore));
    if (run === undefined) break;
    out.push(run);
    t = run - 60_000;
  }
  return out;
}

function localTimeText(at: number, zone: string): string {
  const text = new Intl.DateTimeFormat('sv-SE', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
  return `${text} ${zone}`;
}

/**
 * Judges one CronJob: a missed run (an expected start that did not happen
 * within grace), no success for N periods, a failed last Job, a run taking
 * far longer than usual. A suspended CronJob is reported as such. The
 * schedule may come from a manifest on disk instead of the live object.
 * A run happened when status.lastScheduleTime reached it, or when one of the
 * CronJob's own Jobs (in `jobs` or status.active) was made for it — the
 * status field can lag behind the Jobs. As the controller, a CronJob counts
 * only runs scheduled after its creation (one created on a scheduled second
 * does not owe that run).
 */
export function judgeCronJob(cron: CronJobShape, jobs: JobShape[], s: CronJobSettings, now: number): CronJobJudgement {
  const namespace = cron.metadata?.namespace ?? 'default';
  const name = cron.metadata?.name ?? '?';
  const schedule = cron.spec?.schedule ?? '';
  const base = { namespace, name };
  if (cron.spec?.suspend)
    return {
      ...base,
      state: 'suspended',
      problems: [],
      summary: `suspended (schedule ${schedule}${cron.spec.timeZone ? ` ${cron.spec.timeZone}` : ''})`,
    };
  const parsed = cronJobSchedule(schedule, cron.spec?.timeZone);
  if ('error' in parsed) {
    if (parsed.kind === 'zone')
      return {
        ...base,
        state: 'unchecked',
        problems: [`could not check: ${parsed.error}`],
        summary: `schedule ${schedule} ${cron.spec?.timeZone}`,
      };
    return {
      ...base,
      state: 'problem',
      problems: [`schedule not understood: ${parsed.error}`],
      summary: `schedule ${schedule}`,
    };
  }
  const { spec, zone } = parsed;
  const zoneText = cron.spec?.timeZone || spec.zone ? ` ${zone}` : ' (UTC)';
  if (!cronCanFire(spec)) {
    return {
      ...base,
      state: 'problem',
      problems: [
        `schedule "${schedule}" never fires (no selected month has that day): Kubernetes reports InvalidSchedule and starts no Job`,
      ],
      summary: `schedule ${schedule}${zoneText}`,
    };
  }

  const problems: string[] = [];
  const created = ms(cron.metadata?.creationTimestamp) ?? 0;
  const lastSchedule = ms(cron.status?.lastScheduleTime);
  const uid = cron.metadata?.uid;
  const own = jobs.filter(
    (j) =>
      (j.metadata?.namespace ?? namespace) === namespace &&
      j.metadata?.ownerReferences?.some(
        (o) => o.kind === 'CronJob' && o.name === name && (!uid || !o.uid || o.uid === uid),
      ),
  );
  // The scheduled times the CronJob's Jobs were made for, running or not.
  const madeFor = new Set<number>();
  for (const j of own) {
    const at = scheduledTimeOfJob(name, { name: j.metadata?.name, annotations: j.metadata?.annotations });
    if (at !== undefined) madeFor.add(at);
  }
  for (const a of cron.status?.active ?? []) {
    const at = scheduledTimeOfJob(name, { name: a.name });
    if (at !== undefined) madeFor.add(at);
  }
  const newestRun = Math.max(lastSchedule ?? -Infinity, ...madeFor);
  const ran = (t: number) => newestRun >= t;
  const succeeded = own
    .map((j) => jobFinished(j))
    .filter((e) => e?.outcome === 'succeeded')
    .map((e) => e!.at);
  const lastSuccess = [ms(cron.status?.lastSuccessfulTime), ...succeeded].reduce<number | undefined>(
    (a, b) => (b === undefined ? a : a === undefined ? b : Math.max(a, b)),
    undefined,
  );
  const deadline = cron.spec?.startingDeadlineSeconds;
  const grace = deadline !== undefined ? Math.min(s.grace, deadline * 1000) : s.grace;

  // Missed: the latest run that should have started by now (time + grace) did not.
  let due: number | undefined;
  if (spec.everyMs !== undefined) {
    // "@every": times count from the last run, as the controller counts them.
    const k = mostRecentScheduleTime(
      { created, ...(Number.isFinite(newestRun) ? { lastScheduleTime: newestRun } : {}) },
      now - grace,
      parsed,
      false,
    );
    due = k.mostRecent ?? (k.missed !== 'none' ? k.first : undefined);
  } else {
    due = lastScheduledRun(spec, zone, now - grace);
    // As the controller: it counts from lastScheduleTime, or without one from the creation time (exclusive).
    if (due !== undefined && lastSchedule === undefined && due <= created) due = undefined;
  }
  if (due !== undefined && !ran(due)) {
    const active = (cron.status?.active ?? []).map((a) => a.name ?? '?');
    const forbid = cron.spec?.concurrencyPolicy === 'Forbid' && active.length > 0;
    const late = deadline !== undefined && due + deadline * 1000 < now;
    const controller = mostRecentScheduleTime(
      { created, lastScheduleTime: lastSchedule, startingDeadlineSeconds: deadline },
      now,
      parsed,
      true,
    );
    problems.push(
      `missed the run due ${localTimeText(due, zone)} (${formatSpan(now - due)} ago, grace ${formatSpan(grace)}); last run ${lastSchedule === undefined ? 'never' : `${localTimeText(lastSchedule, zone)} (${formatSpan(now - lastSchedule)} ago)`}` +
        (forbid ? `; skipped because ${active.join(', ')} is still running (concurrencyPolicy Forbid)` : '') +
        (late ? `; startingDeadlineSeconds (${deadline}) has passed, so Kubernetes will not start it` : '') +
        (controller.missed === 'many'
          ? '; more than 100 start times missed: Kubernetes reports TooManyMissedTimes (check the controller and clock skew, or set startingDeadlineSeconds)'
          : ''),
    );
  }

  // No success for N periods: the last success is older than the N-th latest scheduled run.
  const runs = previousRuns(spec, zone, now - grace, s.successWithin, Math.min(created, lastSuccess ?? created));
  const oldest = runs.length === s.successWithin ? runs[runs.length - 1] : undefined;
  if (oldest !== undefined && (lastSuccess !== undefined ? lastSuccess < oldest : oldest > created)) {
    problems.push(
      `no success in the last ${s.successWithin} scheduled runs (since ${localTimeText(oldest, zone)}); last success ${lastSuccess === undefined ? 'never' : `${formatSpan(now - lastSuccess)} ago`}`,
    );
  }

  const finished = own.map((j) => ({ job: j, end: jobFinished(j) })).filter((x) => x.end) as Array<{
    job: JobShape;
    end: NonNullable<ReturnType<typeof jobFinished>>;
  }>;
  finished.sort((a, b) => a.end.at - b.end.at);
  const newest = finished[finished.length - 1];
  if (newest && newest.end.outcome === 'failed' && newest.end.at >= now - s.failedWithin) {
    problems.push(
      `Job ${newest.job.metadata?.name} failed ${formatSpan(now - newest.end.at)} ago: ${newest.end.reason ?? 'Failed'}${newest.end.message ? ` — ${newest.end.message}` : ''}`,
    );
  }

  const durations = finished
    .filter((f) => f.end.outcome === 'succeeded' && ms(f.job.status?.startTime) !== undefined)
    .map((f) => f.end.at - ms(f.job.status!.startTime)!);
  const usual = durations.length >= 2 ? median(durations) : undefined;
  const limit = s.maxDuration ?? (usual !== undefined ? Math.max(60_000, usual * s.slowerThan) : undefined);
  for (const j of own.filter((x) => !jobFinished(x))) {
    const started = ms(j.status?.startTime);
    if (started === undefined || limit === undefined) continue;
    const running = now - started;
    if (running > limit) {
      problems.push(
        `Job ${j.metadata?.name} has run ${formatSpan(running)}` +
          (usual !== undefined
            ? `; its last ${durations.length} successful runs took a median ${formatSpan(usual)}`
            : '') +
          (s.maxDuration !== undefined ? ` (limit ${formatSpan(s.maxDuration)})` : ` (limit ${s.slowerThan}× that)`),
      );
    }
  }

  const summary = `schedule ${schedule}${zoneText}, last run ${lastSchedule === undefined ? 'never' : `${formatSpan(now - lastSchedule)} ago`}, last success ${lastSuccess === undefined ? 'never' : `${formatSpan(now - lastSuccess)} ago`}`;
  return { ...base, state: problems.length ? 'problem' : 'ok', problems, summary };
}

/** A Job outside any CronJob that failed within the window. */
export function failedJob(job: JobShape, failedWithin: number, now: number): string | undefined {
  if (job.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob')) return undefined;
  const end = jobFinished(job);
  if (!end || end.outcome !== 'failed' || end.at < now - failedWithin) return undefined;
  return `Job ${job.metadata?.namespace}/${job.metadata?.name} failed ${formatSpan(now - end.at)} ago: ${end.reason ?? 'Failed'}${end.message ? ` — ${end.message}` : ''}`;
}
