// The one small interface every source implements. Adding a source type means
// adding a module that exports a ConnectorFactory and registering it in
// registry.ts; nothing else changes.
import type { CheckSpec, ConnectorSpec } from '../config/model.js';
import type { Measurement } from '../evaluation/types.js';

export interface CollectRequest {
  check: CheckSpec;
  /** The instant being measured (the tick's scheduled time). */
  at: Date;
  signal?: AbortSignal;
}

export interface Connector {
  collect(request: CollectRequest): Promise<Measurement>;
  /** Proves the source is reachable with the configured credentials. */
  ping(): Promise<void>;
  close(): Promise<void>;
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
