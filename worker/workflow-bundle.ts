// The workflow bundle the package ships, dist/workflow-bundle.js (written by `npm run build`, see
// scripts/build-workflow-bundle.ts): a worker given it starts without webpack, and every worker of one release runs
// byte-identical workflow code. It is built with the failure converter of common/data-converter.ts, so failures
// raised by workflow code are encoded like the worker's own.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder holding package.json. Found by walking up rather than by a fixed `..`, because this file runs from two
 * depths: compiled (dist/worker/, in the installed package) and from the sources (worker/, under tsx).
 */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return join(from, '..');
  }
}

export const workflowBundlePath = join(packageRoot(__dirname), 'dist', 'workflow-bundle.js');

/** `Worker.create({ workflowBundle })` for the shipped bundle; says how to build it when it is missing. */
export function prebuiltWorkflowBundle(): { codePath: string } {
  if (!existsSync(workflowBundlePath)) {
    throw new Error(
      `no prebuilt workflow bundle at ${workflowBundlePath}: run \`npm run build\` in the kyc-worker sources ` +
        `(the published package ships it), or leave workflowBundle unset to bundle workflowsPath at start`,
    );
  }
  return { codePath: workflowBundlePath };
}
