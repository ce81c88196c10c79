// An escalation policy unrolled into the notifications it makes: steps in
// order, repeated, then the next policy. Pure; config/notification.ts refuses cycles.
import type { EscalationPolicy } from '../config/model.js';

export interface EscalationStepDue {
  /** Since the escalation started. */
  offsetMs: number;
  notify: string[];
  policy: string;
  step: number;
  round: number;
}

export function escalationPlan(policies: Record<string, EscalationPolicy>, start: string): EscalationStepDue[] {
  const out: EscalationStepDue[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (let id: string | undefined = start; id && !seen.has(id); id = policies[id]?.then) {
    seen.add(id);
    const policy = policies[id];
    if (!policy) break;
    for (let round = 0; round <= policy.repeat; round++) {
      policy.steps.forEach((s, step) => {
        offset += s.afterMs;
        out.push({ offsetMs: offset, notify: s.notify, policy: id!, step: step + 1, round: round + 1 });
      });
    }
  }
  return out;
}

/** The first policy in a `then` chain that leads back to itself, as the cycle's path. */
export function escalationCycle(policies: Record<string, { then?: string }>): string[] | undefined {
  for (const start of Object.keys(policies)) {
    const path: string[] = [];
    for (let id: string | undefined = start; id && policies[id]; id = policies[id]!.then) {
      if (path.includes(id)) return [...path.slice(path.indexOf(id)), id];
      path.push(id);
    }
  }
  return undefined;
}
