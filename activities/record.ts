// Recording runs: one monitor's verdict, a keyed log monitor's keys, a cadence
// group's members (checked here, then recorded in one transaction), each
// copied to the results sink when one is configured.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { redactSecrets } from '../config/env.js';
import { mapLimit } from '../config/map-limit.js';
import { groupMonitors, type CadenceGroup, type ResultsSink } from '../config/model.js';
import {
  alertLabels,
  COLLECT_RETRY,
  collectTimeoutMs,
  GROUP_CHECK_CONCURRENCY,
  incidentsFor,
  runCheck,
  type GroupMemberResult,
} from '../evaluation/check.js';
import { memberRunId } from '../evaluation/ids.js';
import type { RecordedRun, RunToRecord } from '../store/history.js';
import { baselinesFor, collectWith, withRetries } from './collect.js';
import { observeRuns, storeTimed, type ActivityDeps } from './deps.js';
import { recordKeyRuns, type KeyRunInput } from './log-keys.js';
import { resultDocuments, type ResultRun } from './results.js';

/** Longest a results-sink write may take: recordRun is a short local activity. */
const SINK_TIMEOUT_MS = 10_000;

export function recordActivities(deps: ActivityDeps) {
  return {
    /**
     * Records the run in the history store, then — with a results sink — copies
     * it to Elasticsearch under the run id. The copy is best effort: a sink that
     * is down is logged and never fails the run or delays its alert for long.
     */
    async recordRun(input: RunToRecord & Pick<ResultRun, 'labels'> & { sink?: ResultsSink }): Promise<RecordedRun> {
      const { sink, ...run } = input;
      const recorded = await storeTimed(deps, 'recordRun', () => deps.store.recordRun(run));
      observeRuns(deps, [run]);
      if (sink) await writeResults(deps, run, sink, recorded);
      return recorded;
    },

    /** A keyed log monitor's keys, each with its own state and alert (activities/log-keys.ts). */
    recordKeyRuns: (input: KeyRunInput) => recordKeyRuns(deps.store, input),

    /**
     * A cadence group's tick (workflows/group.ts): each member checked as a
     * monitor run checks it — collect tried three times within its deadline,
     * baselines, evaluation — GROUP_CHECK_CONCURRENCY at a time, then all recorded in one
     * transaction under their own run ids. Idempotent: a retry after a crash
     * finds the runs recorded and gets their transitions back.
     */
    async checkMonitors(
      input: { runId: string; at: string } & Pick<CadenceGroup, 'notification' | 'monitors'>,
    ): Promise<GroupMemberResult[]> {
      const at = new Date(input.at);
      const cancelled = Context.current().cancellationSignal;
      const runs = await mapLimit(groupMonitors(input), GROUP_CHECK_CONCURRENCY, async (monitor) => {
        const verdict = await runCheck(monitor, at, {
          collect: (i) =>
            withRetries(COLLECT_RETRY, collectTimeoutMs(monitor), cancelled, (signal) => collectWith(deps, i, signal)),
          baselines: (i) => baselinesFor(deps, i),
          collectStages: () => Promise.reject(new Error('stageCounts checks run on schedules of their own')),
          collectLogs: () => Promise.reject(new Error('logs checks run on schedules of their own')),
        });
        const labels = alertLabels(monitor, verdict.status);
        const incidentIds = incidentsFor(monitor, labels).map((r) => r.incidentId);
        return {
          monitor,
          labels,
          run: {
            monitorId: monitor.id,
            runId: memberRunId(input.runId, monitor.id),
            verdict,
            flap: monitor.flap,
            labels,
            incidentIds,
          },
        };
      });
      // Cut short (the activity's deadline, or a worker shutting down): record nothing; the retry checks again.
      if (cancelled.aborted)
        throw ApplicationFailure.retryable(
          `the checks of ${input.runId} were cancelled before they were recorded`,
          'CancelledError',
        );
      const recorded = await storeTimed(deps, 'recordRuns', () => deps.store.recordRuns(runs.map((r) => r.run)));
      observeRuns(
        deps,
        runs.map((r) => r.run),
      );
      return Promise.all(
        runs.map(async ({ monitor, labels, run }, i): Promise<GroupMemberResult> => {
          const { verdict } = run;
          const rec = recorded[i]!;
          if (monitor.sink) await writeResults(deps, run, monitor.sink, rec);
          const result: GroupMemberResult = {
            monitorId: monitor.id,
            status: verdict.status,
            value: verdict.value,
            reason: verdict.reason,
            transition: rec.transition,
          };
          // What the workflow needs to tell incidents, only where there is something to tell.
          return rec.transition === 'none'
            ? result
            : {
                ...result,
                verdict,
                labels,
                recorded: { transition: rec.transition, incidentIds: rec.incidentIds, alertLabels: rec.alertLabels },
              };
        }),
      );
    },
  };
}

/** The run's documents in the results sink's index; a failure is logged, never thrown. */
async function writeResults(
  deps: ActivityDeps,
  run: ResultRun,
  sink: ResultsSink,
  recorded: RecordedRun,
): Promise<void> {
  let secrets: Iterable<string> = [];
  try {
    const live = deps.connectors.get(sink.connector);
    secrets = live.secrets;
    if (!live.value.writeDocuments) throw new Error(`connector ${sink.connector.id} cannot take documents`);
    const pipeline = run.verdict.details?.pipeline;
    const stages =
      run.labels.check === 'stageCounts' && typeof pipeline === 'string' && run.verdict.details?.stages !== undefined
        ? await deps.store.stageCountsOfWindow(pipeline, new Date(run.verdict.observedAt))
        : [];
    await live.value.writeDocuments(sink.index, resultDocuments(run, recorded, stages), SINK_TIMEOUT_MS);
  } catch (err) {
    Context.current().log.warn('could not copy the run to the results sink; it is recorded in the history store', {
      monitor: run.monitorId,
      run: run.runId,
      index: sink.index,
      error: redactSecrets(err instanceof Error ? err.message : String(err), secrets),
    });
  }
}
