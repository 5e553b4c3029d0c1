// Figure 6: what one cached run costs the worker before it does anything — the module state the SDK creates for
// each run it holds (the workflow bundle's modules, evaluated once per run), and the CPU to create it, which every
// run replayed after a cache eviction pays again. Measured in this process, with the SDK's own workflow creators,
// for the KYC bundle against the floor's, with the reusable V8 context (the default) and without it (one context
// per run). Heap is read after a full GC, so it is what the runs retain, not garbage.
//
// This is how the zod in the workflow bundle was found: 826 KiB and ~20–70 ms per run, against 28 KiB for the floor
// (see docs/operations.md, "Memory"). The SDK's creators are internals (lib/), used here only to measure them.
/* eslint-disable @typescript-eslint/no-require-imports -- the SDK's internal workflow creators, see above */
import { readFileSync } from 'node:fs';
import { TypedSearchAttributes } from '@temporalio/common';
import { goals, type Verdict } from './report';
import { ratio } from './util';

interface Creator {
  createWorkflow(options: unknown): Promise<{ dispose(): Promise<void> }>;
  destroy(): Promise<void>;
}
type CreatorClass = {
  create(bundle: unknown, timeoutMs: number, activityNames: Set<string>, patch: undefined): Promise<Creator>;
};
const { ReusableVMWorkflowCreator } = require('@temporalio/worker/lib/workflow/reusable-vm') as {
  ReusableVMWorkflowCreator: CreatorClass;
};
const { VMWorkflowCreator } = require('@temporalio/worker/lib/workflow/vm') as { VMWorkflowCreator: CreatorClass };

export interface ModuleStateRow {
  bundle: 'kyc' | 'floor';
  reuseV8Context: boolean;
  runs: number;
  /** V8 heap retained per run (after a full GC). */
  kibPerRun: number;
  /** Process RSS per run: counts what the heap does not (a whole V8 context per run when none is reused). */
  rssKibPerRun: number;
  msPerRun: number;
}

export interface ModuleStateFigure {
  rows: ModuleStateRow[];
  /** KYC / floor, with the reusable context (the worker's default). */
  kibRatio: number;
  msRatio: number;
}

/** A bundle file as the worker loads it (code and its inline source map). */
function loadBundle(path: string) {
  const code = readFileSync(path, 'utf8');
  const marker = code.lastIndexOf('//# sourceMappingURL=data:application/json;base64,');
  const sourceMap: unknown = JSON.parse(
    Buffer.from(code.slice(code.indexOf('base64,', marker) + 'base64,'.length), 'base64').toString('utf8'),
  );
  return { code, sourceMap, filename: path };
}

function retainedHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function measure(
  bundlePath: string,
  workflowType: string,
  reuse: boolean,
  runs: number,
): Promise<{ kib: number; rssKib: number; ms: number }> {
  const creator = await (reuse ? ReusableVMWorkflowCreator : VMWorkflowCreator).create(
    loadBundle(bundlePath),
    5_000,
    new Set(),
    undefined,
  );
  const held: Array<{ dispose(): Promise<void> }> = [];
  try {
    const before = retainedHeap();
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    for (let i = 0; i < runs; i++) {
      const runId = `bench-run-${i}`;
      held.push(
        await creator.createWorkflow({
          info: {
            workflowId: `bench-${i}`,
            runId,
            workflowType,
            searchAttributes: {},
            typedSearchAttributes: new TypedSearchAttributes(),
            taskQueue: 'bench',
            namespace: 'default',
            firstExecutionRunId: runId,
            originalExecutionRunId: runId,
            startTime: new Date(),
            runStartTime: new Date(),
            taskTimeoutMs: 10_000,
            attempt: 1,
            historyLength: 3,
            historySize: 0,
            continueAsNewSuggested: false,
            unsafe: { now: Date.now, isReplaying: false, isReplayingHistoryEvents: false, random: Math.random },
            priority: {},
          },
          randomnessSeed: new Uint8Array(8),
          now: Date.now(),
          showStackTraceSources: false,
          failureExceptionTypeNames: [],
        }),
      );
    }
    const ms = (performance.now() - started) / runs;
    const kib = (retainedHeap() - before) / 1024 / runs;
    const rssKib = (process.memoryUsage.rss() - rssBefore) / 1024 / runs;
    return { kib, rssKib, ms };
  } finally {
    for (const run of held) await run.dispose();
    await creator.destroy();
  }
}

/** Needs `node --expose-gc` (bench/main.ts re-runs itself with it). */
export async function measureModuleState(
  bundles: { kyc: string; floor: string },
  runs: number,
  log: (line: string) => void,
): Promise<ModuleStateFigure> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') throw new Error('figure 6 needs node --expose-gc');
  const rows: ModuleStateRow[] = [];
  for (const reuseV8Context of [true, false]) {
    for (const bundle of ['kyc', 'floor'] as const) {
      const { kib, rssKib, ms } = await measure(
        bundles[bundle],
        bundle === 'kyc' ? 'kycWorkflow' : 'floorWorkflow',
        reuseV8Context,
        runs,
      );
      rows.push({ bundle, reuseV8Context, runs, kibPerRun: kib, rssKibPerRun: rssKib, msPerRun: ms });
      log(
        `  ${bundle}, ${reuseV8Context ? 'reused V8 context' : 'a V8 context per run'}: heap ${kib.toFixed(1)} KiB, ` +
          `RSS ${rssKib.toFixed(0)} KiB, ${ms.toFixed(2)} ms per run`,
      );
    }
  }
  const at = (bundle: 'kyc' | 'floor') => rows.find((r) => r.bundle === bundle && r.reuseV8Context)!;
  return {
    rows,
    kibRatio: ratio(at('kyc').kibPerRun, at('floor').kibPerRun),
    msRatio: ratio(at('kyc').msPerRun, at('floor').msPerRun),
  };
}

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function moduleStateVerdicts(f: ModuleStateFigure): Verdict[] {
  const row = (bundle: 'kyc' | 'floor', reuse: boolean) =>
    f.rows.find((r) => r.bundle === bundle && r.reuseV8Context === reuse)!;
  const kyc = row('kyc', true);
  const floor = row('floor', true);
  const kycOwn = row('kyc', false);
  return [
    {
      figure: 'module state per cached run, KiB (reused V8 context)',
      kyc: fmt(kyc.kibPerRun),
      baseline: `${fmt(floor.kibPerRun)} (floor bundle)`,
      ratio: fmt(f.kibRatio, 2),
      goal: `≤ ${goals.moduleStateKib} KiB`,
      pass: kyc.kibPerRun <= goals.moduleStateKib,
    },
    {
      figure: 'CPU to build it, ms per run (each replay pays it)',
      kyc: fmt(kyc.msPerRun, 2),
      baseline: `${fmt(floor.msPerRun, 2)} (floor bundle); ${fmt(kycOwn.msPerRun, 2)} with a V8 context per run`,
      ratio: fmt(f.msRatio, 2),
      goal: '— (information)',
      pass: true,
    },
  ];
}
