// How a worker tells a prebuilt workflow bundle (KYC_WORKFLOW_BUNDLE) built with the tracing interceptors from one
// built without: the workflow interceptor module carries this string, so it appears in a bundle's code exactly when
// the module was bundled in (webpack keeps module sources verbatim in the SDK's development-mode bundles).
export const tracingBundleMarker = 'kyc-worker:tracing-workflow-interceptors:v1';

export function hasTracingInterceptors(bundleCode: string): boolean {
  return bundleCode.includes(tracingBundleMarker);
}
