// Connectors and checks in pipewatch.yaml: the per-connector schemas (connectors/<type>/schema.ts, and
// connectors/shared/schema.ts for the checks several connectors run) composed into the two unions the
// file is validated with. The order of each list is the order `validate` names the types in ("expected
// one of: …"): a new connector and its checks go at the end.
import { z } from 'zod';
import { databaseCheck, postgresConnector, sqlCheck } from '../connectors/postgres/schema.js';
import { clusterCheck, elasticsearchConnector } from '../connectors/elasticsearch/schema.js';
import { httpCheck, httpConnector } from '../connectors/http/schema.js';
import { queueCheck, rabbitmqConnector } from '../connectors/rabbitmq/schema.js';
import { diskCheck, hostConnector, loadCheck, memoryCheck } from '../connectors/host/schema.js';
import {
  interventionsCheck,
  schedulesCheck,
  taskQueueCheck,
  temporalConnector,
} from '../connectors/temporal/schema.js';
import { logfilesConnector } from '../connectors/logfiles/schema.js';
import {
  cronJobsCheck,
  kubeEventsCheck,
  kubernetesConnector,
  podHealthCheck,
} from '../connectors/kubernetes/schema.js';
import { prometheusConnector, promqlCheck } from '../connectors/prometheus/schema.js';
import { countCheck, freshnessCheck, logsCheck, stageCountsCheck } from '../connectors/shared/schema.js';

export const connector = z.discriminatedUnion('type', [
  postgresConnector,
  elasticsearchConnector,
  httpConnector,
  rabbitmqConnector,
  hostConnector,
  temporalConnector,
  logfilesConnector,
  kubernetesConnector,
  prometheusConnector,
]);
export type ConnectorSpec = z.infer<typeof connector>;
export type ConnectorType = ConnectorSpec['type'];

export const check = z.discriminatedUnion('type', [
  countCheck,
  freshnessCheck,
  sqlCheck,
  stageCountsCheck,
  httpCheck,
  queueCheck,
  diskCheck,
  memoryCheck,
  loadCheck,
  databaseCheck,
  clusterCheck,
  taskQueueCheck,
  interventionsCheck,
  logsCheck,
  kubeEventsCheck,
  podHealthCheck,
  cronJobsCheck,
  promqlCheck,
  schedulesCheck,
]);
export type CheckSpec = z.infer<typeof check>;
export type CheckType = CheckSpec['type'];
