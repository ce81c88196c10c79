// Saturation is never silent (issue 20): from what Temporal says about pipewatch's own schedules —
// the cumulative counters of ticks skipped because the previous run was still open (overlap SKIP) and
// of ticks missed outside the catch-up window, and each recent action's nominal time against when it
// was taken — how many ticks in a window did not run, or ran late. Pure: the temporal connector reads
// the schedules and keeps counter samples in the store; doctor and the status page read the same figures.

/** One schedule as describe shows it. */
export interface ScheduleReading {
  scheduleId: string;
  /** Since the schedule was created. */
  skippedOverlap: number;
  missedCatchupWindow: number;
  /** The last actions (the server keeps about ten): nominal time (with jitter) and when the start was taken. */
  recentActions: Array<{ scheduledAt: Date; takenAt: Date }>;
  paused?: boolean;
}

/** The counters as the store sampled them at the start of the window (sampleCounters), by counterKey. */
export type EarlierCounters = Map<string, { value: number }>;

export const counterKey = (scheduleId: string, counter: 'skipped' | 'missed') => `${counter}:${scheduleId}`;

export interface SaturationFigures {
  schedules: number;
  /** Ticks skipped in the window because the previous run of the schedule was still open. */
  skipped: number;
  /** Ticks the scheduler could not start within the catch-up window (it was down or far behind). */
  missedCatchup: number;
  /** Starts in the window taken more than lateAfter after their time. */
  late: number;
  /** Starts seen in the window (of the recent actions the server keeps). */
  starts: number;
  /** Start lag over those starts, seconds (undefined without any). */
  lagP99Seconds?: number;
  lagMaxSeconds?: number;
  /** Schedules with the most ticks not on time, worst first (at most 5): "id: 3 skipped, 1 late". */
  worst: string[];
  /** Schedules with no earlier sample in the window: their skips are counted from the next run on. */
  unsampled: number;
  /** Pick-up lag: how long the oldest run task has waited for a worker on the task queue, seconds (when read). */
  pickupLagSeconds?: number;
  /** Runs waiting for a worker longer than lateAfter (the queue's backlog, when its oldest task waited that long). */
  waitingForWorker: number;
}

/** The task queue's backlog of workflow tasks (describeTaskQueue with stats): what waits for a worker. */
export interface QueueBacklog {
  count: number;
  ageSeconds: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * The ticks of these schedules that did not run on time in (at − windowMs, at]. A counter's increase is its value
 * now minus its earliest sample in the window; a counter lower than that sample belongs to a schedule made again
 * (sync deleted and created it), so all of it counts. A schedule without a sample in the window counts nothing
 * yet for its counters: nothing says when those skips happened.
 */
export function judgeSaturation(
  readings: ScheduleReading[],
  earlier: EarlierCounters,
  at: Date,
  windowMs: number,
  lateAfterMs: number,
  backlog?: QueueBacklog,
): SaturationFigures {
  const from = at.getTime() - windowMs;
  let skipped = 0;
  let missedCatchup = 0;
  let late = 0;
  let unsampled = 0;
  const lags: number[] = [];
  const perSchedule: Array<{ id: string; skipped: number; missed: number; late: number }> = [];
  const increase = (now: number, before: { value: number } | undefined) =>
    before === undefined ? 0 : now >= before.value ? now - before.value : now;
  for (const r of readings) {
    const s = earlier.get(counterKey(r.scheduleId, 'skipped'));
    const m = earlier.get(counterKey(r.scheduleId, 'missed'));
    if (s === undefined && m === undefined) unsampled++;
    const own = {
      id: r.scheduleId,
      skipped: increase(r.skippedOverlap, s),
      missed: increase(r.missedCatchupWindow, m),
      late: 0,
    };
    for (const a of r.recentActions) {
      const nominal = a.scheduledAt.getTime();
      if (nominal <= from || nominal > at.getTime()) continue;
      const lag = a.takenAt.getTime() - nominal;
      lags.push(lag / 1000);
      if (lag > lateAfterMs) own.late++;
    }
    skipped += own.skipped;
    missedCatchup += own.missed;
    late += own.late;
    if (own.skipped + own.missed + own.late > 0) perSchedule.push(own);
  }
  lags.sort((a, b) => a - b);
  const total = (x: { skipped: number; missed: number; late: number }) => x.skipped + x.missed + x.late;
  const worst = perSchedule
    .sort((a, b) => total(b) - total(a) || a.id.localeCompare(b.id))
    .slice(0, 5)
    .map(
      (x) =>
        `${x.id}: ${[x.skipped && `${x.skipped} skipped`, x.missed && `${x.missed} missed`, x.late && `${x.late} late`].filter(Boolean).join(', ')}`,
    );
  return {
    schedules: readings.length,
    skipped,
    missedCatchup,
    late,
    starts: lags.length,
    lagP99Seconds: percentile(lags, 99),
    lagMaxSeconds: lags.at(-1),
    worst,
    unsampled,
    ...(backlog ? { pickupLagSeconds: backlog.ageSeconds } : {}),
    // Started on time but nobody runs them: as late as a late start, counted by the backlog's size.
    waitingForWorker: backlog && backlog.ageSeconds * 1000 > lateAfterMs ? backlog.count : 0,
  };
}

/** The value the check reports: every tick in the window that did not run on time. */
export const ticksNotOnTime = (f: SaturationFigures): number =>
  f.skipped + f.missedCatchup + f.late + f.waitingForWorker;

/** One line for doctor, the status page and the verdict's details. */
export function saturationSummary(f: SaturationFigures): string {
  const lag =
    f.lagP99Seconds === undefined
      ? 'no starts seen'
      : `start lag p99 ${f.lagP99Seconds.toFixed(2)} s, max ${f.lagMaxSeconds!.toFixed(2)} s over ${f.starts} starts`;
  const pickup =
    f.pickupLagSeconds === undefined
      ? ''
      : `; ${f.waitingForWorker ? `${f.waitingForWorker} run task(s) waiting for a worker, ` : ''}pick-up lag ${f.pickupLagSeconds.toFixed(2)} s`;
  return `${f.schedules} schedule(s): ${f.skipped} tick(s) skipped (previous run still open), ${f.missedCatchup} missed (catch-up window), ${f.late} started late; ${lag}${pickup}`;
}
