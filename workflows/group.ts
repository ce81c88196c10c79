// One run per cadence group and tick (config/groups.ts): every member checked
// and recorded by one local activity, then the incidents of members that
// changed state told, one signal activity each — as a monitor run would.
// Visibility per member: the store has each member's points and state (status
// page, `pipewatch` commands); in Temporal, runs carry PipewatchGroup (the
// schedule's memo lists the members) and PipewatchFailing the members not ok, so
//   temporal workflow list -q 'PipewatchFailing = "orders-freshness"'
// finds the runs in which that monitor failed.
import { proxyActivities, proxyLocalActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { groupMonitors, type CadenceGroup } from '../config/model.js';
import type { Activities } from '../activities/index.js';
import { STATUS_RANK, type Status } from '../evaluation/types.js';
import {
  COLLECT_RETRY,
  collectTimeoutMs,
  GROUP_CHECK_CONCURRENCY,
  incidentSignals,
  type GroupMemberResult,
} from '../evaluation/check.js';
import { memberRunId } from '../evaluation/ids.js';
import { scheduledTime, STORE } from './monitor.js';
import { FAILING, STATUS } from './search-attributes.js';

export interface GroupRunResult {
  groupId: string;
  /** The worst member status. */
  status: Status;
  members: GroupMemberResult[];
}

/** Room for every member's collect with all its tries and their waits, GROUP_CHECK_CONCURRENCY at a time, and recording. */
export function groupCheckTimeoutMs(group: CadenceGroup): number {
  const slowest = Math.max(...group.monitors.map(collectTimeoutMs));
  const waits =
    COLLECT_RETRY.initialIntervalMs * (COLLECT_RETRY.backoffCoefficient ** (COLLECT_RETRY.maximumAttempts - 1) - 1);
  const rounds = Math.ceil(group.monitors.length / GROUP_CHECK_CONCURRENCY);
  return Math.min(rounds * (COLLECT_RETRY.maximumAttempts * slowest + waits) + 30_000, 9 * 60_000);
}

/**
 * Room for PipewatchFailing: the server refuses a search attribute value over
 * 2 KB by default (limit.searchAttributesSizeOfValue), and a refused upsert
 * would fail every attempt of the run. In an outage of the whole group only the
 * first ids fit; the status and each member's state in the store say the rest.
 */
const FAILING_BYTES = 1_536;

/** The first of these ids whose JSON fits in `bytes`. */
export function fitting(ids: string[], bytes: number): string[] {
  const kept: string[] = [];
  let size = 2;
  for (const id of ids) {
    size += id.length + 3;
    if (size > bytes) break;
    kept.push(id);
  }
  return kept;
}

export async function monitorGroupWorkflow(group: CadenceGroup): Promise<GroupRunResult> {
  const info = workflowInfo();
  const at = scheduledTime() ?? new Date(Date.now());
  // Local: one marker in history for the whole group; retried as a whole, which recording per run id makes safe.
  const { checkMonitors } = proxyLocalActivities<Activities>({
    startToCloseTimeout: groupCheckTimeoutMs(group),
    retry: STORE.retry,
  });
  const { signalIncident } = proxyActivities<Activities>(STORE);

  // The group as it came (shared policy once): the activity puts the members together again.
  const members = await checkMonitors({
    runId: info.workflowId,
    at: at.toISOString(),
    notification: group.notification,
    monitors: group.monitors,
  });
  const status = members.reduce<Status>(
    (worst, m) => (STATUS_RANK[m.status] > STATUS_RANK[worst] ? m.status : worst),
    'ok',
  );
  upsertSearchAttributes([
    { key: STATUS, value: status },
    {
      key: FAILING,
      value: fitting(
        members.filter((m) => m.status !== 'ok').map((m) => m.monitorId),
        FAILING_BYTES,
      ),
    },
  ]);

  const byId = new Map(groupMonitors(group).map((m) => [m.id, m]));
  const signals = members.flatMap((m) =>
    m.recorded && m.verdict && m.labels
      ? incidentSignals(
          byId.get(m.monitorId)!,
          m.recorded,
          m.labels,
          m.verdict,
          memberRunId(info.workflowId, m.monitorId),
        )
      : [],
  );
  // Incidents are independent of each other: told at once.
  await Promise.all(signals.map((s) => signalIncident(s)));
  return { groupId: group.id, status, members };
}
