// What an incident is made of: its input, the alert events it hears, what it answers (snapshot), the
// requests people make of it, and the memory it carries across continue-as-new (and starts from). Shared by the state
// machine (evaluation/incident-machine.ts), the workflow that runs it (workflows/incident.ts, which
// re-exports these names) and everyone who reads an incident (CLI, status page, reports, tests).
import type { NotificationPolicy } from '../config/model.js';
import type { AlertSummary, IncidentSubject } from '../channels/types.js';
import type { Correlation } from './correlation.js';
import type { EscalationStepDue } from './escalation.js';
import type { Transition } from './flap.js';
import type { Labels } from './matchers.js';
import type { AlertLabels, MuteReason, RouteTimes } from './muting.js';
import type { Status, Verdict } from './types.js';

export interface IncidentTiming {
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  /** The route's time intervals (names in policy.timeIntervals): muted inside these… */
  muteTimeIntervals?: string[];
  /** …and outside all of these. */
  activeTimeIntervals?: string[];
}

export interface IncidentInput {
  incidentId: string;
  receiver: string;
  groupLabels: Labels;
  timing: IncidentTiming;
  policy: NotificationPolicy;
  /** A correlated pipeline's incident (pipelines.<id>.correlation): told as causes with their symptoms. */
  correlation?: { windowMs: number };
}

export interface AlertEvent {
  transition: Exclude<Transition, 'none'>;
  /** The monitor run that caused it; repeats of the same run are ignored. */
  runId: string;
  monitor: IncidentSubject;
  labels: Labels;
  status: Status;
  verdict: Verdict;
  at: string;
}

export type IncidentState = 'pending' | 'firing' | 'acknowledged' | 'resolved';

export interface Acknowledgement {
  by: string;
  note?: string;
  at: string;
  until?: string;
}

export interface IncidentSnapshot {
  incidentId: string;
  receiver: string;
  groupLabels: Labels;
  state: IncidentState;
  /** Worst status among firing alerts. */
  status: Status;
  alerts: AlertSummary[];
  openedAt?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  acknowledged?: Acknowledgement;
  /** Every acknowledgement, in order: who, when, why. */
  acknowledgements: Acknowledgement[];
  escalation?: { policy: string; nextStep?: EscalationStepDue & { at: string }; stepsDone: number; stepsTotal: number };
  notificationsSent: number;
  lastNotifiedAt?: string;
  /** Monitors left out of the last message, and why. */
  muted: Record<string, MuteReason>;
  reopened: number;
  /** Correlated incidents: the probable causes now, each with its downstream symptoms. */
  correlation?: Correlation;
}

export interface AcknowledgeRequest {
  by: string;
  note?: string;
  /** How long the acknowledgement holds; escalation resumes after it. */
  forMs?: number;
}

export interface ResolveRequest {
  by: string;
  note?: string;
}

/**
 * Everything that outlives one run of the workflow (continue-as-new). Running workflows carry this shape
 * in their histories: add optional fields only, never rename or remove one.
 */
export interface IncidentMemory {
  state: IncidentState;
  alerts: Record<string, AlertSummary>;
  openedAt?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  ack?: Acknowledgement;
  acknowledgements: Acknowledgement[];
  /** Changes not yet told. */
  dirty: boolean;
  /** The opening message of this firing period went out. */
  opened: boolean;
  nextFlushAt?: number;
  reminderAt?: number;
  escalation?: { steps: EscalationStepDue[]; next: number; startedAt: number };
  resolvedUntil?: number;
  muteRecheckAt?: number;
  /** When channels that must hear a firing alert while it lasts (Alertmanager) are told again. */
  refreshAt?: number;
  muted: Record<string, MuteReason>;
  /** Channels that heard about this incident: they get the resolved message. */
  told: string[];
  seq: number;
  sent: number;
  lastNotifiedAt?: string;
  reopened: number;
  queue: AlertEvent[];
  recentRuns: string[];
  /** Correlated incidents: the causes last told (causeKey), and when the causes change by themselves. */
  toldCauses?: string;
  reevaluateAt?: number;
}

/** The memory of an incident that has heard nothing yet. */
export function freshMemory(): IncidentMemory {
  return {
    state: 'pending',
    alerts: {},
    acknowledgements: [],
    dirty: false,
    opened: false,
    muted: {},
    told: [],
    seq: 0,
    sent: 0,
    reopened: 0,
    queue: [],
    recentRuns: [],
  };
}

export interface IncidentSettings {
  input: IncidentInput;
  /** The timing it runs on (the workflow decides, behind a patch, whether zero intervals become the defaults). */
  timing: IncidentTiming;
  /** Present when the incident is told as causes with symptoms (the workflow's 'correlated-incidents' path). */
  correlation?: { windowMs: number };
  /** The workflow's first run: idempotency keys stay the same across continue-as-new. */
  firstRunId: string;
}

/** What the muteState activity is asked: the firing alerts and everything that may mute them. */
export interface MuteQuery {
  alerts: AlertLabels[];
  maintenance: IncidentInput['policy']['maintenance'];
  inhibit: IncidentInput['policy']['inhibit'];
  route?: RouteTimes;
}

/** What the search attributes say about the incident: its state, its worst status, the monitor it is listed under. */
export interface IncidentListing {
  state: IncidentState;
  status: Status;
  monitor?: IncidentSubject;
}
