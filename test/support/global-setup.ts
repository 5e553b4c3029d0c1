// Starts what every test file shares: one real Temporal dev server (from the local binaries) and one
// prebuilt workflow bundle, so no file pays for bundling the workflows again.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { kycSearchAttributes } from '../../workflows/search-attributes';
import { projectRoot, requireTemporalCli, requireTestServer } from '../../scripts/toolchain';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  // Fail at once, naming every place tried, rather than letting the SDK attempt a download.
  const cli = requireTemporalCli();
  requireTestServer();

  const artifacts = join(projectRoot, '.artifacts');
  mkdirSync(artifacts, { recursive: true });
  const bundle = await bundleWorkflowCode({ workflowsPath: join(projectRoot, 'workflows') });
  const workflowBundlePath = join(artifacts, 'test-workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      searchAttributes: kycSearchAttributes,
      ip: '127.0.0.1',
      extraArgs: ['--log-level', 'error'],
    },
  });
  project.provide('temporalAddress', env.address);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await env.teardown();
  };
}
