// Custom search attributes on every pipewatch run, so the Web UI and
// `temporal workflow list -q` can filter by monitor, perspective, pipeline,
// status and incident state. The dev server registers them at start
// (devserver/), a production namespace once with `pipewatch setup`.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const MONITOR = defineSearchAttributeKey('PipewatchMonitor', SearchAttributeType.KEYWORD);
export const PERSPECTIVE = defineSearchAttributeKey('PipewatchPerspective', SearchAttributeType.KEYWORD);
export const PIPELINE = defineSearchAttributeKey('PipewatchPipeline', SearchAttributeType.KEYWORD);
export const STATUS = defineSearchAttributeKey('PipewatchStatus', SearchAttributeType.KEYWORD);
export const SEVERITY = defineSearchAttributeKey('PipewatchSeverity', SearchAttributeType.KEYWORD);
export const INCIDENT_STATE = defineSearchAttributeKey('PipewatchIncidentState', SearchAttributeType.KEYWORD);
export const INTERVENTION_STATE = defineSearchAttributeKey('PipewatchInterventionState', SearchAttributeType.KEYWORD);

// Cadence group runs (workflows/group.ts): the group, and the members not ok in this run. A search
// attribute value is limited in size (2 KB by default), so members are listed in the schedule's memo,
// and the failing ones only as many as fit (workflows/group.ts).
export const GROUP = defineSearchAttributeKey('PipewatchGroup', SearchAttributeType.KEYWORD);
export const FAILING = defineSearchAttributeKey('PipewatchFailing', SearchAttributeType.KEYWORD_LIST);
// The members a group run checks, set by its schedule at start (schedules/sync.ts), as many as fit the size limit
// (config/groups.ts makes automatic groups small enough): `PipewatchMembers = "orders-freshness"` finds every
// run that checked that monitor, failing or not.
export const MEMBERS = defineSearchAttributeKey('PipewatchMembers', SearchAttributeType.KEYWORD_LIST);

// On schedules only, not runs: the version of the definition a schedule runs, so `schedules sync` reads every
// schedule's version from one paged list instead of one describe per schedule (schedules/sync.ts readExisting).
export const VERSION = defineSearchAttributeKey('PipewatchVersion', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [
  MONITOR,
  PERSPECTIVE,
  PIPELINE,
  STATUS,
  SEVERITY,
  INCIDENT_STATE,
  INTERVENTION_STATE,
  GROUP,
  FAILING,
  MEMBERS,
  VERSION,
];
