// The activity types pipewatch registers. Workflow histories record these
// names, so a rename (or an activity lost when activities/ is reorganised)
// would break the replay of workflows that are running; the list is written
// out here on purpose.
import { createActivities, type ActivityDeps } from '../../activities/index.js';

const REGISTERED = [
  'baselines',
  'beat',
  'checkMonitors',
  'collect',
  'collectLogs',
  'collectStages',
  'deliverNotification',
  'deliveryError',
  'extractArchive',
  'muteState',
  'produceReport',
  'recordInterventionAudit',
  'recordKeyRuns',
  'recordRun',
  'signalIncident',
  'stopAlerting',
  'verifyInterventionInput',
];

describe('createActivities', () => {
  it('registers exactly the activity types that workflow histories name', () => {
    // Making the activities touches none of their dependencies; only the environment is read up front.
    const activities = createActivities({ env: {} } as unknown as ActivityDeps);
    expect(Object.keys(activities).sort()).toEqual(REGISTERED);
    for (const name of REGISTERED) expect(typeof activities[name as keyof typeof activities]).toBe('function');
  });
});
