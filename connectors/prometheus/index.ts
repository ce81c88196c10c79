// Prometheus as a source: a `promql` check is an instant query at the tick's
// time (GET /api/v1/query), its result one value judged by the usual rules
// and history — or, with `series: each`, one value per series, each judged and
// alerted on its own. With `range` it is a range query ending at the tick
// (GET /api/v1/query_range) whose points rising and percentile rules judge.
// Several series are reduced as the check says (or refused when it expects
// one); no series is "no data", never zero. Prometheus' own error and warning
// texts are passed through; queries have a timeout (sent to Prometheus too)
// and a bounded response. The pure part is series.ts.
import { formatDuration } from '../../config/duration.js';
import type { CheckSpec, ConnectorSpec } from '../../config/model.js';
import { checkUnit } from '../descriptors.js';
import type { KeyedValue, Measurement, SeriesPoints } from '../../evaluation/types.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory } from '../types.js';
import { DEFAULT_STEP_MS } from './descriptor.js';
import {
  eachRange,
  eachSample,
  rangeGrid,
  rangeSeriesOf,
  reduceRange,
  reduceSamples,
  samplesOf,
  seriesName,
  type Sample,
} from './series.js';

type PrometheusSpec = Extract<ConnectorSpec, { type: 'prometheus' }>;
type PromqlCheck = Extract<CheckSpec, { type: 'promql' }>;

/** A response larger than this is refused: a query that returns this much is not something to judge. */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
const SHOWN_SERIES = 5;

type QueryResponse =
  | { status: 'success'; data: { resultType: string; result: unknown }; warnings?: string[]; infos?: string[] }
  | { status: 'error'; errorType: string; error: string; warnings?: string[] };

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
        `Prometheus ${this.id} answered ${length} bytes (limit ${MAX_RESPONSE_BYTES}): the query returns too much to judge`,
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
    const timeout = `${Math.max(1, Math.floor(this.spec.timeout / 1000))}s`;
    const atMs = request.at.getTime();
    const step = check.step ?? DEFAULT_STEP_MS;
    const grid = check.range === undefined ? undefined : rangeGrid(atMs, check.range, step);
    const body = grid
      ? await this.get(
          '/api/v1/query_range',
          { query: check.query, start: seconds(grid.startMs), end: seconds(atMs), step: seconds(step), timeout },
          request.signal,
        )
      : await this.get('/api/v1/query', { query: check.query, time: seconds(atMs), timeout }, request.signal);
    if (body.status !== 'success') {
      // Prometheus' own words: "bad_data: 1:5: parse error: unexpected …", "timeout: query timed out in expression evaluation".
      throw new CollectError(`Prometheus refused the query (${body.errorType}): ${body.error}`);
    }
    let value: number | null = null;
    let keys: KeyedValue[] | undefined;
    let points: SeriesPoints | undefined;
    // What the operator sees of the series: their values now (the last point of a range).
    let now: Sample[];
    if (grid) {
      const series = rangeSeriesOf(body.data);
      now = series.map((s) => ({ metric: s.metric, value: s.values.get(atMs) ?? NaN }));
      if (check.series === 'each') keys = eachRange(series, grid, step);
      else ({ value, points } = reduceRange(series, check.series, grid, step));
    } else {
      now = samplesOf(body.data);
      if (check.series === 'each') keys = eachSample(now);
      else value = reduceSamples(now, check.series);
    }
    // Per series, the monitor's own value is the largest series' (its status is the worst series').
    if (keys) {
      const numeric = keys.flatMap((k) => (k.value === null ? [] : [k.value]));
      value = numeric.length ? Math.max(...numeric) : null;
    }
    const shown = [...now].sort((a, b) => b.value - a.value).slice(0, SHOWN_SERIES);
    const warnings = [...(body.warnings ?? []), ...(body.infos ?? [])];
    return {
      value,
      unit: checkUnit(check),
      observedAt: request.at.toISOString(),
      ...(value === null ? { noData: true } : {}),
      ...(keys ? { keys } : {}),
      ...(points ? { points } : {}),
      details: {
        series: now.length,
        ...(grid ? { range: `${grid.points} points every ${formatDuration(step)}` } : {}),
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

/** Prometheus' times: seconds since the epoch. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
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
        `Prometheus answered more than ${MAX_RESPONSE_BYTES} bytes: the query returns too much to judge`,
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
