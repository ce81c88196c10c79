// The workflow types a pipewatch worker registers.
export { monitorWorkflow } from './monitor.js';
export { monitorGroupWorkflow } from './group.js';
export { incidentWorkflow } from './incident.js';
export { silencesWorkflow } from './silences.js';
export { heartbeatWorkflow } from './heartbeat.js';
export { interventionWorkflow } from './intervention.js';
export { archiveIngestWorkflow } from './archive.js';
export { reportWorkflow } from './report.js';
export { demoCollectWorkflow, demoEtlWorkflow, demoRecordWorkflow } from './demo.js';
