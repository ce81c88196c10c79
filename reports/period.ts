// Which windows a report's period holds, and when they are all judged. A
// stage-count window ending at the period's end is judged `settle` after that,
// at the stage monitor's next tick: a report made at the period's end would
// not find it, and the next period starts after it — it would be in no report.
// So a scheduled report waits until the pipeline's windows are judged. Pure:
// used in config loading and in the report workflow.
import type { MonitorDefinition, MonitorSchedule } from '../config/model.js';

const HOUR = 3_600_000;
/** The tick after `settle` may start late by its jitter and take a while to record: room for both. */
const RECORDING_MARGIN_MS = 2 * 60_000;

/** Longest gap between two ticks of a schedule (a cron schedule's is not known without its spec: an hour is assumed). */
function tickGapMs(s: MonitorSchedule): number {
  return (s.everyMs ?? HOUR) + (s.jitterMs ?? 0);
}

/**
 * How long after a window's end every stageCounts monitor of the pipeline has recorded it: its settle, then at most
 * one interval (and jitter) until the tick that judges it, and a margin. 0 without stage-count monitors.
 */
export function windowsJudgedWithinMs(members: Array<Pick<MonitorDefinition, 'check' | 'schedule'>>): number {
  let within = 0;
  for (const m of members) {
    if (m.check.type !== 'stageCounts') continue;
    within = Math.max(within, m.check.settle + tickGapMs(m.schedule) + RECORDING_MARGIN_MS);
  }
  return within;
}

/** A window belongs to the period its end falls in: (start, end]. Consecutive periods neither share nor skip one. */
export function windowInPeriod(windowEnd: string, start: number, end: number): boolean {
  const t = Date.parse(windowEnd);
  return t > start && t <= end;
}
