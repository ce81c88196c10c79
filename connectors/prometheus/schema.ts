// The prometheus connector's part of pipewatch.yaml: the connector and its check.
import { z } from 'zod';
import { duration } from '../../config/schema-fields.js';

export const prometheusConnector = z
  .strictObject({
    type: z.literal('prometheus'),
    url: z.string().min(1).meta({
      description:
        'Base URL of Prometheus (or a compatible query API: Thanos, Mimir, VictoriaMetrics), e.g. http://prometheus:9090.',
    }),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: 'Sent with every query; values may be "${ENV}" references (a bearer token).' }),
    timeout: duration
      .prefault('30s')
      .meta({ description: 'How long a query may take; also sent to Prometheus as its query timeout.' }),
  })
  .meta({
    description:
      'A Prometheus query API: metrics other exporters already collect (servers, network, storage), judged by PromQL checks.',
  });

export const promqlCheck = z
  .strictObject({
    type: z.literal('promql'),
    query: z.string().min(1).meta({
      description:
        'A PromQL instant query, evaluated at the tick\'s time, e.g. max(node_filesystem_avail_bytes{mountpoint="/"}) or rate(http_requests_total{code=~"5.."}[5m]).',
    }),
    series: z.enum(['one', 'max', 'min', 'sum', 'avg', 'count']).default('one').meta({
      description:
        'one: the query must return a single series (aggregate in PromQL); otherwise how several series become one value. No series at all is "no data" (use absent() to alert on a missing metric).',
    }),
    unit: z.enum(['count', 'seconds', 'bytes', 'percent', 'records', 'messages']).default('count'),
  })
  .meta({ description: 'A PromQL instant query; its value is judged by the rules and history like any other.' });
