// `npm run bench` — measures the KYC worker against its baselines, each in the same run, on a stack it starts
// itself (dev server on free ports with a temp db, sandbox without latency, worker processes), then prints the
// verdicts, writes bench/results.json and draws bench/throughput.svg.
//   npm run bench -- --quick                 a few minutes on 2 cores (smaller N)
//   npm run bench -- --only=upload,latency   some figures only (throughput, billing, upload, pending, latency)
//   npm run bench -- --max-cached=50         both workers' maxCachedWorkflows in figure 4 (to model evictions at small N)
//   npm run bench -- --naive-all             run the naive billing baseline on the 20 h / 30 h paths too (slow)
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { measureBilling, type BillingRow } from './billing';
import { measureLatency, measurePending, type LatencyFigure, type PendingFigure } from './pending';
import {
  billingVerdicts,
  latencyVerdicts,
  markdownTable,
  pendingVerdicts,
  textTable,
  throughputSvg,
  throughputVerdicts,
  uploadVerdicts,
  type Verdict,
} from './report';
import { startStack } from './stack';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { measureThroughput, type ThroughputPoint } from './throughput';
import { measureUpload, type UploadFigure } from './upload';

const figureNames = ['throughput', 'billing', 'upload', 'pending', 'latency'] as const;
type FigureName = (typeof figureNames)[number];

export interface BenchSizes {
  levels: number[];
  onboardingsAt: (concurrency: number) => number;
  uploadRepetitions: number;
  pending: number;
  latencySamples: number;
  /** Run the naive billing baseline on the 20 h and 30 h paths too, instead of extrapolating its 1 h run. */
  naiveAllPaths: boolean;
}

export const sizes: Record<'quick' | 'full', BenchSizes> = {
  quick: {
    levels: [1, 4, 16],
    onboardingsAt: (c) => Math.max(8, 2 * c),
    uploadRepetitions: 3,
    pending: 200,
    latencySamples: 30,
    naiveAllPaths: false,
  },
  full: {
    levels: [1, 4, 16, 64],
    onboardingsAt: (c) => Math.max(24, 4 * c),
    uploadRepetitions: 7,
    pending: 5000,
    latencySamples: 200,
    naiveAllPaths: false,
  },
};

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const only = argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',')
    .filter(Boolean);
  for (const name of only ?? []) {
    if (!figureNames.includes(name as FigureName))
      throw new Error(`--only: unknown figure "${name}" (known: ${figureNames.join(', ')})`);
  }
  const naiveAll = argv.includes('--naive-all');
  const maxCached = argv.find((a) => a.startsWith('--max-cached='))?.slice('--max-cached='.length);
  const pending = argv.find((a) => a.startsWith('--pending='))?.slice('--pending='.length);
  if (pending !== undefined && !(Number.isInteger(Number(pending)) && Number(pending) > 0)) {
    throw new Error(`--pending takes a positive whole number, not "${pending}"`);
  }
  const unknown = argv.filter(
    (a) =>
      a !== '--quick' &&
      a !== '--naive-all' &&
      !['--only=', '--max-cached=', '--pending='].some((p) => a.startsWith(p)),
  );
  if (unknown.length) {
    throw new Error(
      `unknown argument(s): ${unknown.join(' ')}; use --quick, --naive-all, --only=${figureNames.join(',')}`,
    );
  }
  return {
    mode: quick ? ('quick' as const) : ('full' as const),
    naiveAll,
    maxCachedWorkflows: maxCached === undefined ? undefined : Number(maxCached),
    /** Overrides the mode's number of pending onboardings (figure 4). */
    pending: pending === undefined ? undefined : Number(pending),
    figures: new Set<FigureName>((only as FigureName[]) ?? figureNames),
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { mode, figures, naiveAll, maxCachedWorkflows, pending } = parseArgs(process.argv.slice(2));
  const size = { ...sizes[mode], ...(naiveAll ? { naiveAllPaths: true } : {}), ...(pending ? { pending } : {}) };
  const began = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = {
    node: process.version,
    cpus: cpus().length,
    loadavgAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
  log(
    `bench, ${mode} mode: ${[...figures].join(', ')} (${machine.cpus} cores, load ${machine.loadavgAtStart.join(' ')})`,
  );

  const stack = await startStack(log);
  const stop = () => void stack.close().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const results: {
    throughput?: ThroughputPoint[];
    billing?: BillingRow[];
    upload?: UploadFigure;
    pending?: PendingFigure;
    latency?: LatencyFigure;
  } = {};
  const verdicts: Verdict[] = [];
  try {
    if (figures.has('throughput')) {
      log(`figure 1: onboardings/s end to end vs floor, concurrency ${size.levels.join(', ')}`);
      results.throughput = await measureThroughput(stack, size.levels, size.onboardingsAt, log);
      verdicts.push(...throughputVerdicts(results.throughput));
    }
    if (figures.has('billing')) {
      log('figure 2: billable actions per onboarding (time-skipping), kycWorkflow vs naive 1-minute polling');
      results.billing = await measureBilling(stack, size.naiveAllPaths, log);
      verdicts.push(...billingVerdicts(results.billing));
    }
    if (figures.has('upload')) {
      log(`figure 3: 50 MB PDF through the upload activity vs curl, ${size.uploadRepetitions} each`);
      results.upload = await measureUpload(stack, size.uploadRepetitions, log);
      verdicts.push(...uploadVerdicts(results.upload));
    }
    if (figures.has('latency')) {
      log(`figure 5: webhook → run closed vs raw signal, ${size.latencySamples} each`);
      results.latency = await measureLatency(stack, size.latencySamples, log);
      verdicts.push(...latencyVerdicts(results.latency));
    }
    if (figures.has('pending')) {
      log(`figure 4: ${size.pending} pending onboardings on one worker, then ${size.pending} webhooks`);
      results.pending = await measurePending(stack, size.pending, log, maxCachedWorkflows);
      verdicts.push(...pendingVerdicts(results.pending));
    }
  } finally {
    await stack.close();
  }

  const finished = {
    seconds: Math.round((Date.now() - began) / 1000),
    loadavgAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.log(`\n${textTable(verdicts)}\n`);
  console.log(markdownTable(verdicts));
  const out = join(__dirname, 'results.json');
  writeFileSync(
    out,
    `${JSON.stringify({ mode, at: new Date(began).toISOString(), machine: { ...machine, ...finished }, verdicts, results }, null, 2)}\n`,
  );
  log(`wrote ${out}`);
  if (results.throughput) {
    const svg = join(__dirname, 'throughput.svg');
    writeFileSync(
      svg,
      throughputSvg(
        results.throughput,
        `${mode} run, ${machine.cpus} cores, ${new Date(began).toISOString().slice(0, 16)}Z, node ${machine.node}`,
      ),
    );
    log(`wrote ${svg}`);
  }
  const missed = verdicts.filter((v) => !v.pass).length;
  log(missed ? `${missed} of ${verdicts.length} figures MISS their goal` : `all ${verdicts.length} figures PASS`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
