// A pipeline's periodic report, on its own schedule (pipewatch-report/<pipeline>):
// one activity gathers the period's numbers from the store and Temporal,
// renders the charts, saves the report and emails it. Only ids and counts come
// back into this workflow's history; the HTML and the PNGs stay in the store.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { patched, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { ReportDefinition } from '../config/model.js';
import type { Activities } from '../activities/index.js';

export const REPORT_PREFIX = 'pipewatch-report/';

export function reportScheduleId(pipeline: string): string {
  return `${REPORT_PREFIX}${pipeline}`;
}

export interface ReportResult {
  reportId: string;
  periodStart: string;
  periodEnd: string;
  /** Whether the report was made by this run or an earlier attempt had saved it. */
  saved: 'new' | 'existing';
  images: number;
  delivered: Array<{ channelId: string; outcome: 'sent' | 'already-sent' }>;
  incidents: { opened: number; acknowledged: number; resolved: number; open: number };
  interventionsPending: number;
}

const MINUTE = 60_000;
/** patched() marker: a scheduled report waits until its period's last stage-count window is judged. */
export const REPORT_WAITS_FOR_WINDOWS = 'report-waits-for-last-window';
/** Set by Temporal on every run a schedule starts. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function reportWorkflow(definition: ReportDefinition): Promise<ReportResult> {
  const { produceReport } = proxyActivities<Activities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '1m',
    // A mail server that is down gets the report when it is back, within the period; the next report follows anyway.
    scheduleToCloseTimeout: Math.max(10 * MINUTE, Math.min(definition.periodMs, 12 * 60 * MINUTE)),
    retry: {
      initialInterval: definition.delivery.initialIntervalMs,
      maximumInterval: definition.delivery.maximumIntervalMs,
      backoffCoefficient: 2,
    },
  });
  // A scheduled run's period ends at its scheduled time, however late it started, so consecutive
  // reports neither overlap nor leave gaps; a run started by hand covers the period up to now.
  const scheduled = workflowInfo().typedSearchAttributes.get(SCHEDULED_START_TIME);
  const periodEnd = scheduled ? scheduled.getTime() : Date.now();
  // The window ending with the period is judged `settle` after it, at the stage monitor's next tick: waited for here,
  // or it would be in no report (the next period starts after it). reports/period.ts says how long.
  const judgedAt = periodEnd + (definition.judgedWithinMs ?? 0);
  if (scheduled && judgedAt > Date.now() && patched(REPORT_WAITS_FOR_WINDOWS)) await sleep(judgedAt - Date.now());
  return produceReport({
    definition,
    reportId: workflowInfo().workflowId,
    periodEnd: new Date(periodEnd).toISOString(),
  });
}
