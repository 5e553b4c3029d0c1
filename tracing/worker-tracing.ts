// What tracing adds to a Temporal worker: a RunActivity span around each activity (a child of the workflow's
// StartActivity span, read from the activity's headers; the HTTP spans of its calls nest under it), the trace ids
// on activity log lines, the workflow interceptor modules for the bundle, and the sink through which the workflow
// sandbox's spans reach this process's span processor.
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import { tracingWorkflowModules } from './workflow-modules';

export interface WorkerTracing {
  interceptors: Required<Pick<WorkerInterceptors, 'activity' | 'workflowModules'>>;
  sinks: InjectedSinks<OpenTelemetrySinks>;
}

export function workerTracing(spanProcessor: SpanProcessor, resource: Resource): WorkerTracing {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      workflowModules: [...tracingWorkflowModules],
    },
    // The processor, not an exporter: workflow spans then pass the same redaction and batching as every other span.
    sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
  };
}
