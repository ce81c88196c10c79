// Flap control: a monitor opens an incident after failAfter consecutive failing
// runs and resolves it after resolveAfter consecutive healthy ones (Gatus'
// failure-threshold / success-threshold). Pure; the store applies it inside
// one transaction per run.
import type { FlapControl } from '../config/model.js';
import { isFailing, type Status } from './types.js';

export interface MonitorState {
  status: Status;
  /** An incident is open for this monitor. */
  alerting: boolean;
  /** The status the open incident was last notified with. */
  alertStatus?: Status;
  failingStreak: number;
  healthyStreak: number;
  /** When status last changed. */
  since: string;
}

/**
 * open: the incident starts now. change: an open incident's status changed
 * (warning → critical, or to "could not check"). resolve: it is over.
 */
export type Transition = 'none' | 'open' | 'change' | 'resolve';

export function nextMonitorState(
  previous: MonitorState | undefined,
  status: Status,
  at: string,
  flap: FlapControl,
): { state: MonitorState; transition: Transition } {
  const prev: MonitorState = previous ?? {
    status: 'ok',
    alerting: false,
    failingStreak: 0,
    healthyStreak: 0,
    since: at,
  };
  const failing = isFailing(status);
  // A learning run judged nothing: it neither continues nor breaks either streak.
  const neutral = status === 'learning';
  const state: MonitorState = {
    status,
    alerting: prev.alerting,
    alertStatus: prev.alertStatus,
    failingStreak: neutral ? prev.failingStreak : failing ? prev.failingStreak + 1 : 0,
    healthyStreak: neutral ? prev.healthyStreak : failing ? 0 : prev.healthyStreak + 1,
    since: status === prev.status && previous ? prev.since : at,
  };

  if (!prev.alerting && failing && state.failingStreak >= flap.failAfter) {
    return { state: { ...state, alerting: true, alertStatus: status }, transition: 'open' };
  }
  if (prev.alerting && !failing && state.healthyStreak >= flap.resolveAfter) {
    return { state: { ...state, alerting: false, alertStatus: undefined }, transition: 'resolve' };
  }
  if (prev.alerting && failing && status !== prev.alertStatus) {
    return { state: { ...state, alertStatus: status }, transition: 'change' };
  }
  return { state, transition: 'none' };
}
