// The Temporal client interceptors that carry a trace into a run: the start (and signals, queries, updates) get a
// span, and its context travels in the call's headers to the workflow's RunWorkflow span. They record through
// whatever tracer provider the process registered — ours (./setup.ts) or a backend's own OpenTelemetry SDK.
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';

export function kycClientInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}
