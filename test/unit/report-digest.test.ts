// The report's numbers and what the store learns about incidents, as pure
// functions: period totals and change, incident counts with time to
// acknowledge and resolve, and incident events read from messages and from
// the incident workflow's state.
import type { IncidentNotification } from '../../channels/types.js';
import { renderReport, summarise, type ReportData } from '../../reports/digest.js';
import { incidentEventsFromNotification, incidentEventsFromSnapshot } from '../../reports/incident-events.js';
import type { IncidentSnapshot } from '../../workflows/incident.js';

const H = 3_600_000;
const t = (h: number) => new Date(Date.UTC(2026, 10, 26, 0) + h * H).toISOString();

const data = (over: Partial<ReportData> = {}): ReportData => ({
  pipeline: 'intel',
  periodStart: t(0),
  periodEnd: t(24),
  timeZone: 'UTC',
  stages: ['collected', 'parsed'],
  windows: [
    { stage: 'collected', windowStart: t(0), windowEnd: t(1), count: 100, lost: 0 },
    { stage: 'parsed', windowStart: t(0), windowEnd: t(1), count: 90, lost: 10 },
    { stage: 'collected', windowStart: t(1), windowEnd: t(2), count: 50, lost: 0 },
  ],
  trend: [
    { periodStart: t(-24), periodEnd: t(0), totals: { collected: 120, parsed: null } },
    { periodStart: t(0), periodEnd: t(24), totals: { collected: 150, parsed: 90 } },
  ],
  freshness: [],
  incidents: [
    // opened before, resolved in the period
    { incidentId: 'a', receiver: 'r', openedAt: t(-2), resolvedAt: t(2) },
    // opened, acknowledged after 10 min and resolved after 1 h, all in the period
    {
      incidentId: 'b',
      receiver: 'r',
      openedAt: t(3),
      acknowledgedAt: new Date(Date.parse(t(3)) + 600_000).toISOString(),
      acknowledgedBy: 'bob',
      resolvedAt: t(4),
    },
    // opened and acknowledged after 30 min, still open
    {
      incidentId: 'c',
      receiver: 'r',
      openedAt: t(10),
      acknowledgedAt: new Date(Date.parse(t(10)) + 1_800_000).toISOString(),
      acknowledgedBy: 'eve',
    },
  ],
  interventions: [],
  ...over,
});

describe('report numbers', () => {
  it('totals each stage over its windows and compares with the previous period', () => {
    const s = summarise(data());
    expect(s.stages).toEqual([
      { stage: 'collected', windows: 2, total: 150, lost: 0, previousTotal: 120, changePercent: 25 },
      { stage: 'parsed', windows: 1, total: 90, lost: 10, previousTotal: null, changePercent: null },
    ]);
  });

  it('counts incidents opened, acknowledged and resolved in the period, with median and longest times', () => {
    const s = summarise(data());
    expect(s.incidents).toEqual({
      opened: 2,
      acknowledged: 2,
      resolved: 2,
      open: 1,
      medianTimeToAcknowledgeMs: (600_000 + 1_800_000) / 2,
      maxTimeToAcknowledgeMs: 1_800_000,
      medianTimeToResolveMs: (4 * H + H) / 2,
      maxTimeToResolveMs: 4 * H,
    });
    const html = renderReport(data(), s, []).html;
    expect(html).toContain(
      '<td data-metric="tta" style="padding:4px 8px;border-bottom:1px solid #d0d7de">20m / 30m</td>',
    );
    expect(html).toContain(
      '<td data-metric="ttr" style="padding:4px 8px;border-bottom:1px solid #d0d7de">2h30m / 4h</td>',
    );
  });

  it('says so when nothing was recorded, rather than showing zeros as data', () => {
    const empty = data({ windows: [], trend: [], incidents: [] });
    const s = summarise(empty);
    expect(s.incidents.medianTimeToAcknowledgeMs).toBeNull();
    const { html, text } = renderReport(empty, s, []);
    expect(html).toContain('No incidents in this period.');
    expect(html).toContain('<td data-metric="tta" style="padding:4px 8px;border-bottom:1px solid #d0d7de">— / —</td>');
    expect(text).toContain('previous period — (—)');
  });
});

describe('incident events', () => {
  const alert = {
    monitor: { id: 'parsed-freshness', perspective: 'data' as const, pipeline: 'intel', labels: {} },
    labels: { pipeline: 'intel' },
    status: 'critical' as const,
    verdict: { status: 'critical' as const, unit: 'seconds' as const, reason: 'old', observedAt: t(1) },
    firing: true,
    since: t(1),
  };

  it('reads the opening, a current acknowledgement and the resolution from a message', () => {
    const firing: IncidentNotification = {
      kind: 'firing',
      incidentId: 'i',
      receiver: 'r',
      groupLabels: {},
      status: 'critical',
      alerts: [alert],
      openedAt: t(1),
    };
    expect(incidentEventsFromNotification(firing)).toEqual([
      {
        incidentId: 'i',
        openedAt: t(1),
        event: 'opened',
        at: t(1),
        severity: 'critical',
        receiver: 'r',
        pipelines: ['intel'],
        monitors: ['parsed-freshness'],
      },
    ]);
    const resolved: IncidentNotification = {
      ...firing,
      kind: 'resolved',
      status: 'ok',
      resolvedAt: t(3),
      resolvedBy: 'alice',
      acknowledged: { by: 'bob', at: t(2) },
    };
    const events = incidentEventsFromNotification(resolved);
    expect(events.map((e) => [e.event, e.at, e.by, e.severity])).toEqual([
      ['opened', t(1), undefined, undefined], // a resolved group says "ok": not the severity it opened with
      ['acknowledged', t(2), 'bob', undefined],
      ['resolved', t(3), 'alice', undefined],
    ]);
  });

  it('takes the first acknowledgement of the current firing period from the state of a reopened incident', () => {
    const snapshot = {
      incidentId: 'i',
      receiver: 'r',
      groupLabels: {},
      state: 'acknowledged',
      status: 'warning',
      alerts: [alert],
      openedAt: t(5),
      acknowledgements: [
        { by: 'old', at: t(1) }, // from the period before it reopened
        { by: 'bob', at: t(6) },
        { by: 'eve', at: t(7) },
      ],
      notificationsSent: 1,
      muted: {},
      reopened: 1,
    } satisfies IncidentSnapshot;
    expect(incidentEventsFromSnapshot(snapshot).map((e) => [e.event, e.at, e.by])).toEqual([
      ['opened', t(5), undefined],
      ['acknowledged', t(6), 'bob'],
    ]);
  });
});
