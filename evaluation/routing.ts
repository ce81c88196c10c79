// The routing tree: which receiver hears about an alert, and which alerts are
// grouped into one incident — Alertmanager's route / group_by semantics
// (dispatch/route.go, cases of its route_test.go and dispatch_test.go in
// test/unit/alertmanager-routing.test.ts). Pure.
import type { RouteNode } from '../config/model.js';
import { matchesAll, type Labels } from './matchers.js';
import { incidentWorkflowId } from './incident-key.js';

/** `groupBy: ['...']`: every label of the alert groups (Alertmanager's group_by: ['...']). */
export const GROUP_BY_ALL = '...';

/** The receiver a route names to drop what it matches on purpose (Alertmanager's receiver without integrations). */
export const NO_RECEIVER = 'none';

export interface RouteMatch {
  receiver: string;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
}

/**
 * Depth first, left to right (Alertmanager's Route.Match): a matching child
 * takes the alert unless it says `continue`, in which case later siblings are
 * tried too; a node none of whose children matched handles the alert itself.
 * The root always matches. Every match is returned, including `receiver: none`.
 */
export function matchingRoutes(root: RouteNode, labels: Labels): RouteNode[] {
  const visit = (node: RouteNode): RouteNode[] => {
    const found: RouteNode[] = [];
    for (const child of node.routes) {
      if (!matchesAll(child.matchers, labels)) continue;
      found.push(...visit(child));
      if (!child.continue) break;
    }
    return found.length > 0 ? found : [node];
  };
  return visit(root);
}

/**
 * The incidents' routes for an alert: matchingRoutes without the routes that
 * send to `none`, and without a second route that would make the same
 * incident (same receiver and grouping) — that receiver hears once, under the
 * first route's timing.
 */
export function routeAlert(root: RouteNode, labels: Labels): RouteMatch[] {
  const seen = new Set<string>();
  const out: RouteMatch[] = [];
  for (const node of matchingRoutes(root, labels)) {
    if (node.receiver === NO_RECEIVER) continue;
    const identity = `${node.receiver}\u0000${node.groupBy.join('\u0000')}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push({
      receiver: node.receiver,
      groupBy: node.groupBy,
      groupWaitMs: node.groupWaitMs,
      groupIntervalMs: node.groupIntervalMs,
      repeatIntervalMs: node.repeatIntervalMs,
      ...(node.muteTimeIntervals?.length ? { muteTimeIntervals: node.muteTimeIntervals } : {}),
      ...(node.activeTimeIntervals?.length ? { activeTimeIntervals: node.activeTimeIntervals } : {}),
    });
  }
  return out;
}

/**
 * The labels that name an alert's group (Alertmanager's getGroupLabels): the
 * group-by labels the alert has, or all of them under `...`. A label the alert
 * lacks is left out, as Alertmanager leaves it out.
 */
export function groupLabelsOf(groupBy: string[], labels: Labels): Labels {
  if (groupBy.includes(GROUP_BY_ALL))
    return Object.fromEntries(
      Object.keys(labels)
        .sort()
        .map((l) => [l, labels[l]!]),
    );
  return Object.fromEntries(groupBy.filter((l) => l in labels).map((l) => [l, labels[l]!]));
}

/** The incident an alert joins: one per receiver and values of the group-by labels. */
export function incidentFor(match: RouteMatch, labels: Labels): { incidentId: string; groupLabels: Labels } {
  if (match.groupBy.includes(GROUP_BY_ALL)) {
    const groupLabels = groupLabelsOf(match.groupBy, labels);
    return { incidentId: incidentWorkflowId(match.receiver, Object.entries(groupLabels)), groupLabels };
  }
  // A missing label keys as empty (as it always has here: incident ids of open incidents stay the same).
  const groupLabels = Object.fromEntries(match.groupBy.map((l) => [l, labels[l] ?? '']));
  return {
    incidentId: incidentWorkflowId(
      match.receiver,
      match.groupBy.map((l) => [l, labels[l] ?? '']),
    ),
    groupLabels,
  };
}

/** Alertmanager's defaults, which a zero interval falls back to. */
export const DEFAULT_GROUP_INTERVAL_MS = 300_000;
export const DEFAULT_REPEAT_INTERVAL_MS = 14_400_000;

/**
 * A zero (or negative) groupInterval or repeatInterval would make an incident
 * send in a loop. The loader refuses them; a definition a schedule carried
 * from before that may still hold one, so the incident falls back to the defaults.
 */
export function hasZeroInterval(t: { groupIntervalMs: number; repeatIntervalMs: number }): boolean {
  return !(t.groupIntervalMs > 0) || !(t.repeatIntervalMs > 0);
}

export function withoutZeroIntervals<T extends { groupIntervalMs: number; repeatIntervalMs: number }>(t: T): T {
  return {
    ...t,
    groupIntervalMs: t.groupIntervalMs > 0 ? t.groupIntervalMs : DEFAULT_GROUP_INTERVAL_MS,
    repeatIntervalMs: t.repeatIntervalMs > 0 ? t.repeatIntervalMs : DEFAULT_REPEAT_INTERVAL_MS,
  };
}
