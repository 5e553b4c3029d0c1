// Builds the workflow bundle ahead of time (the Docker image does this at build time), so a worker starts without
// webpack and every worker of one image runs byte-identical workflow code. The worker loads it via
// KYC_WORKFLOW_BUNDLE; `npm run build` ships it in the package (worker/workflow-bundle.ts).
// Usage: tsx scripts/build-workflow-bundle.ts [--tracing] [output path, default dist/workflow-bundle.js]
// Every bundle holds the KYC workflow modules (worker/workflow-modules.ts). --tracing bundles the tracing interceptors
// in too (tracing/workflow-modules.ts), for workers with OTEL_* tracing on; the default bundle has none, so a worker
// without tracing carries nothing of it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../common/data-converter';
import { tracingWorkflowModules } from '../tracing/workflow-modules';
import { workflowBundlePath } from '../worker/workflow-bundle';
import { kycWorkflowModules } from '../worker/workflow-modules';

export async function buildWorkflowBundle(
  outputPath = workflowBundlePath,
  { tracing = false }: { tracing?: boolean } = {},
): Promise<{ path: string; bytes: number }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(__dirname, '..', 'workflows'),
    // The stale-activation guard always (worker/workflow-modules.ts); tracing's modules when asked for.
    workflowInterceptorModules: [...kycWorkflowModules, ...(tracing ? tracingWorkflowModules : [])],
    // Failures raised by workflow code are encoded (encrypted) like the worker's own: see common/data-converter.ts.
    failureConverterPath,
    // The bundle is built once and shipped: webpack's own chatter is not the build's output.
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const path = resolve(outputPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  return { path, bytes: Buffer.byteLength(code) };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  buildWorkflowBundle(
    args.find((arg) => arg !== '--tracing'),
    { tracing: args.includes('--tracing') },
  ).then(
    ({ path, bytes }) => console.log(`workflow bundle written to ${path} (${(bytes / 1024).toFixed(0)} KiB)`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
