// When Kubernetes' CronJob controller starts a Job, in its own terms: the
// schedule it parses (the CronJob's timeZone becomes a TZ= prefix), the most
// recent scheduled time it would start counting from lastScheduleTime or the
// creation time (never a time at or before it), startingDeadlineSeconds, its
// count of missed schedules (> 100: "too many missed start times"), and how it
// names a run's Job (<cronjob>-<scheduled time in minutes since the epoch>,
// annotation batch.kubernetes.io/cronjob-scheduled-timestamp). Same results as
// pkg/controller/cronjob/utils.go, cases ported in test/unit/cronjob-judge.test.ts.
// Pure: used by the judge in evaluation/kubernetes/cronjobs.ts.
import { cronCanFire, knownTimeZone, nextScheduledRun, parseCron, type CronSpec } from './cron.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobSchedule {
  spec: CronSpec;
  zone: string;
}

/**
 * The schedule as the controller reads it: a TZ= in the schedule wins (and is
 * deprecated), else spec.timeZone, else the controller's zone (UTC in
 * practice). An error text when the controller would not run it.
 */
export function cronJobSchedule(
  schedule: string,
  timeZone: string | undefined,
): CronJobSchedule | { error: string; kind: 'schedule' | 'zone' } {
  if (timeZone !== undefined && !schedule.includes('TZ') && !knownTimeZone(timeZone)) {
    return {
      kind: 'zone',
      error: `time zone "${timeZone}" is unknown to this worker's time zone data (Kubernetes reports UnknownTimeZone if it does not know it either)`,
    };
  }
  const spec = parseCron(schedule);
  if (typeof spec === 'string') return { kind: 'schedule', error: spec };
  return { spec, zone: spec.zone ?? timeZone ?? 'UTC' };
}

export interface ScheduleState {
  /** metadata.creationTimestamp */
  created: number;
  /** status.lastScheduleTime */
  lastScheduleTime?: number;
  startingDeadlineSeconds?: number;
}

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  /** lastScheduleTime, else the creation time — moved up to now − startingDeadlineSeconds when asked. */
  earliest: number;
  /** The first scheduled time after earliest. */
  first?: number;
  /** The most recent scheduled time at or before now, or undefined. */
  mostRecent?: number;
  missed: Missed;
  /** The schedule never gives two times a second apart (e.g. 31 February). */
  error?: string;
}

const next = (s: CronJobSchedule, t: number) => nextScheduledRun(s.spec, s.zone, t);

/** The controller's mostRecentScheduleTime: its interval estimate included, so it answers as Kubernetes does. */
export function mostRecentScheduleTime(
  state: ScheduleState,
  now: number,
  schedule: CronJobSchedule,
  includeStartingDeadline: boolean,
): MostRecent {
  let earliest = state.lastScheduleTime ?? state.created;
  if (includeStartingDeadline && state.startingDeadlineSeconds !== undefined) {
    earliest = Math.max(earliest, now - state.startingDeadlineSeconds * 1000);
  }
  const t1 = next(schedule, earliest);
  const t2 = t1 === undefined ? undefined : next(schedule, t1);
  if (t1 === undefined || t2 === undefined || !cronCanFire(schedule.spec)) {
    return { earliest, missed: 'none', error: 'the schedule never fires (no two scheduled times to measure between)' };
  }
  if (now < t1) return { earliest, first: t1, missed: 'none' };
  if (now < t2) return { earliest, first: t1, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1)
    return { earliest, first: t1, missed: 'none', error: 'the time between two scheduled times is less than a second' };
  const elapsed = Math.trunc((now - t1) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  // As the controller: start one interval before the estimate and let the schedule find the times.
  let mostRecent: number | undefined;
  for (
    let t = next(schedule, t1 + (missedCount - 2) * between * 1000);
    t !== undefined && t <= now;
    t = next(schedule, t)
  )
    mostRecent = t;
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, first: t1, ...(mostRecent !== undefined ? { mostRecent } : {}), missed };
}

/** The controller's nextScheduleTime: the time it would start a Job for now, if any. */
export function nextScheduleTime(
  state: ScheduleState,
  now: number,
  schedule: CronJobSchedule,
): { at?: number; error?: string; tooManyMissed: boolean } {
  const r = mostRecentScheduleTime(state, now, schedule, true);
  if (r.mostRecent === undefined || r.mostRecent > now)
    return { ...(r.error ? { error: r.error } : {}), tooManyMissed: false };
  return { at: r.mostRecent, tooManyMissed: r.missed === 'many' };
}

/** The controller's requeue delay (nextScheduleTimeDuration): until the next scheduled time, plus 100 ms. */
export function nextScheduleDelay(state: ScheduleState, now: number, schedule: CronJobSchedule): number {
  const r = mostRecentScheduleTime(state, now, schedule, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent === undefined) from = r.missed === 'none' ? r.earliest : now;
  else from = r.mostRecent;
  return next(schedule, from)! + 100 - now;
}

/** The name the controller gives the Job of a scheduled time. */
export function jobNameFor(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

/** The annotation value the controller writes: RFC 3339 in the CronJob's zone. */
export function scheduledTimestampText(scheduled: number, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(scheduled))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  const offset = Math.round((wall - Math.floor(scheduled / 1000) * 1000) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const zoneText =
    offset === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${zoneText}`;
}

/**
 * The scheduled time a Job ran for: the controller's annotation, else the
 * minutes in its name — undefined for a Job started by hand
 * (kubectl create job --from), which carries neither.
 */
export function scheduledTimeOfJob(
  cronJobName: string,
  job: { name?: string; annotations?: Record<string, string> },
): number | undefined {
  const text = job.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION];
  if (text !== undefined) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return at;
  }
  const name = job.name ?? '';
  const suffix = name.startsWith(`${cronJobName}-`) ? name.slice(cronJobName.length + 1) : '';
  return /^\d{1,12}$/.test(suffix) ? Number(suffix) * 60_000 : undefined;
}
