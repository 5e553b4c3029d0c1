// The package's `kyc-worker/tracing` entry: what a process calls first to trace (setupTracing), the client
// interceptors for a Temporal client of one's own, and the workflow modules for a traced prebuilt bundle. Importing
// it loads none of the OpenTelemetry SDK: that happens only when setupTracing finds tracing on.
export { setupTracing, type SetupTracingOptions, type Tracing, type TracingOff, type TracingOn } from './setup';
export { tracingSettings, type OtlpProtocol, type TracingSettings } from './settings';
export { kycClientInterceptors } from './client-interceptors';
export { tracingWorkflowModules } from './workflow-modules';
export { hasTracingInterceptors } from './bundle-marker';
export type { WorkerTracing } from './worker-tracing';
