// The workflow interceptor modules tracing adds to a workflow bundle: for Worker.create's
// `interceptors.workflowModules` when the worker bundles at start, and for bundleWorkflowCode's
// `workflowInterceptorModules` when a traced bundle is built ahead of time (scripts/build-workflow-bundle.ts).
import { join } from 'node:path';

// Without an extension: webpack resolves the .ts source under tsx and the compiled .js in the package alike.
export const tracingWorkflowModules: readonly string[] = [join(__dirname, 'workflow-interceptors')];
