// Monitor results as ECS documents for the Elasticsearch sink (sinks.elasticsearch):
// one per run under the run's id, and for a stageCounts run one per stage of
// the judged window, so Kibana can chart counts per pipeline stage over time
// (docs/kibana/). Pure: the activity reads the store and writes.
import type { Status, Verdict } from '../evaluation/types.js';
import type { RecordedRun } from '../store/history.js';

export interface ResultRun {
  monitorId: string;
  runId: string;
  verdict: Verdict;
  /** The alert labels the workflow computed: the monitor's own, plus monitor, perspective, pipeline, check, severity. */
  labels: Record<string, string>;
}

export interface StageCount {
  stage: string;
  windowStart: string;
  windowEnd: string;
  count: number;
  lost: number;
}

export interface ResultDocument {
  id: string;
  doc: Record<string, unknown>;
}

/** Labels pipewatch sets itself; they have their own fields in the document. */
const BUILT_IN_LABELS = new Set(['monitor', 'perspective', 'pipeline', 'check', 'severity']);

/** ECS event.outcome: a check that could not run is neither a success nor a failure of the data. */
export function eventOutcome(status: Status): 'success' | 'failure' | 'unknown' {
  return status === 'ok' || status === 'info'
    ? 'success'
    : status === 'error' || status === 'learning'
      ? 'unknown'
      : 'failure';
}

export function resultDocuments(
  run: ResultRun,
  recorded: Pick<RecordedRun, 'state' | 'transition'>,
  stages: StageCount[] = [],
): ResultDocument[] {
  const { verdict, labels } = run;
  const own = Object.fromEntries(Object.entries(labels).filter(([k]) => !BUILT_IN_LABELS.has(k)));
  const pipeline =
    labels.pipeline ?? (typeof verdict.details?.pipeline === 'string' ? verdict.details.pipeline : undefined);
  const monitor = { id: run.monitorId, check: labels.check, perspective: labels.perspective };
  const common = { pipeline, perspective: labels.perspective };
  const runDoc: ResultDocument = {
    id: run.runId,
    doc: {
      '@timestamp': verdict.observedAt,
      message: `${run.monitorId}: ${verdict.status} — ${verdict.reason}`,
      event: {
        kind: 'metric',
        module: 'pipewatch',
        dataset: 'pipewatch.run',
        outcome: eventOutcome(verdict.status),
        id: run.runId,
      },
      pipewatch: {
        monitor,
        run: { id: run.runId, transition: recorded.transition, alerting: recorded.state.alerting },
        ...common,
        stage: own.stage,
        value: verdict.value ?? null,
        unit: verdict.unit,
        status: verdict.status,
        reason: verdict.reason,
      },
      labels: own,
    },
  };
  const losing = verdict.details?.firstLosingStage;
  const stageDocs = stages.map((s) => ({
    id: `${run.runId}/stage/${s.stage}`,
    doc: {
      '@timestamp': s.windowStart,
      message: `${pipeline ?? ''} stage ${s.stage}: ${s.count} records${s.lost ? `, ${s.lost} lost` : ''}`,
      event: {
        kind: 'metric',
        module: 'pipewatch',
        dataset: 'pipewatch.stage',
        outcome: losing === s.stage ? 'failure' : 'success',
        id: `${run.runId}/stage/${s.stage}`,
      },
      pipewatch: {
        monitor,
        run: { id: run.runId },
        ...common,
        stage: s.stage,
        value: s.count,
        lost: s.lost,
        unit: 'records',
        status: verdict.status,
        window: { start: s.windowStart, end: s.windowEnd },
      },
      labels: own,
    },
  }));
  return [runDoc, ...stageDocs];
}
