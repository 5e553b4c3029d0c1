// Figure 1: onboardings per second, end to end — 3 real documents uploaded to the sandbox, attach, submit, and
// the partner's signed webhook right after submit (sandbox → receiver → signal) — against the floor workflow
// (same activities as no-ops, one signal sent right after submit), at each concurrency, in a closed loop.
import { kycStartOptions } from '../client/start-options';
import { kycWorkflow } from '../workflows';
import { floorWorkflow } from './floor-workflow';
import type { Stack } from './stack';
import { pool, ratio } from './util';

export interface ThroughputPoint {
  concurrency: number;
  onboardings: number;
  kycPerSecond: number;
  floorPerSecond: number;
  ratio: number;
}

/** `count` onboardings, `concurrency` of them in flight at any time; returns completions per second. */
async function closedLoop(concurrency: number, count: number, one: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  await pool(
    concurrency,
    Array.from({ length: count }, (_, i) => i),
    (i) => one(i),
  );
  return count / ((performance.now() - started) / 1000);
}

export async function measureThroughput(
  stack: Stack,
  levels: number[],
  countFor: (concurrency: number) => number,
  log: (line: string) => void,
): Promise<ThroughputPoint[]> {
  const tag = Date.now().toString(36);
  const kycQueue = `bench-kyc-tp-${tag}`;
  const floorQueue = `bench-floor-tp-${tag}`;
  const [kycWorker, floorWorker] = await Promise.all([stack.kycWorker(kycQueue), stack.floorWorker(floorQueue)]);
  let serial = 0;

  /** Customers exist before the clock starts (the backend creates them), each reviewed "verify" at once. */
  const customers = async (n: number) =>
    pool(
      8,
      Array.from({ length: n }, () => `bench-tp-${tag}-${++serial}`),
      async (reference) => {
        const id = await stack.rail.createCustomer(reference);
        await stack.rail.review(id, { outcome: 'verify', after_ms: 0 });
        return { id, reference };
      },
    );

  const runKyc = async (concurrency: number, n: number) => {
    const list = await customers(n);
    return closedLoop(concurrency, n, async (i) => {
      const { id, reference } = list[i]!;
      const handle = await stack.client.workflow.start(
        kycWorkflow,
        kycStartOptions({ customerId: id, customerReference: reference, documents: stack.documents }, kycQueue),
      );
      const result = await handle.result();
      if (result.status !== 'verified') throw new Error(`kyc ${id} ended ${result.status}`);
    });
  };
  const runFloor = (concurrency: number, n: number) =>
    closedLoop(concurrency, n, async () => {
      const handle = await stack.client.workflow.start(floorWorkflow, {
        taskQueue: floorQueue,
        workflowId: `floor-tp-${tag}-${++serial}`,
        args: [{ signalAfterSubmit: true }],
      });
      await handle.result();
    });

  try {
    // Warm both: caches, connections, the JIT.
    await runKyc(2, 4);
    await runFloor(2, 4);
    const points: ThroughputPoint[] = [];
    for (const [index, concurrency] of levels.entries()) {
      const n = countFor(concurrency);
      // Alternate which goes first, so neither always runs on a warmer (or more tired) machine.
      let kyc: number;
      let floor: number;
      if (index % 2 === 0) {
        kyc = await runKyc(concurrency, n);
        floor = await runFloor(concurrency, n);
      } else {
        floor = await runFloor(concurrency, n);
        kyc = await runKyc(concurrency, n);
      }
      points.push({ concurrency, onboardings: n, kycPerSecond: kyc, floorPerSecond: floor, ratio: ratio(kyc, floor) });
      log(`  concurrency ${concurrency}: kyc ${kyc.toFixed(2)}/s, floor ${floor.toFixed(2)}/s (${n} each)`);
    }
    return points;
  } finally {
    await Promise.all([kycWorker.stop(), floorWorker.stop()]);
  }
}
