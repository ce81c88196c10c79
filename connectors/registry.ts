// Connector implementations, one line per connector (connectors/<type>/index.ts), and the worker's
// cache of live connectors: one per declared connector and settings, so pools are shared by every
// check that uses them instead of being opened per run. What workflow code and the loader need to
// know about a connector without its client library is in connectors/descriptors.ts.
import type { NamedConnector } from '../config/model.js';
import { ResolvedCache } from '../config/resolved-cache.js';
import { elasticsearchConnector } from './elasticsearch/index.js';
import { hostConnector } from './host/index.js';
import { httpConnector } from './http/index.js';
import { kubernetesConnector } from './kubernetes/index.js';
import { logfilesConnector } from './logfiles/index.js';
import { postgresConnector } from './postgres/index.js';
import { prometheusConnector } from './prometheus/index.js';
import { rabbitmqConnector } from './rabbitmq/index.js';
import { temporalConnector } from './temporal/index.js';
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
