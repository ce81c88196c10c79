// Why an alert should not be sent now: a silence, a maintenance window, or an
// inhibiting alert (a critical on a pipeline mutes its warnings). Pure: the
// same decision in the worker, in tests, and for any replay.
import type { InhibitRule, MaintenanceWindow } from '../config/model.js';
import { openWindow, parseCron } from './cron.js';
import { matchesAll, parseMatcher, type Labels, type Matcher } from './matchers.js';

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
  | { kind: 'inhibited'; by: string };

export function silenceActive(s: Silence, now: number): boolean {
  return !s.expiredAt && Date.parse(s.startsAt) <= now && now < Date.parse(s.endsAt);
}

export function muteReason(
  alert: AlertLabels,
  context: { now: number; silences: Silence[]; maintenance: MaintenanceWindow[]; inhibit: InhibitRule[]; active: ActiveAlert[] },
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
    if (open) return { kind: 'maintenance', id: w.id, until: new Date(open.end).toISOString(), owner: w.owner, reason: w.reason };
  }
  for (const rule of context.inhibit) {
    if (!matchesAll(rule.target, alert.labels)) continue;
    const source = context.active.find(
      (a) => a.monitorId !== alert.monitorId && matchesAll(rule.source, a.labels) && rule.equal.every((l) => (a.labels[l] ?? '') === (alert.labels[l] ?? '')),
    );
    if (source) return { kind: 'inhibited', by: source.monitorId };
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
