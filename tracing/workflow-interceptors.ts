// The workflow half of tracing, a module for the workflow bundle: bundled in only when tracing is on
// (./workflow-modules.ts), so a worker without tracing runs exactly the bundle it ran before. Per run it opens a
// RunWorkflow span under the starter's span (carried in the start's headers), a StartActivity span per activity,
// and hands the trace to each activity in the activity's headers. Spans leave the workflow sandbox through the
// `exporter` sink (./worker-tracing.ts), which the SDK does not call while replaying, so a replay exports nothing
// twice. It issues no command of its own: recorded histories replay with it and without it (test/tracing.test.ts).
export { interceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';
export { tracingBundleMarker } from './bundle-marker';
