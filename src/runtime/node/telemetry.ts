import { context, SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../api/env.js';
import type { Env } from './config.js';

export interface Tracing {
  tracer: Tracer;
  /** Exports what is still buffered, then stops. */
  stop(): Promise<void>;
}

/**
 * OTLP over HTTP when the standard OpenTelemetry variables ask for it: `OTEL_EXPORTER_OTLP_ENDPOINT`
 * or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the exporter reads them, and the headers ones, itself);
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off again. Off by default.
 */
export function otlpExporterFromEnv(env: Env): SpanExporter | null {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return null;
  return new OTLPTraceExporter();
}

/**
 * A tracer exporting to `exporter`: batched for a network exporter, one by one (`immediate`) for
 * an in-memory one in tests. Spans nest through async-local context, set up here once per process.
 */
export function startTracing(exporter: SpanExporter, options: { immediate?: boolean } = {}): Tracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new NodeTracerProvider({
    spanProcessors: [options.immediate ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  return { tracer: provider.getTracer('switchyard'), stop: () => provider.shutdown() };
}

/** Runs `fn` in a span named `name`; a thrown error marks the span failed (its message is not recorded: it may quote input). */
export async function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes, fn: () => Promise<T>, outcome?: (result: T) => Attributes): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await fn();
      if (outcome) span.setAttributes(outcome(result));
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The server span of each request, named by its route template (`POST /v1/payments`), never by its path's ids. */
export function tracingMiddleware(tracer: Tracer): MiddlewareHandler<AppEnv> {
  return (c, next) =>
    tracer.startActiveSpan(`${c.req.method} request`, { attributes: { 'http.request.method': c.req.method } }, async (span) => {
      try {
        await next();
      } finally {
        span.updateName(`${c.req.method} ${c.req.routePath}`);
        span.setAttributes({ 'http.route': c.req.routePath, 'http.response.status_code': c.res.status });
        if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
}
