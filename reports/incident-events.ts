// What the history store learns about an incident's firing period from the
// incident workflow, without changing that workflow: every message it sends
// carries when the period opened, the acknowledgement in force and the
// resolution (read in deliverNotification), and the workflow's `state` query
// gives every acknowledgement of a running incident (read when a report is
// made). Both turn into the same idempotent events.
import type { IncidentNotification } from '../channels/types.js';
import type { IncidentSnapshot } from '../workflows/incident.js';
import type { IncidentEvent } from '../store/history.js';

type Source = Pick<IncidentSnapshot, 'incidentId' | 'receiver' | 'status' | 'alerts' | 'resolvedAt' | 'resolvedBy'> & {
  openedAt?: string;
};

function events(
  source: Source,
  acknowledged: { at: string; by: string } | undefined,
  resolved: boolean,
): IncidentEvent[] {
  if (!source.openedAt) return [];
  const base = {
    incidentId: source.incidentId,
    openedAt: source.openedAt,
    receiver: source.receiver,
    pipelines: [
      ...new Set(
        source.alerts.map((a) => a.monitor.pipeline ?? a.labels.pipeline).filter((p): p is string => Boolean(p)),
      ),
    ].sort(),
    monitors: [...new Set(source.alerts.map((a) => a.monitor.id))].sort(),
  };
  const out: IncidentEvent[] = [
    // A resolved group's status is "ok": the severity it opened with comes from a message sent while it fired.
    { ...base, event: 'opened', at: source.openedAt, severity: source.status !== 'ok' ? source.status : undefined },
  ];
  if (acknowledged && acknowledged.at >= source.openedAt)
    out.push({ ...base, event: 'acknowledged', at: acknowledged.at, by: acknowledged.by });
  if (resolved && source.resolvedAt)
    out.push({ ...base, event: 'resolved', at: source.resolvedAt, by: source.resolvedBy });
  return out;
}

export function incidentEventsFromNotification(n: IncidentNotification): IncidentEvent[] {
  return events(n, n.acknowledged, n.kind === 'resolved');
}

export function incidentEventsFromSnapshot(s: IncidentSnapshot): IncidentEvent[] {
  // Acknowledgements are kept across reopenings: the first one of this period counts.
  const first = s.openedAt ? s.acknowledgements.find((a) => a.at >= s.openedAt!) : undefined;
  return events(s, first, s.state === 'resolved');
}
