// The standard HTTP instrumentations: undici for Node's fetch (the partner API, events to the backend, URL sources)
// and node:http(s) for the streamed upload PUT (activities/upload.ts). Each HTTP call becomes a client span under
// the active span — the activity's — and carries the W3C traceparent header (random ids, nothing else).
import { createRequire } from 'node:module';
import type { TracerProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Health checks and scrapes: every few seconds, never part of an onboarding. */
const opsPaths = /^\/(healthz|livez|readyz|metrics)(\?|$)/;

export interface HttpTracingOptions {
  /** Spans for requests this process serves (a receiver's webhooks); a worker serves only health and metrics. */
  incoming: boolean;
}

/** Instruments HTTP for `tracerProvider`; returns the undo (tests, shutdown). */
export function instrumentHttp(tracerProvider: TracerProvider, { incoming }: HttpTracingOptions): () => void {
  const undo = registerInstrumentations({
    tracerProvider,
    instrumentations: [
      // A call outside any span (start-up, plumbing) would be a trace of its own: noise, not an onboarding.
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new HttpInstrumentation({
        requireParentforOutgoingSpans: true,
        disableIncomingRequestInstrumentation: !incoming,
        ignoreIncomingRequestHook: (request) => opsPaths.test(request.url ?? ''),
      }),
    ],
  });
  // The http instrumentation patches node:http(s) when they are required, but this process's imports loaded them
  // before tracing was set up. Requiring them again applies the patch to the module objects everyone already holds.
  const load = createRequire(__filename);
  load('node:http');
  load('node:https');
  return undo;
}
