// The KYC worker alone holding ever more waiting runs, its RSS read at each checkpoint after a full GC — figure 4's
// set-up (bench/pending.ts) without the floor worker or the drain, so a question about memory costs minutes:
//   npm run bench:rss -- 1000,5000,10000
// Prints RSS, the main thread's heap, and the process's private anonymous memory (/proc smaps_rollup) at each.
// The environment passes to the worker process: MALLOC_ARENA_MAX=2 in front compares glibc's allocator settings.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { FIGURE_4_TIMING, holdPendingKyc, parseCheckpoints } from './pending';
import { buildBundles, startStack } from './stack';
import { mib, sleep } from './util';

const checkpoints = parseCheckpoints(process.argv[2] ?? '1000,5000,10000', 'bench:rss');
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Private anonymous memory of a process, MiB: what it allocated itself, without mapped files. */
const anonymousMiB = (pid: number) =>
  Number(/^Anonymous:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) / 1024;

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const shared = mkdtempSync(join(tmpdir(), 'kyc-pending-rss-'));
  const stack = await startStack(log, { server: 'dev', bundles: await buildBundles(shared) });
  const queue = `pending-rss-${Date.now().toString(36)}`;
  const kyc = await stack.kycWorker(queue);
  let held = 0;
  try {
    for (const target of checkpoints) {
      await holdPendingKyc(stack, queue, target - held, queue, held, FIGURE_4_TIMING);
      held = target;
      await sleep(3000);
      const m = await kyc.memory(false, true);
      log(
        `${target} pending: RSS ${mib(m.rss).toFixed(0)} MiB, main-thread heap ${mib(m.heapUsed).toFixed(0)} MiB, ` +
          `anonymous ${anonymousMiB(kyc.pid).toFixed(0)} MiB (MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset'})`,
      );
    }
  } finally {
    await kyc.stop();
    await stack.close();
    rmSync(shared, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
