// Figure 1: onboardings per second, end to end — 3 real documents uploaded to the sandbox, attach, submit, and
// the partner's signed webhook right after submit (sandbox → receiver → signal) — against the floor workflow
// (same activities as no-ops, one signal sent right after submit), at each concurrency, in a closed loop.
// Each level is measured `repetitions` times, KYC and floor interleaved (ABAB…, so both see the same machine);
// the figure is the median ratio of those pairs with their min–max, and the CPU each process spent per onboarding.
import { kycStartOptions } from '../client/start-options';
import { kycWorkflow } from '../workflows';
import { cpuMeter } from './cpu';
import { floorWorkflow } from './floor-workflow';
import type { WorkerChild } from './protocol';
import type { Stack } from './stack';
import { median, pool, ratio } from './util';

/** CPU ms per onboarding, by process: the Temporal server, the worker, the bench (client, sandbox, receiver). */
export interface CpuPerOnboarding {
  server: number;
  worker: number;
  bench: number;
}

export interface ThroughputRun {
  kycPerSecond: number;
  floorPerSecond: number;
  ratio: number;
  kycCpuMs: CpuPerOnboarding;
  floorCpuMs: CpuPerOnboarding;
}

export interface ThroughputPoint {
  concurrency: number;
  /** Onboardings in each run (each of KYC and floor, each repetition). */
  onboardings: number;
  /** The run with the median ratio: KYC and its floor from the same run, back to back. */
  kycPerSecond: number;
  floorPerSecond: number;
  /** Median of the runs' KYC/floor ratios (each pair measured back to back), with their spread. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  kycCpuMs: CpuPerOnboarding;
  floorCpuMs: CpuPerOnboarding;
  /**
   * The floor's CPU per onboarding over the KYC's, all processes together (median of the runs): the ratio the
   * machine allows once its cores are saturated, and steadier than the rates on a shared machine.
   */
  cpuRatio: number;
  runs: ThroughputRun[];
}

export interface ThroughputSizes {
  levels: number[];
  onboardingsAt: (concurrency: number) => number;
  repetitions: number;
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

const medianCpu = (samples: CpuPerOnboarding[]): CpuPerOnboarding => ({
  server: median(samples.map((s) => s.server)),
  worker: median(samples.map((s) => s.worker)),
  bench: median(samples.map((s) => s.bench)),
});

const totalCpu = (c: CpuPerOnboarding) => c.server + c.worker + c.bench;

const fmtCpu = (c: CpuPerOnboarding) =>
  `server ${c.server.toFixed(0)} + worker ${c.worker.toFixed(0)} + bench ${c.bench.toFixed(0)} ms`;

export async function measureThroughput(
  stack: Stack,
  sizes: ThroughputSizes,
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

  /** Onboardings per second and the CPU each process spent per onboarding meanwhile. */
  const timed = async (worker: WorkerChild, n: number, run: () => Promise<number>) => {
    const meter = cpuMeter({ server: stack.cpu.server, worker: stack.cpu.worker(worker), bench: stack.cpu.bench });
    const perSecond = await run();
    const spent = meter.read();
    const cpu: CpuPerOnboarding = { server: spent.server! / n, worker: spent.worker! / n, bench: spent.bench! / n };
    return { perSecond, cpu };
  };

  const runKyc = async (concurrency: number, n: number) => {
    const list = await customers(n);
    return timed(kycWorker, n, () =>
      closedLoop(concurrency, n, async (i) => {
        const { id, reference } = list[i]!;
        const handle = await stack.client.workflow.start(
          kycWorkflow,
          kycStartOptions({ customerId: id, customerReference: reference, documents: stack.documents }, kycQueue),
        );
        const result = await handle.result();
        if (result.status !== 'verified') throw new Error(`kyc ${id} ended ${result.status}`);
      }),
    );
  };
  const runFloor = (concurrency: number, n: number) =>
    timed(floorWorker, n, () =>
      closedLoop(concurrency, n, async () => {
        const handle = await stack.client.workflow.start(floorWorkflow, {
          taskQueue: floorQueue,
          workflowId: `floor-tp-${tag}-${++serial}`,
          args: [{ signalAfterSubmit: true }],
        });
        await handle.result();
      }),
    );

  try {
    // Warm both: caches, connections, the JIT.
    await runKyc(2, 4);
    await runFloor(2, 4);
    const points: ThroughputPoint[] = [];
    for (const [index, concurrency] of sizes.levels.entries()) {
      const n = sizes.onboardingsAt(concurrency);
      const runs: ThroughputRun[] = [];
      // ABAB… within a level; which goes first alternates between levels, so neither always runs on a warmer
      // (or more tired) machine.
      const kycFirst = index % 2 === 0;
      for (let r = 0; r < sizes.repetitions; r++) {
        const first = await (kycFirst ? runKyc : runFloor)(concurrency, n);
        const second = await (kycFirst ? runFloor : runKyc)(concurrency, n);
        const [kyc, floor] = kycFirst ? [first, second] : [second, first];
        runs.push({
          kycPerSecond: kyc.perSecond,
          floorPerSecond: floor.perSecond,
          ratio: ratio(kyc.perSecond, floor.perSecond),
          kycCpuMs: kyc.cpu,
          floorCpuMs: floor.cpu,
        });
      }
      const ratios = runs.map((r) => r.ratio);
      const middle = runs.find((r) => r.ratio === median(ratios)) ?? runs[0]!;
      const point: ThroughputPoint = {
        concurrency,
        onboardings: n,
        kycPerSecond: middle.kycPerSecond,
        floorPerSecond: middle.floorPerSecond,
        ratio: middle.ratio,
        ratioMin: Math.min(...ratios),
        ratioMax: Math.max(...ratios),
        kycCpuMs: medianCpu(runs.map((r) => r.kycCpuMs)),
        floorCpuMs: medianCpu(runs.map((r) => r.floorCpuMs)),
        cpuRatio: median(runs.map((r) => ratio(totalCpu(r.floorCpuMs), totalCpu(r.kycCpuMs)))),
        runs,
      };
      points.push(point);
      log(
        `  concurrency ${concurrency}: kyc ${point.kycPerSecond.toFixed(2)}/s, floor ${point.floorPerSecond.toFixed(2)}/s, ` +
          `ratio ${point.ratio.toFixed(2)} (${point.ratioMin.toFixed(2)}–${point.ratioMax.toFixed(2)}; ` +
          `${sizes.repetitions} × ${n} each)`,
      );
      log(
        `    CPU per onboarding: kyc ${fmtCpu(point.kycCpuMs)}; floor ${fmtCpu(point.floorCpuMs)}; ` +
          `floor/kyc ${point.cpuRatio.toFixed(2)}`,
      );
    }
    return points;
  } finally {
    await Promise.all([kycWorker.stop(), floorWorker.stop()]);
  }
}
