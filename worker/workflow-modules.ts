// The workflow interceptor modules every KYC workflow bundle holds, and how a worker checks a prebuilt bundle for
// them. Today one: the guard that fails an activation whose clock is stale (workflows/stale-activation.ts), without
// which a run that met a query right after its worker died could stop replaying. Tracing adds its own
// (tracing/workflow-modules.ts) when it is on.
import { join } from 'node:path';
import { staleActivationGuardMarker } from '../workflows/stale-activation';

// Without an extension: webpack resolves the .ts source under tsx and the compiled .js in the package alike.
export const kycWorkflowModules: readonly string[] = [join(__dirname, '..', 'workflows', 'stale-activation')];

/** Whether a bundle's code holds the guard (webpack keeps module sources verbatim in the SDK's bundles). */
export function hasKycWorkflowModules(bundleCode: string): boolean {
  return bundleCode.includes(staleActivationGuardMarker);
}
