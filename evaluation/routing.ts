// The routing tree: which receiver hears about an alert, and which alerts are
// grouped into one incident (Alertmanager's route / group_by semantics). Pure.
import type { RouteNode } from '../config/model.js';
import { matchesAll, type Labels } from './matchers.js';
import { incidentWorkflowId } from './incident-key.js';

export interface RouteMatch {
  receiver: string;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/**
 * Depth first: a matching child takes the alert unless it says `continue`, in
 * which case later siblings are tried too. A node none of whose children
 * matched handles the alert itself. The root always matches.
 */
export function routeAlert(root: RouteNode, labels: Labels): RouteMatch[] {
  const visit = (node: RouteNode): RouteMatch[] => {
    const found: RouteMatch[] = [];
    for (const child of node.routes) {
      if (!matchesAll(child.matchers, labels)) continue;
      found.push(...visit(child));
      if (!child.continue) break;
    }
    if (found.length > 0) return found;
    return [{ receiver: node.receiver, groupBy: node.groupBy, groupWaitMs: node.groupWaitMs, groupIntervalMs: node.groupIntervalMs, repeatIntervalMs: node.repeatIntervalMs }];
  };
  const seen = new Set<string>();
  // The same receiver reached twice through `continue` is notified once.
  return visit(root).filter((m) => !seen.has(m.receiver) && seen.add(m.receiver));
}

/** The incident an alert joins: one per receiver and values of the group-by labels. */
export function incidentFor(match: RouteMatch, labels: Labels): { incidentId: string; groupLabels: Labels } {
  const groupLabels = Object.fromEntries(match.groupBy.map((l) => [l, labels[l] ?? '']));
  return { incidentId: incidentWorkflowId(match.receiver, match.groupBy.map((l) => [l, labels[l] ?? ''])), groupLabels };
}
