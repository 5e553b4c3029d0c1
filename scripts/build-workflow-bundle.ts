// Builds the workflow bundle ahead of time (the Docker image does this at build time), so a worker starts without
// webpack and every worker of one image runs byte-identical workflow code. The worker loads it via
// KYC_WORKFLOW_BUNDLE. Usage: tsx scripts/build-workflow-bundle.ts [output path, default dist/workflow-bundle.js]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../common/data-converter';

export const defaultBundlePath = join(__dirname, '..', 'dist', 'workflow-bundle.js');

export async function buildWorkflowBundle(outputPath = defaultBundlePath): Promise<{ path: string; bytes: number }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(__dirname, '..', 'workflows'),
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
  buildWorkflowBundle(process.argv[2]).then(
    ({ path, bytes }) => console.log(`workflow bundle written to ${path} (${(bytes / 1024).toFixed(0)} KiB)`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
