// Prometheus as a source: a `promql` check is an instant query at the tick's
// time (GET /api/v1/query), its result one value judged by the usual rules
// and history. Several series are reduced as the check says (or refused when
// it expects one); no series is "no data", never zero. Prometheus' own error
// and warning texts are passed through; queries have a timeout (sent to
// Prometheus too) and a bounded response.
import type { CheckSpec, ConnectorSpec } from '../../config/model.js';
import { checkUnit } from '../descriptors.js';
import type { Measurement } from '../../evaluation/types.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory } from '../types.js';

type PrometheusSpec = Extract<ConnectorSpec, { type: 'prometheus' }>;
type PromqlCheck = Extract<CheckSpec, { type: 'promql' }>;

/** A response larger than this is refused: a query that returns this much is not one value to judge. */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
const SHOWN_SERIES = 5;

interface Sample {
  metric: Record<string, string>;
  value: number;
}

type QueryResponse =
  | { status: 'success'; data: { resultType: string; result: unknown }; warnings?: string[]; infos?: string[] }
  | { status: 'error'; errorType: string; error: string; warnings?: string[] };

/** "up{job="api",instance="a:9100"}" as Prometheus writes a series. */
export function seriesName(metric: Record<string, string>): string {
  const { __name__: name = '', ...labels } = metric;
  const inner = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${name}${inner || !name ? `{${inner}}` : ''}`;
}

/** Prometheus' sample values are strings: "1.5", "NaN", "+Inf". */
function sampleValue(text: unknown): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return typeof text === 'string' ? Number(text) : NaN;
}

/** The samples of an instant query's result, whatever its type. */
export function samplesOf(data: { resultType: string; result: unknown }): Sample[] {
  switch (data.resultType) {
    case 'scalar':
      return [{ metric: {}, value: sampleValue((data.result as [number, string])[1]) }];
    case 'vector':
      return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
        metric: r.metric ?? {},
        value: sampleValue(r.value?.[1]),
      }));
    default:
      throw new CollectError(
        `the query returned a ${data.resultType}; a promql check needs an instant vector or a scalar (drop the range selector [..] or wrap it in a function such as rate())`,
      );
  }
}

/** One value from the samples, as the check's `series` says. */
export function reduceSamples(samples: Sample[], series: PromqlCheck['series']): number | null {
  const values = samples.map((s) => s.value).filter((v) => !Number.isNaN(v));
  if (values.length === 0) return null;
  switch (series) {
    case 'one':
      if (samples.length > 1) {
        throw new CollectError(
          `the query returned ${samples.length} series (${samples
            .slice(0, 3)
            .map((s) => seriesName(s.metric))
            .join(
              ', ',
            )}${samples.length > 3 ? ', …' : ''}); aggregate them in PromQL (e.g. max(...)) or set series: max | min | sum | avg | count`,
        );
      }
      return values[0]!;
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'count':
      return samples.length;
  }
}

class PrometheusConnector implements Connector {
  constructor(
    private readonly id: string,
    private readonly spec: PrometheusSpec,
  ) {}

  private url(path: string): string {
    return `${this.spec.url.replace(/\/+$/, '')}${path}`;
  }

  private async get(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<QueryResponse> {
    const timeout = AbortSignal.timeout(this.spec.timeout);
    const url = `${this.url(path)}?${new URLSearchParams(params).toString()}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', ...this.spec.headers },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (timeout.aborted)
        throw new CollectError(`Prometheus ${this.id} did not answer within ${this.spec.timeout} ms`);
      throw new CollectError(
        `Prometheus ${this.id} at ${new URL(this.spec.url).origin} is unreachable (${e.cause?.code ?? e.message})`,
      );
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_RESPONSE_BYTES)
      throw new CollectError(
        `Prometheus ${this.id} answered ${length} bytes (limit ${MAX_RESPONSE_BYTES}): the query returns too much to judge as one value`,
      );
    const text = await readBounded(response);
    let body: QueryResponse;
    try {
      body = JSON.parse(text) as QueryResponse;
    } catch {
      throw new CollectError(
        `Prometheus ${this.id} answered ${response.status} ${response.statusText} without a query result: ${text.slice(0, 200)}`,
      );
    }
    return body;
  }

  async collect(request: CollectRequest): Promise<Measurement> {
    const check = request.check as PromqlCheck;
    const body = await this.get(
      '/api/v1/query',
      {
        query: check.query,
        time: (request.at.getTime() / 1000).toFixed(3),
        timeout: `${Math.max(1, Math.floor(this.spec.timeout / 1000))}s`,
      },
      request.signal,
    );
    if (body.status !== 'success') {
      // Prometheus' own words: "bad_data: 1:5: parse error: unexpected …", "timeout: query timed out in expression evaluation".
      throw new CollectError(`Prometheus refused the query (${body.errorType}): ${body.error}`);
    }
    const samples = samplesOf(body.data);
    const value = reduceSamples(samples, check.series);
    const shown = [...samples].sort((a, b) => b.value - a.value).slice(0, SHOWN_SERIES);
    const warnings = [...(body.warnings ?? []), ...(body.infos ?? [])];
    return {
      value,
      unit: checkUnit(check),
      observedAt: request.at.toISOString(),
      ...(value === null ? { noData: true } : {}),
      details: {
        series: samples.length,
        ...Object.fromEntries(shown.map((s, i) => [`series ${i + 1}`, `${seriesName(s.metric)} = ${s.value}`])),
        ...(warnings.length ? { warnings: warnings.join('; ') } : {}),
      },
      ...(warnings.length ? { caveat: `Prometheus warned: ${warnings.join('; ')}` } : {}),
    };
  }

  async ping(): Promise<void> {
    const body = await this.get('/api/v1/query', { query: 'vector(1)' });
    if (body.status !== 'success')
      throw new CollectError(`Prometheus ${this.id} refused a trivial query (${body.errorType}): ${body.error}`);
  }

  async close(): Promise<void> {}
}

/** The body as text, refusing more than MAX_RESPONSE_BYTES (a missing content-length is no guarantee). */
async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new CollectError(
        `Prometheus answered more than ${MAX_RESPONSE_BYTES} bytes: the query returns too much to judge as one value`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const prometheusConnector: ConnectorFactory<'prometheus'> = {
  type: 'prometheus',
  create: (id, spec) => new PrometheusConnector(id, spec),
};
