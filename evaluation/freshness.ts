// Freshness against the producing job's schedule: data is late when a run the
// schedule expected has passed, plus its grace, and nothing newer than that
// run has arrived. Pure.
import { formatDuration } from '../config/duration.js';
import { lastScheduledRun, parseCron } from './cron.js';
import type { Measurement } from './types.js';

export interface ProducerSchedule {
  cron: string;
  timezone: string;
  grace: number;
}

/**
 * Turns a freshness measurement (age of the newest record) into lateness: the
 * value becomes the seconds by which the data is overdue (0 when on time).
 */
export function lateness(measurement: Measurement, expected: ProducerSchedule, at: number): Measurement {
  const spec = parseCron(expected.cron);
  if (typeof spec === 'string') throw new Error(spec); // refused at load
  const newestText = measurement.details?.newest;
  const newest = typeof newestText === 'string' ? Date.parse(newestText) : undefined;

  // The run that must have delivered by now: the last one whose grace is over.
  let run = lastScheduledRun(spec, expected.timezone, at);
  if (run !== undefined && at < run + expected.grace) run = lastScheduledRun(spec, expected.timezone, run - 60_000);
  const details = {
    ...measurement.details,
    schedule: `${expected.cron} (${expected.timezone}), grace ${formatDuration(expected.grace)}`,
  };
  if (run === undefined) return { ...measurement, value: 0, details: { ...details, expectedRun: null } };

  const dueBy = run + expected.grace;
  const onTime = newest !== undefined && newest >= run;
  return {
    ...measurement,
    value: onTime ? 0 : Math.max(0, (at - dueBy) / 1000),
    details: { ...details, expectedRun: new Date(run).toISOString(), dueBy: new Date(dueBy).toISOString() },
  };
}
