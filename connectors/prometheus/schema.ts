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
        'A PromQL query, evaluated at the tick\'s time, e.g. max(node_filesystem_avail_bytes{mountpoint="/"}) or rate(http_requests_total{code=~"5.."}[5m]).',
    }),
    series: z.enum(['one', 'max', 'min', 'sum', 'avg', 'count', 'each']).default('one').meta({
      description:
        'one: the query must return a single series (aggregate in PromQL); max | min | sum | avg | count: how several series become one value; each: every series is judged on its own and alerts with its labels (at most 100 series). No series at all is "no data" (use absent() to alert on a missing metric).',
    }),
    range: duration.optional().meta({
      description:
        "With rising or percentile rules: the query runs over this range ending at the tick (query_range), and those rules judge the series' own points from Prometheus instead of pipewatch's stored runs, e.g. 1h.",
    }),
    step: duration.optional().meta({
      description: 'The resolution of a range query (default 1m): points every step, the last at the tick.',
    }),
    unit: z.enum(['count', 'seconds', 'bytes', 'percent', 'records', 'messages']).default('count'),
  })
  .meta({
    description:
      "A PromQL query; its value (or each series' value) is judged by the rules, and a range query's own points by rising and percentile.",
  });
