// Which workflow code a worker runs, and what tracing adds to Worker.create. Every bundle holds the KYC workflow
// modules (worker/workflow-modules.ts: the stale-activation guard); tracing on adds the activity interceptors, the
// sink for workflow spans, and the tracing workflow modules. Tracing off adds nothing else, so the bundle, and the
// memory each cached run costs, stay as they were without tracing.
// - bundled at start (no prebuilt bundle): the modules go into the bundle;
// - a prebuilt bundle holding them (scripts/build-workflow-bundle.ts, with --tracing when tracing is on): used as is;
// - a prebuilt bundle without them: the worker bundles the workflows itself, with them, and says so. Without the
//   guard a run could stop replaying; without tracing's modules every trace would be cut at the workflow. Refusing
//   to start would stop the work over what start-up can mend: bundling costs seconds, once per process.
import { readFile } from 'node:fs/promises';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import { hasTracingInterceptors } from '../tracing/bundle-marker';
import { hasKycWorkflowModules, kycWorkflowModules } from './workflow-modules';
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
  const traced = tracing?.enabled ? tracing.worker : undefined;
  const bundledAtStart = (notice?: string): WorkflowCode => {
    const workflowModules = [...kycWorkflowModules, ...(traced?.interceptors.workflowModules ?? [])];
    const interceptors = traced ? { ...traced.interceptors, workflowModules } : { workflowModules };
    return { options: { workflowsPath, interceptors, ...(traced ? { sinks: traced.sinks } : {}) }, notice };
  };
  if (!bundle) return bundledAtStart();

  const code = 'code' in bundle ? bundle.code : await readBundle(bundle.codePath);
  const missing = [
    ...(hasKycWorkflowModules(code) ? [] : ['the stale-activation guard']),
    ...(traced && !hasTracingInterceptors(code) ? ['the tracing interceptors'] : []),
  ];
  if (missing.length > 0) {
    const named = 'codePath' in bundle ? ` ${bundle.codePath}` : '';
    return bundledAtStart(
      `the prebuilt workflow bundle${named} was built without ${missing.join(' and ')}: bundling the workflows ` +
        `with them at start instead (a bundle built by \`scripts/build-workflow-bundle.ts${traced ? ' --tracing' : ''}\` ` +
        'starts without webpack)',
    );
  }
  // The workflow modules are in the bundle already; naming them again would only make the SDK warn.
  if (!traced) return { options: { workflowBundle: bundle, sinks: droppedWorkflowSpans } };
  return {
    options: { workflowBundle: bundle, interceptors: { activity: traced.interceptors.activity }, sinks: traced.sinks },
  };
}

async function readBundle(codePath: string): Promise<string> {
  try {
    return await readFile(codePath, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read the prebuilt workflow bundle ${codePath} (KYC_WORKFLOW_BUNDLE): ${(err as Error).message}`,
    );
  }
}
