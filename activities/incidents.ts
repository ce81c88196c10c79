// Incidents from the activity side: an alert handed to its incident workflow
// (started if none runs under its id), which alerts must stay quiet now
// (silences, maintenance windows, inhibition), and an operator's resolve.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { InhibitRule, MaintenanceWindow } from '../config/model.js';
import { muteReason, type AlertLabels, type MuteReason, type RouteTimes, type Silence } from '../evaluation/muting.js';
import { alertSignal, incidentWorkflow, type AlertEvent, type IncidentInput } from '../workflows/incident.js';
import { INCIDENT_STATE, MONITOR, PERSPECTIVE, PIPELINE } from '../workflows/search-attributes.js';
import { silencesQuery, silencesWorkflowId } from '../workflows/silences.js';
import type { ActivityDeps } from './deps.js';

export function incidentActivities(deps: ActivityDeps) {
  return {
    /** Starts the incident workflow if none runs under that id, and hands it the alert. */
    async signalIncident(input: { incident: IncidentInput; event: AlertEvent }): Promise<void> {
      const { incident, event } = input;
      await deps.client.workflow.signalWithStart(incidentWorkflow, {
        workflowId: incident.incidentId,
        taskQueue: deps.taskQueue,
        args: [incident],
        signal: alertSignal,
        signalArgs: [event],
        typedSearchAttributes: [
          { key: MONITOR, value: event.monitor.id },
          { key: PERSPECTIVE, value: event.monitor.perspective },
          { key: PIPELINE, value: event.monitor.pipeline ?? '' },
          { key: INCIDENT_STATE, value: 'pending' },
        ],
      });
    },

    /** Which of these alerts must not be sent now, and why: silences, maintenance windows, inhibition. */
    async muteState(input: {
      alerts: AlertLabels[];
      maintenance: MaintenanceWindow[];
      inhibit: InhibitRule[];
      route?: RouteTimes;
    }): Promise<Record<string, MuteReason | undefined>> {
      const silences = await readSilences(deps.client, deps.taskQueue);
      const active = input.inhibit.length > 0 ? await deps.store.activeAlerts() : [];
      const now = Date.now();
      return Object.fromEntries(
        input.alerts.map((a) => [
          a.monitorId,
          muteReason(a, {
            now,
            silences,
            maintenance: input.maintenance,
            inhibit: input.inhibit,
            active,
            route: input.route,
          }),
        ]),
      );
    },

    /** An operator resolved an incident by hand: its monitors stop alerting until they fail anew. */
    async stopAlerting(monitorIds: string[]): Promise<void> {
      await deps.store.stopAlerting(monitorIds);
    },
  };
}

/** The silences held by the silences workflow; none when it has never been started. */
export async function readSilences(client: Client, taskQueue: string): Promise<Silence[]> {
  try {
    return await client.workflow.getHandle(silencesWorkflowId(taskQueue)).query(silencesQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
}
