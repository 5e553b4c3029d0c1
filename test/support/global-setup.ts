// Starts what every test file shares: one real Temporal dev server (from the local binaries) and one
// prebuilt workflow bundle, so no file pays for bundling the workflows again.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { kycWorkflowModules } from '../../worker/workflow-modules';
import { kycSearchAttributes } from '../../workflows/search-attributes';
import { projectRoot, requireTemporalCli, requireTestServer } from '../../scripts/toolchain';
import { freePort } from '../../scripts/ports';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
    /** The dev server's Web UI, e.g. http://127.0.0.1:38211 (test/support/browser.ts). */
    temporalUiUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // Fail at once, naming every place tried, rather than letting the SDK attempt a download.
  const cli = requireTemporalCli();
  requireTestServer();

  const artifacts = join(projectRoot, '.artifacts');
  mkdirSync(artifacts, { recursive: true });
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(projectRoot, 'workflows'),
    workflowInterceptorModules: [...kycWorkflowModules],
  });
  // One file per run: two suites started side by side (two checkouts' CI, a watcher) never read each other's bundle.
  const workflowBundlePath = join(artifacts, `test-workflow-bundle-${process.pid}.js`);
  writeFileSync(workflowBundlePath, bundle.code);

  // The UI's default port (the server's + 1000) may be taken: ask the OS for one.
  const uiPort = await freePort('127.0.0.1');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      searchAttributes: kycSearchAttributes,
      ip: '127.0.0.1',
      ui: true,
      uiPort,
      extraArgs: ['--log-level', 'error'],
    },
  });
  project.provide('temporalAddress', env.address);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('temporalUiUrl', `http://127.0.0.1:${uiPort}`);

  return async () => {
    rmSync(workflowBundlePath, { force: true });
    await env.teardown();
  };
}
