// A backend's call into KycClient as one span. `start` asks Temporal twice (is a run open? then start it): without a
// span around both, each would be a trace of its own; with it, they and the whole run beneath the start are one.
// Nested under the caller's active span (its HTTP request, say) when there is one. With no tracer provider
// registered this is the OpenTelemetry API's no-op: nothing is recorded and no header is added.
import { SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('kyc-worker/client');

export function inClientSpan<T>(name: string, workflowId: string, call: () => Promise<T>): Promise<T> {
  // The attribute name the Temporal interceptors use, so one query finds the run's spans from every side.
  return tracer.startActiveSpan(name, { attributes: { temporalWorkflowId: workflowId } }, async (span) => {
    try {
      return await call();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.recordException(err instanceof Error ? err : String(err));
      throw err;
    } finally {
      span.end();
    }
  });
}
