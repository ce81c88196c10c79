// Why an alert should not be sent now: a silence, a maintenance window, an
// inhibiting alert (a critical on a pipeline mutes its warnings), or its
// route's time intervals. Pure: the same decision in the worker, in tests, and
// for any replay. Inhibition follows Alertmanager's inhibit/inhibit.go (cases
// of its inhibit_test.go in test/unit/alertmanager-routing.test.ts).
import type { InhibitRule, MaintenanceWindow } from '../config/model.js';
import { openWindow, parseCron } from './cron.js';
import { matchesAll, parseMatcher, type Labels, type Matcher } from './matchers.js';
import { routeTimeMute, routeTimeMuteChangesAt, type TimeInterval } from './time-intervals.js';

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  reason: string;
  /** Set when an operator ended it early. */
  expiredAt?: string;
  expiredBy?: string;
}

export interface AlertLabels {
  monitorId: string;
  labels: Labels;
}

export interface ActiveAlert extends AlertLabels {
  status: string;
}

export type MuteReason =
  | { kind: 'silence'; id: string; until: string; by: string; reason: string }
  | { kind: 'maintenance'; id: string; until: string; owner: string; reason: string }
  | { kind: 'inhibited'; by: string; rule?: string }
  /** The incident's route is inside a mute interval, or outside all of its active ones; `until`: when that changes. */
  | { kind: 'time-interval'; because: 'mute' | 'inactive'; intervals: string[]; until: string };

/** The time intervals of the route an incident came from, and the definitions they name. */
export interface RouteTimes {
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
  defined: Record<string, TimeInterval[]>;
}

/**
 * A firing source alert that agrees with `alert` on every `equal` label (a
 * missing label reads as ""), as Alertmanager's hasEqual: with
 * `excludeTwoSided`, sources that also match the target side are passed over.
 * An alert never inhibits itself.
 */
export function hasEqual(
  rule: InhibitRule,
  alert: AlertLabels,
  active: ActiveAlert[],
  excludeTwoSided: boolean,
): ActiveAlert | undefined {
  return active.find(
    (a) =>
      a.monitorId !== alert.monitorId &&
      matchesAll(rule.source, a.labels) &&
      rule.equal.every((l) => (a.labels[l] ?? '') === (alert.labels[l] ?? '')) &&
      !(excludeTwoSided && matchesAll(rule.target, a.labels)),
  );
}

/**
 * The firing alert that inhibits `alert` under `rule`, if any (Alertmanager's
 * Inhibitor.Mutes): the target side must match; when the source side matches
 * too, only sources that do not also match the target side count, so two
 * alerts that each match both sides do not mute each other.
 */
export function inhibitingAlert(rule: InhibitRule, alert: AlertLabels, active: ActiveAlert[]): ActiveAlert | undefined {
  if (!matchesAll(rule.target, alert.labels)) return undefined;
  return hasEqual(rule, alert, active, matchesAll(rule.source, alert.labels));
}

export function silenceActive(s: Silence, now: number): boolean {
  return !s.expiredAt && Date.parse(s.startsAt) <= now && now < Date.parse(s.endsAt);
}

export function muteReason(
  alert: AlertLabels,
  context: {
    now: number;
    silences: Silence[];
    maintenance: MaintenanceWindow[];
    inhibit: InhibitRule[];
    active: ActiveAlert[];
    route?: RouteTimes;
  },
): MuteReason | undefined {
  const { now } = context;
  for (const s of context.silences) {
    if (silenceActive(s, now) && matchesAll(s.matchers, alert.labels)) {
      return { kind: 'silence', id: s.id, until: s.endsAt, by: s.createdBy, reason: s.reason };
    }
  }
  for (const w of context.maintenance) {
    if (!matchesAll(w.matchers, alert.labels)) continue;
    const spec = parseCron(w.cron);
    if (typeof spec === 'string') continue; // validated at load
    const open = openWindow(spec, w.durationMs, w.timezone, now);
    if (open)
      return {
        kind: 'maintenance',
        id: w.id,
        until: new Date(open.end).toISOString(),
        owner: w.owner,
        reason: w.reason,
      };
  }
  for (const rule of context.inhibit) {
    const source = inhibitingAlert(rule, alert, context.active);
    if (source) return { kind: 'inhibited', by: source.monitorId, ...(rule.name ? { rule: rule.name } : {}) };
  }
  const route = context.route;
  if (route && ((route.muteTimeIntervals?.length ?? 0) > 0 || (route.activeTimeIntervals?.length ?? 0) > 0)) {
    const mute = routeTimeMute(route, route.defined, now);
    if (mute.muted) {
      const until = routeTimeMuteChangesAt(route, route.defined, now);
      return {
        kind: 'time-interval',
        because: mute.because,
        intervals: mute.intervals,
        until: new Date(until).toISOString(),
      };
    }
  }
  return undefined;
}

/** Parses matcher strings, collecting the messages of malformed ones. */
export function parseMatchers(texts: string[]): { matchers: Matcher[]; errors: string[] } {
  const matchers: Matcher[] = [];
  const errors: string[] = [];
  for (const t of texts) {
    const m = parseMatcher(t);
    if (typeof m === 'string') errors.push(m);
    else matchers.push(m);
  }
  return { matchers, errors };
}
