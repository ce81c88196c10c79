// OpenTelemetry tracing of a worker's work, on when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: a monitor run is one trace — the workflow, each activity and
// local activity (collect, baselines, recordRun …), and the connector call inside collect — exported over
// OTLP/HTTP. Temporal's own interceptors carry the context from workflow to activities through headers; the
// workflow side runs in a bundle that includes their workflow interceptors, made when the worker starts.
//
// Turn it on for every worker of a task queue or for none: a workflow's history records whether its
// interceptors ran, and a worker without them cannot replay a traced run's history exactly (and vice versa).
import { createRequire } from 'node:module';
import { context, trace, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';

export const TRACER_NAME = 'pipewatch';

/** The module Temporal's bundler adds to workflow code for tracing. */
export function workflowTracingModule(): string {
  return createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');
}

export interface Tracing {
  /** What Worker.create needs: activity interceptors and the workflow span sink. */
  workerOptions: Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** Tracing for this process when the OTLP variables ask for it; undefined otherwise. */
export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  const endpoint =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!endpoint) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? 'pipewatch-worker' });
  const processor: SpanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }), {
    scheduledDelayMillis: 1_000,
  });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  // Global, so the activity interceptors' tracer and pipewatch's own spans share the provider and the context.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  return {
    workerOptions: {
      interceptors: {
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: { exporter: makeWorkflowExporter(processor, resource) },
    },
    shutdown: () => provider.shutdown(),
  };
}

function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs work in a span named `name` under the current one (a no-op without tracing: the global provider is then
 * the API's no-op one).
 */
export async function inSpan<T>(name: string, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, context.active(), async (span) => {
    try {
      return await work();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
