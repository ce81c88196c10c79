// The one small interface every source implements. Adding a source type means
// adding a folder connectors/<type>/ (schema, descriptor, a ConnectorFactory) and
// one line in registry.ts and descriptors.ts (docs/ARCHITECTURE.md, "Adding a connector").
import type { CheckSpec, ConnectorSpec } from '../config/model.js';
import type { Measurement } from '../evaluation/types.js';

export interface CollectRequest {
  check: CheckSpec;
  /** The instant being measured (the tick's scheduled time). */
  at: Date;
  signal?: AbortSignal;
  /** The monitor running the check: the key of state it keeps in the store. */
  monitorId?: string;
  /** The history store, for checks that track how long a condition has held (absent in `pipewatch run`). */
  store?: import('../store/history.js').HistoryStore;
}

/** Where one stage keeps its records: what stage counts and reconciliation read. */
export interface StageSource {
  dataset: string;
  uniqueId: string;
  timestamp: string;
  normalise: Array<'lowercase' | 'trim'>;
}

export interface TimeRange {
  from: Date;
  to: Date;
}

export interface SeriesPoint {
  /** Bucket start. */
  at: string;
  value: number;
}

export interface Connector {
  collect(request: CollectRequest): Promise<Measurement>;
  // Record stores (PostgreSQL, Elasticsearch) also implement these three.
  /** Distinct ids of a stage whose timestamp falls in [from, to). */
  countDistinct?(source: StageSource, range: TimeRange): Promise<number>;
  /**
   * Distinct ids of a stage in [from, to), ascending in code-point order, in
   * batches of at most batchSize: memory stays bounded whatever the volume.
   */
  streamIds?(source: StageSource, range: TimeRange, batchSize: number): AsyncIterable<string[]>;
  /**
   * What a merge of two streamIds computes — ids of `upstream` in its range missing from `downstream` in its range,
   * the first `sample` of them ascending, and both distinct counts — for two stages in this connector's one
   * database, asked of the database in one query. With `lateRange`, ids found downstream only there are late, not missing.
   */
  missingIds?(
    upstream: StageSource,
    upstreamRange: TimeRange,
    downstream: StageSource,
    downstreamRange: TimeRange,
    sample: number,
    lateRange?: TimeRange,
  ): Promise<import('../evaluation/reconcile.js').SetDifference>;
  /** A count check's value per aligned bucket in [from, to), in one query (backtests). */
  series?(check: Extract<CheckSpec, { type: 'count' }>, range: TimeRange, bucketMs: number): Promise<SeriesPoint[]>;
  /** Log sources (Elasticsearch, log files): the events a logs check judges. Files need the store. */
  logSource?(
    check: import('./logs.js').LogsCheck,
    context: { store: import('../store/history.js').HistoryStore },
  ): Promise<import('./logs.js').LogSource>;
  /** Sinks (Elasticsearch): index documents under the given ids, replacing earlier ones. */
  writeDocuments?(
    index: string,
    docs: Array<{ id: string; doc: Record<string, unknown> }>,
    timeoutMs: number,
  ): Promise<void>;
  /** Proves the source is reachable with the configured credentials. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A connector that holds records: what pipeline stages and backtests need. */
export type RecordStore = Required<Pick<Connector, 'countDistinct' | 'streamIds' | 'series'>> & Connector;

export function recordStore(connector: Connector, what: string): RecordStore {
  if (!connector.countDistinct || !connector.streamIds || !connector.series)
    throw new CollectError(`${what} is not a record store (PostgreSQL or Elasticsearch)`);
  return connector as RecordStore;
}

export interface ConnectorFactory<T extends ConnectorSpec['type'] = ConnectorSpec['type']> {
  type: T;
  /** spec has its `${ENV}` references already resolved. */
  create(id: string, spec: Extract<ConnectorSpec, { type: T }>): Connector;
}

/** A failure of the source itself (unreachable, timeout, missing table): the check could not run. */
export class CollectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CollectError';
  }
}
