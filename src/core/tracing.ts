import type { IncomingHttpHeaders } from 'node:http';
import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, trace, type Context as OtelContext, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Config } from './config.js';

/**
 * OpenTelemetry tracing, off unless OTEL_TRACES_EXPORTER names an exporter (or a test hands one in). The
 * provider is this instance's own, never registered globally: spans are started from the parent each request
 * carries (its `traceparent`, W3C Trace Context), so several servers in one process keep their traces apart.
 * Off, spans cost nothing (the API's non-recording spans), and an incoming `traceparent` still gives the
 * request's trace id to its log lines.
 */
export interface Tracing {
  readonly enabled: boolean;
  /** The server span of one HTTP request, a child of its `traceparent` when it sent one. */
  requestSpan(name: string, headers: IncomingHttpHeaders, attributes?: Record<string, string | number>): Span;
  /** A span below `parent` (or a root span, when there is none). */
  childSpan(name: string, parent: Span | undefined, attributes?: Record<string, string | number>, startTime?: number, kind?: SpanKind): Span;
  /** Ends `span`, marked as failed when `errorCode` is given. */
  end(span: Span, errorCode?: string, endTime?: number): void;
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();

export function createTracing(config: Pick<Config, 'tracesExporter' | 'serviceName'>, exporter?: SpanExporter): Tracing {
  const chosen = exporter ?? (config.tracesExporter === 'otlp' ? new OTLPTraceExporter() : config.tracesExporter === 'console' ? new ConsoleSpanExporter() : undefined);
  const provider = chosen
    ? new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': config.serviceName }),
        // A handed-in exporter is a test's: spans reach it as they end.
        spanProcessors: [exporter ? new SimpleSpanProcessor(chosen) : new BatchSpanProcessor(chosen)],
      })
    : undefined;
  const tracer: Tracer = provider ? provider.getTracer('cppcc-linkage') : trace.getTracer('cppcc-linkage');
  const parentOf = (span: Span | undefined): OtelContext => (span ? trace.setSpan(ROOT_CONTEXT, span) : ROOT_CONTEXT);
  return {
    enabled: !!provider,
    requestSpan(name, headers, attributes) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      // Without a provider the API's tracer hands back the parent's span context, non-recording: its trace id
      // is the caller's, for the logs.
      return (provider ? tracer : trace.getTracer('cppcc-linkage')).startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    },
    childSpan(name, parent, attributes, startTime, kind = SpanKind.INTERNAL) {
      if (!provider) return trace.wrapSpanContext(parent?.spanContext() ?? INVALID_SPAN_CONTEXT);
      return tracer.startSpan(name, { kind, attributes, startTime }, parentOf(parent));
    },
    end(span, errorCode, endTime) {
      if (errorCode) {
        span.setAttribute('error.type', errorCode);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode });
      }
      span.end(endTime);
    },
    shutdown: async () => {
      await provider?.shutdown();
    },
  };
}

/** The trace id a log line carries: the request's, when it has one. */
export function traceIdOf(span: Span | undefined): string | undefined {
  const id = span?.spanContext().traceId;
  return id && id !== INVALID_SPAN_CONTEXT.traceId ? id : undefined;
}


