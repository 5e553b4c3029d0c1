// Tracing on: the tracer provider, its exporter, the HTTP instrumentations and the Temporal pieces. Loaded by
// ./setup.ts only when tracing is on, so a process without it never loads the OpenTelemetry SDK.
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { kycClientInterceptors } from './client-interceptors';
import { instrumentHttp } from './http-instrumentation';
import { RedactingSpanProcessor } from './redaction';
import type { SetupTracingOptions, TracingOn } from './setup';
import type { TracingSettings } from './settings';
import { workerTracing } from './worker-tracing';

export function startTracing(settings: TracingSettings, options: SetupTracingOptions): TracingOn {
  const exporting = options.spanProcessor ?? otlpProcessor(settings);
  const spanProcessor = new RedactingSpanProcessor(exporting);
  const resource = new Resource({ [ATTR_SERVICE_NAME]: settings.serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The global provider, AsyncLocalStorage context and W3C trace-context propagation (OTEL_PROPAGATORS overrides it):
  // the Temporal interceptors read and write their headers through the global propagator.
  provider.register();
  const undoHttp = instrumentHttp(provider, { incoming: options.incomingHttp ?? false });
  return {
    enabled: true,
    serviceName: settings.serviceName,
    exportsTo: options.spanProcessor ? 'the given span processor' : describeTarget(settings),
    clientInterceptors: kycClientInterceptors(),
    // The provider's resource: it holds the SDK's defaults merged with ours, as the exported spans show it.
    worker: workerTracing(spanProcessor, provider.resource),
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      undoHttp();
      await provider.shutdown();
      trace.disable();
    },
  };
}

function otlpProcessor(settings: TracingSettings): SpanProcessor {
  if (!settings.enabled) throw new Error(`tracing is off (${settings.why}): no OTLP endpoint to export to`);
  // Batched: one export request per batch, off the activities' path; headers (a SaaS key) come from
  // OTEL_EXPORTER_OTLP_HEADERS, read by the exporter itself.
  const url = settings.tracesUrl;
  const exporter =
    settings.protocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtobufExporter({ url });
  return new BatchSpanProcessor(exporter);
}

/** The endpoint for the start-up log line: origin and path only, since a URL may carry a token. */
function describeTarget(settings: TracingSettings): string {
  if (!settings.enabled) return 'nowhere';
  const url = new URL(settings.tracesUrl);
  return `${url.origin}${url.pathname} (OTLP ${settings.protocol})`;
}
