// The elasticsearch connector's part of pipewatch.yaml: the connector and the check only it runs
// (count, freshness and logs are shared: connectors/shared/schema.ts).
import { z } from 'zod';
import { duration, secretRef } from '../../config/schema-fields.js';

export const elasticsearchConnector = z
  .strictObject({
    type: z.literal('elasticsearch'),
    node: z.string().min(1).meta({ description: 'Cluster URL, e.g. https://es.internal:9200 or "${ES_URL}".' }),
    apiKey: secretRef.optional(),
    username: z.string().optional(),
    password: secretRef.optional(),
    requestTimeout: duration.prefault('30s'),
    rejectUnauthorized: z.boolean().default(true),
    kibanaUrl: z.string().optional().meta({ description: 'Kibana base URL: log alerts link to Discover there.' }),
  })
  .meta({ description: 'An Elasticsearch 8 cluster, read with searches that never ask for unbounded results.' });

export const clusterCheck = z.strictObject({ type: z.literal('cluster'), measure: z.enum(['status', 'disk']) }).meta({
  description: "Elasticsearch cluster: status (0 green, 1 yellow, 2 red) or the fullest data node's disk in percent.",
});
