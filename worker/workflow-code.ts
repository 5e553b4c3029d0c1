// Which workflow code a worker runs, and what tracing adds to Worker.create. Tracing off: the options of a worker
// without tracing — the prebuilt bundle, or workflowsPath bundled at start with no interceptor module — so the
// bundle, and the memory each cached run costs, stay as they were. Tracing on: the activity interceptors, the sink
// for workflow spans, and workflow code that holds the tracing interceptors:
// - bundled at start: the interceptor modules go into the bundle;
// - a prebuilt bundle built with them (scripts/build-workflow-bundle.ts --tracing): used as it is;
// - a prebuilt bundle built without them: the worker bundles the workflows itself, with them, and says so. Using
//   the bundle anyway would cut every trace at the workflow (activity spans without a parent); refusing to start
//   would let tracing, an aid, stop the work. Bundling costs seconds of start-up, once per process.
import { readFile } from 'node:fs/promises';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import { hasTracingInterceptors } from '../tracing/bundle-marker';
import type { Tracing } from '../tracing/setup';

type BundleOption = NonNullable<WorkerOptions['workflowBundle']>;

export interface WorkflowCode {
  options: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors' | 'sinks'>;
  /** Said once at start when the worker does not run the bundle it was given, and why. */
  notice?: string;
}

/**
 * A traced prebuilt bundle in a worker with tracing off hands its workflow spans to this sink, which drops them;
 * without it the SDK would log an error for an unregistered sink on every workflow task. Unused by any other bundle.
 */
const droppedWorkflowSpans: InjectedSinks<OpenTelemetrySinks> = { exporter: { export: { fn: () => undefined } } };

export async function workflowCode(
  workflowsPath: string,
  bundle: BundleOption | undefined,
  tracing: Tracing | undefined,
): Promise<WorkflowCode> {
  if (!tracing?.enabled) {
    return { options: bundle ? { workflowBundle: bundle, sinks: droppedWorkflowSpans } : { workflowsPath } };
  }
  const { interceptors, sinks } = tracing.worker;
  if (!bundle) return { options: { workflowsPath, interceptors, sinks } };
  if (await bundleHasTracing(bundle)) {
    // The workflow modules are in the bundle already; naming them again would only make the SDK warn.
    return { options: { workflowBundle: bundle, interceptors: { activity: interceptors.activity }, sinks } };
  }
  const named = 'codePath' in bundle ? ` ${bundle.codePath}` : '';
  return {
    options: { workflowsPath, interceptors, sinks },
    notice:
      `tracing is on but the prebuilt workflow bundle${named} was built without the tracing interceptors: ` +
      'bundling the workflows with them at start instead (a bundle built by ' +
      '`scripts/build-workflow-bundle.ts --tracing` starts without webpack)',
  };
}

async function bundleHasTracing(bundle: BundleOption): Promise<boolean> {
  return hasTracingInterceptors('code' in bundle ? bundle.code : await readFile(bundle.codePath, 'utf8'));
}
