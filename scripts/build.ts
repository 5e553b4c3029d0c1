// `npm run build` (and `prepack`, so `npm pack` / `npm publish` always ship fresh JavaScript): the package as a
// backend installs it — dist/ from nothing, the compiled CommonJS with type declarations (tsconfig.build.json), then
// the prebuilt workflow bundle beside them (worker/workflow-bundle.ts names where the package looks for it).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { workflowBundlePath } from '../worker/workflow-bundle';
import { buildWorkflowBundle } from './build-workflow-bundle';
import { projectRoot } from './toolchain';

async function main(): Promise<void> {
  const started = Date.now();
  // From nothing: a module deleted from the sources must not live on in the package.
  rmSync(join(projectRoot, 'dist'), { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', join(projectRoot, 'tsconfig.build.json')],
    { cwd: projectRoot, stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${tsc.status ?? tsc.signal})`);
  const bundle = await buildWorkflowBundle(workflowBundlePath);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`build: dist/ compiled, workflow bundle ${(bundle.bytes / 1024).toFixed(0)} KiB, in ${seconds} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
