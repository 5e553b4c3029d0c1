// The one call a process makes first to trace: `await setupTracing({ serviceName })`. It reads the standard
// OpenTelemetry variables (./settings.ts). With no OTLP endpoint, or OTEL_SDK_DISABLED=true, tracing is off: no
// provider, no instrumentation, the SDK not even loaded, and the pieces it returns add nothing to a client or a
// worker (so the workflow bundle stays as it is). With one, spans from the backend's start through the workflow and
// its activities to each HTTP call to the partner form one trace, exported over OTLP/HTTP.
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import { tracingSettings } from './settings';
import type { WorkerTracing } from './worker-tracing';

export interface SetupTracingOptions {
  /** This process's service.name (kyc-worker, kyc-webhook-receiver, the backend's); OTEL_SERVICE_NAME overrides it. */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Where spans go instead of OTLP, e.g. an in-memory exporter's processor in a test. Tracing is then on whatever
   * the endpoint variables say (OTEL_SDK_DISABLED=true still turns it off). Spans reach it redacted (./redaction.ts).
   */
  spanProcessor?: SpanProcessor;
  /** Spans for the HTTP requests this process serves (a webhook receiver); health and metrics paths never. */
  incomingHttp?: boolean;
}

interface TracingCommon {
  serviceName: string;
  /** For `new Client({ interceptors })` / `KycClient.connect(env, { interceptors })`; empty when off. */
  clientInterceptors: ClientInterceptors;
  /** Exports what is buffered: before a short-lived process exits. */
  forceFlush(): Promise<void>;
  /** Flushes and stops; the process traces nothing afterwards. */
  shutdown(): Promise<void>;
}

export interface TracingOff extends TracingCommon {
  enabled: false;
  /** Which variable made it off, for the start-up log line. */
  why: string;
}

export interface TracingOn extends TracingCommon {
  enabled: true;
  /** Where spans go, for the start-up log line (never with credentials). */
  exportsTo: string;
  /** For createKycWorker({ tracing }) or a Worker.create of one's own: interceptors, workflow modules, sinks. */
  worker: WorkerTracing;
}

export type Tracing = TracingOff | TracingOn;

let started = false;

export async function setupTracing(options: SetupTracingOptions): Promise<Tracing> {
  const settings = tracingSettings(options.env ?? process.env, options.serviceName);
  if (!settings.enabled && (settings.sdkDisabled || !options.spanProcessor)) {
    return {
      enabled: false,
      serviceName: settings.serviceName,
      why: settings.why,
      clientInterceptors: {},
      forceFlush: async () => {},
      shutdown: async () => {},
    };
  }
  // One global provider per process: a second one would be refused by the OpenTelemetry API, half set up.
  if (started) throw new Error('setupTracing was already called in this process');
  started = true;
  const { startTracing } = await import('./provider');
  return startTracing(settings, options);
}
