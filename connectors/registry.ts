// Connector types pipewatch knows, and the worker's cache of live connectors:
// one per declared connector and settings, so pools are shared by every check
// that uses them instead of being opened per run.
import type { NamedConnector } from '../config/model.js';
import { ResolvedCache } from '../config/resolved-cache.js';
import { elasticsearchConnector } from './elasticsearch.js';
import { hostConnector } from './host.js';
import { httpConnector } from './http.js';
import { kubernetesConnector } from './kubernetes/index.js';
import { logfilesConnector } from './logfiles.js';
import { postgresConnector } from './postgres.js';
import { prometheusConnector } from './prometheus.js';
import { rabbitmqConnector } from './rabbitmq.js';
import { temporalConnector } from './temporal.js';
import type { Connector, ConnectorFactory } from './types.js';

export const CONNECTOR_FACTORIES: { [T in NamedConnector['type']]: ConnectorFactory<T> } = {
  postgres: postgresConnector,
  elasticsearch: elasticsearchConnector,
  http: httpConnector,
  rabbitmq: rabbitmqConnector,
  host: hostConnector,
  temporal: temporalConnector,
  logfiles: logfilesConnector,
  kubernetes: kubernetesConnector,
  prometheus: prometheusConnector,
};

export function connectorCache(env: NodeJS.ProcessEnv = process.env): ResolvedCache<NamedConnector, Connector> {
  return new ResolvedCache<NamedConnector, Connector>(
    'connectors',
    (id, settings) => (CONNECTOR_FACTORIES[settings.type] as ConnectorFactory).create(id, settings as never),
    (connector) => connector.close(),
    env,
  );
}
