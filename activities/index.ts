// Every side effect a workflow needs: collecting from sources, the history
// store, starting or signalling incidents, muting decisions and delivering
// notifications. Secrets are resolved here, inside the worker, and scrubbed
// from anything an activity reports; timeouts and retries are set by the
// calling workflow.
//
// createActivities(deps) is what the worker registers. Each concern has its
// own file; the names of the activities they return are the activity types
// recorded in workflow histories, so renaming one breaks replay of running
// workflows (test/unit/activity-names.test.ts holds the list).
import { archiveActivities } from './archives.js';
import { collectActivities } from './collect.js';
import type { ActivityDeps } from './deps.js';
import { deliveryActivities } from './deliver.js';
import { heartbeatActivities } from './heartbeat.js';
import { incidentActivities } from './incidents.js';
import { recordActivities } from './record.js';

export type { ActivityDeps } from './deps.js';
export type { DeliveryResult } from './deliver.js';
export { readSilences } from './incidents.js';

export function createActivities(deps: ActivityDeps) {
  return {
    // collect.ts: collect, collectStages, collectLogs, baselines
    ...collectActivities(deps),
    // record.ts: recordRun, recordKeyRuns, checkMonitors
    ...recordActivities(deps),
    // incidents.ts: signalIncident, muteState, stopAlerting
    ...incidentActivities(deps),
    // deliver.ts: deliverNotification, produceReport, deliveryError
    ...deliveryActivities(deps),
    // heartbeat.ts: beat
    ...heartbeatActivities(deps),
    // archives.ts: extractArchive, verifyInterventionInput, recordInterventionAudit
    ...archiveActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
