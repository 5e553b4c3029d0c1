// `npm run bench` — measures the KYC worker against its baselines, each in the same run, on a stack it starts
// itself (a Temporal server on free ports, sandbox without latency, worker processes), once per server — the dev
// server and the native stack's PostgreSQL-backed temporal-server — then prints the verdicts, writes
// bench/results.json and draws bench/throughput.svg.
//   npm run bench -- --quick                 smaller N: about six minutes a server on 2 cores, twelve for both
//   npm run bench -- --server=postgres       one server only (dev, postgres; default both)
//   npm run bench -- --only=upload,latency   some figures only (throughput, billing, upload, pending, latency, receiver)
//   npm run bench -- --max-cached=50         both workers' maxCachedWorkflows in figure 4 (to model evictions at small N)
//   npm run bench -- --pending=N,M           the size of figure 4
//   npm run bench -- --naive-all             run the naive billing baseline on the 20 h / 30 h paths too (slow)
//   npm run bench -- --cpu-prof=DIR          every worker process writes a V8 CPU profile into DIR when it stops
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { measureBilling, type BillingRow } from './billing';
import {
  measureLatency,
  measurePending,
  parseCheckpoints,
  pendingVerdicts,
  type LatencyFigure,
  type PendingFigure,
} from './pending';
import {
  billingVerdicts,
  latencyVerdicts,
  markdownTable,
  textTable,
  throughputSvg,
  throughputVerdicts,
  uploadVerdicts,
  type Verdict,
} from './report';
import { buildBundles, closeOpenStacks, serverKinds, startStack, type ServerKind } from './stack';
import { measureThroughput, type ThroughputPoint, type ThroughputSizes } from './throughput';
import { measureModuleState, moduleStateVerdicts, type ModuleStateFigure } from './module-state';
import { measureReceiver, receiverVerdicts, type ReceiverFigure } from './receiver';
import { measureUpload, type UploadFigure } from './upload';

const figureNames = ['throughput', 'billing', 'upload', 'pending', 'latency', 'receiver', 'module-state'] as const;
type FigureName = (typeof figureNames)[number];

export interface BenchSizes {
  throughput: ThroughputSizes;
  uploadRepetitions: number;
  /** Pending-run checkpoints of figure 4, ascending: RSS read at each, the last one drained. */
  pending: number[];
  latencySamples: number;
  /** Figure 6: webhooks per case (and raw signals beside them), from 16 connections. */
  receiverRequests: number;
  /** Run the naive billing baseline on the 20 h and 30 h paths too, instead of extrapolating its 1 h run. */
  naiveAllPaths: boolean;
}

export const sizes: Record<'quick' | 'full', BenchSizes> = {
  // About five minutes for every figure on both servers on this project's 2-core machine (see the README).
  quick: {
    throughput: { levels: [1, 4, 16], onboardingsAt: (c) => Math.max(3, c), repetitions: 3 },
    uploadRepetitions: 3,
    pending: [500, 1000],
    latencySamples: 30,
    receiverRequests: 200,
    naiveAllPaths: false,
  },
  full: {
    throughput: { levels: [1, 4, 16, 64], onboardingsAt: (c) => Math.max(16, 2 * c), repetitions: 3 },
    uploadRepetitions: 7,
    pending: [1000, 5000, 20000],
    latencySamples: 200,
    receiverRequests: 1000,
    naiveAllPaths: false,
  },
};

/** What one server's stack measured. */
export interface ServerResults {
  label: string;
  /** When this server's measurements began, and the machine's load then and at the end. */
  at: string;
  loadavg: { start: number[]; end?: number[] };
  /** The figures measured on it and their mode (a server measured by an earlier run keeps its own). */
  mode: 'quick' | 'full';
  figures: string[];
  seconds: number;
  /** Wall time of each figure on this server (billing, measured once, is counted on the first). */
  figureSeconds: Record<string, number>;
  /** Figures kept from an earlier run on this server (this run measured others), each with that run's date. */
  keptFigures?: Record<string, string>;
  throughput?: ThroughputPoint[];
  upload?: UploadFigure;
  pending?: PendingFigure;
  latency?: LatencyFigure;
  receiver?: ReceiverFigure;
}

const valued = (argv: string[], name: string) =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(`--${name}=`.length);

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const list = (name: string) => valued(argv, name)?.split(',').filter(Boolean);
  const only = list('only');
  for (const name of only ?? []) {
    if (!figureNames.includes(name as FigureName))
      throw new Error(`--only: unknown figure "${name}" (known: ${figureNames.join(', ')})`);
  }
  const servers = list('server') ?? [...serverKinds];
  for (const name of servers) {
    if (!serverKinds.includes(name as ServerKind))
      throw new Error(`--server: unknown server "${name}" (known: ${serverKinds.join(', ')})`);
  }
  const naiveAll = argv.includes('--naive-all');
  const maxCached = valued(argv, 'max-cached');
  const pending = valued(argv, 'pending');
  const checkpoints = pending === undefined ? undefined : parseCheckpoints(pending, '--pending');
  const cpuProf = valued(argv, 'cpu-prof');
  const known = ['--only=', '--server=', '--max-cached=', '--pending=', '--cpu-prof='];
  const unknown = argv.filter(
    (a) => a !== '--quick' && a !== '--naive-all' && !known.some((prefix) => a.startsWith(prefix)),
  );
  if (unknown.length) {
    throw new Error(
      `unknown argument(s): ${unknown.join(' ')}; use --quick, --naive-all, --only=${figureNames.join(',')}, ` +
        `--server=${serverKinds.join(',')}, --pending=N[,N…], --max-cached=N, --cpu-prof=DIR`,
    );
  }
  return {
    mode: quick ? ('quick' as const) : ('full' as const),
    naiveAll,
    maxCachedWorkflows: maxCached === undefined ? undefined : Number(maxCached),
    /** Overrides the mode's number of pending onboardings (figure 4). */
    pending: checkpoints,
    figures: new Set<FigureName>((only as FigureName[]) ?? figureNames),
    servers: serverKinds.filter((kind) => servers.includes(kind)),
    cpuProfDir: cpuProf === undefined ? undefined : resolve(cpuProf),
  };
}

const load = () => loadavg().map((l) => Number(l.toFixed(2)));

/** Set by Ctrl-C / SIGTERM: the signal handler ends the process once the stack is down. */
let interrupted = false;

async function main(): Promise<void> {
  // Errors only, the SDK core's own log lines included (the in-process billing workers would warn on every run).
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const { mode, figures, servers, naiveAll, maxCachedWorkflows, pending, cpuProfDir } = parseArgs(
    process.argv.slice(2),
  );
  const size = { ...sizes[mode], ...(naiveAll ? { naiveAllPaths: true } : {}), ...(pending ? { pending } : {}) };
  const began = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadavgAtStart: load(),
  };
  log(
    `bench, ${mode} mode: ${[...figures].join(', ')} on ${servers.join(', ')} ` +
      `(${machine.cpus} cores, load ${machine.loadavgAtStart.join(' ')})`,
  );
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });

  // Ctrl-C / SIGTERM: the running stack is taken down (worker processes, Temporal, PostgreSQL, temp folders)
  // before the bench exits; a second Ctrl-C while that happens does not cut it short.
  const shared = mkdtempSync(join(tmpdir(), 'kyc-bench-'));
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return log(`${signal}: still stopping the stack…`);
    interrupted = true;
    log(`${signal}: stopping the stack…`);
    // The figure under way fails as its stack goes (a closed connection throws, even from the client's timers):
    // nothing it throws now may end the process before the servers are stopped and the folders removed.
    process.on('uncaughtException', () => undefined);
    process.on('unhandledRejection', () => undefined);
    void closeOpenStacks()
      .catch(() => undefined)
      .finally(() => {
        rmSync(shared, { recursive: true, force: true });
        process.exit(130);
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const perServer: Partial<Record<ServerKind, ServerResults>> = {};
  let billing: BillingRow[] | undefined;
  let moduleState: ModuleStateFigure | undefined;
  const verdicts: Verdict[] = [];
  const tagged = (server: string, list: Verdict[]) => list.map((v) => ({ ...v, server }));
  try {
    log('building workflow bundles (kyc, floor, naive)…');
    const bundles = await buildBundles(shared);
    // What a cached run holds before it does anything: no server involved, measured once.
    if (figures.has('module-state')) {
      log('figure 7: module state per cached run and the CPU to build it (each replay pays it), KYC vs floor bundle');
      moduleState = await measureModuleState(bundles, 200, log);
      verdicts.push(...tagged('none', moduleStateVerdicts(moduleState)));
    }
    for (const kind of servers) {
      const serverBegan = Date.now();
      const stack = await startStack(log, { server: kind, bundles, ...(cpuProfDir ? { cpuProfDir } : {}) });
      const results: ServerResults = {
        label: stack.server.label,
        at: new Date(serverBegan).toISOString(),
        loadavg: { start: load() },
        mode,
        figures: [...figures].filter((f) => f !== 'module-state' && f !== 'billing'),
        seconds: 0,
        figureSeconds: {},
      };
      // A server that measures no figure of its own (e.g. `--only=billing`) keeps its earlier results in the file.
      if (results.figures.length) perServer[kind] = results;
      const lap = async <T>(figure: string, work: () => Promise<T>): Promise<T> => {
        const figureBegan = Date.now();
        try {
          return await work();
        } finally {
          results.figureSeconds[figure] = Math.round((Date.now() - figureBegan) / 1000);
        }
      };
      const say = (line: string) => log(`${kind}: ${line}`);
      say(`${stack.server.label} at ${stack.server.address}`);
      try {
        if (figures.has('throughput')) {
          const t = size.throughput;
          say(
            `figure 1: onboardings/s end to end vs floor, concurrency ${t.levels.join(', ')}, ${t.repetitions} runs each`,
          );
          results.throughput = await lap('throughput', () => measureThroughput(stack, t, say));
          verdicts.push(...tagged(kind, throughputVerdicts(results.throughput)));
        }
        // Billable actions are counted from histories on the time-skipping server (30 h of a run's life cannot be
        // waited out on a real one) and do not depend on the server: measured once, beside the first stack.
        if (figures.has('billing') && !billing) {
          say('figure 2: billable actions per onboarding (time-skipping), kycWorkflow vs naive 1-minute polling');
          billing = await lap('billing', () => measureBilling(stack, size.naiveAllPaths, say));
          verdicts.push(...tagged('time-skipping', billingVerdicts(billing)));
        }
        if (figures.has('upload')) {
          say(`figure 3: 50 MB PDF through the upload activity vs curl, ${size.uploadRepetitions} each`);
          results.upload = await lap('upload', () => measureUpload(stack, size.uploadRepetitions, say));
          verdicts.push(...tagged(kind, uploadVerdicts(results.upload)));
        }
        if (figures.has('latency')) {
          say(`figure 5: webhook → run closed vs raw signal, ${size.latencySamples} each`);
          results.latency = await lap('latency', () => measureLatency(stack, size.latencySamples, say));
          verdicts.push(...tagged(kind, latencyVerdicts(results.latency)));
        }
        if (figures.has('receiver')) {
          say(
            `figure 6: webhook receiver under load vs raw signals, ${size.receiverRequests} per case, 16 connections`,
          );
          results.receiver = await lap('receiver', () =>
            measureReceiver(stack, { requests: size.receiverRequests, connections: 16 }, say),
          );
          verdicts.push(...tagged(kind, receiverVerdicts(results.receiver)));
        }
        if (figures.has('pending')) {
          say(`figure 4: ${size.pending.join(' → ')} pending onboardings on one worker, then as many webhooks`);
          results.pending = await lap('pending', () => measurePending(stack, size.pending, say, maxCachedWorkflows));
          verdicts.push(...tagged(kind, pendingVerdicts(results.pending)));
        }
      } finally {
        await stack.close();
        results.seconds = Math.round((Date.now() - serverBegan) / 1000);
        results.loadavg.end = load();
        const laps = Object.entries(results.figureSeconds).map(([figure, seconds]) => `${figure} ${seconds} s`);
        say(`stack stopped after ${results.seconds} s (${laps.join(', ')})`);
      }
      // Saved server by server: a long run (figure 4 at 20,000 takes about an hour a server) keeps what it measured.
      save({ mode, began, machine, perServer, verdicts, billing, moduleState }, log);
    }
  } finally {
    rmSync(shared, { recursive: true, force: true });
  }

  const finished = { seconds: Math.round((Date.now() - began) / 1000), loadavgAtEnd: load() };
  const all = save({ mode, began, machine, perServer, verdicts, billing, moduleState, finished }, log);
  console.log(`\n${textTable(all.verdicts)}\n`);
  console.log(markdownTable(all.verdicts));
  const at = new Date(began).toISOString();
  const charted = Object.entries(all.results).flatMap(([kind, r]) =>
    r.throughput
      ? [{ server: kind as ServerKind, label: r.label, points: r.throughput, at: r.keptFigures?.throughput ?? r.at }]
      : [],
  );
  if (charted.length) {
    const svg = join(__dirname, 'throughput.svg');
    // Only a run that measured throughput names its figures; otherwise the chart is the earlier run's as it was.
    const some = figures.has('throughput') && figures.size < figureNames.length ? ` (${[...figures].join(', ')})` : '';
    const dates = charted.map((c) => `${c.server} ${(c.at ?? at).slice(0, 16)}Z`).join(', ');
    const caption =
      `${mode} run${some}, ${dates}, ${machine.cpus} cores (${machine.cpuModel}), node ${machine.node}; ` +
      `median of ${size.throughput.repetitions} runs, bars: min–max`;
    writeFileSync(svg, throughputSvg(charted, caption));
    log(`wrote ${svg}`);
  }
  const missed = all.verdicts.filter((v) => !v.pass).length;
  log(
    missed ? `${missed} of ${all.verdicts.length} figures MISS their goal` : `all ${all.verdicts.length} figures PASS`,
  );
}

interface Measured {
  mode: 'quick' | 'full';
  began: number;
  machine: Record<string, unknown>;
  perServer: Partial<Record<ServerKind, ServerResults>>;
  verdicts: Verdict[];
  billing?: BillingRow[];
  moduleState?: ModuleStateFigure;
  finished?: { seconds: number; loadavgAtEnd: number[] };
}

/** Each key of `results` a later run may keep, and the `server` its verdicts carry. */
const verdictServerOf: Record<string, string> = {
  dev: 'dev',
  postgres: 'postgres',
  billing: 'time-skipping',
  moduleState: 'none',
};

/**
 * Writes bench/results.json. A server this run did not measure keeps its results (and verdicts) from the file's
 * earlier run of the same mode, each server with its own date and load: `--server=postgres` after a run on both
 * servers replaces only the PostgreSQL figures. Billing and module state likewise, when not measured again.
 */
function save(m: Measured, log: (line: string) => void) {
  const out = join(__dirname, 'results.json');
  let earlier: { mode?: string; verdicts?: (Verdict & { server: string })[]; results?: Record<string, unknown> } = {};
  try {
    earlier = JSON.parse(readFileSync(out, 'utf8')) as typeof earlier;
  } catch {
    // No earlier file (or not ours): nothing to keep.
  }
  const keep = earlier.mode === m.mode ? (earlier.results ?? {}) : {};
  const perServer = { ...m.perServer };
  const keptVerdicts: Verdict[] = [];
  for (const kind of serverKinds) {
    const now = perServer[kind];
    if (!now) continue;
    const merged = withKeptFigures(now, keep[kind] as ServerResults | undefined);
    perServer[kind] = merged.server;
    keptVerdicts.push(...merged.verdicts.map((v) => ({ ...v, server: kind })));
  }
  const measured: Record<string, unknown> = {
    ...perServer,
    ...(m.billing ? { billing: m.billing } : {}),
    ...(m.moduleState ? { moduleState: m.moduleState } : {}),
  };
  const kept = Object.keys(keep).filter((key) => key in verdictServerOf && !(key in measured));
  const keptServers = new Set(kept.map((key) => verdictServerOf[key]));
  const verdicts = byFigure([
    ...m.verdicts,
    ...keptVerdicts,
    ...(earlier.verdicts ?? []).filter((v) => keptServers.has(v.server)),
  ]);
  const results = { ...Object.fromEntries(kept.map((key) => [key, keep[key]])), ...measured };
  const servers = Object.fromEntries(
    serverKinds.flatMap((kind) => {
      const r = results[kind] as ServerResults | undefined;
      return r ? [[kind, r.label]] : [];
    }),
  );
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        mode: m.mode,
        at: new Date(m.began).toISOString(),
        machine: { ...m.machine, ...m.finished },
        servers,
        ...(kept.length ? { keptFromEarlierRun: kept } : {}),
        verdicts,
        results,
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${out}${kept.length ? ` (kept from the earlier ${m.mode} run: ${kept.join(', ')})` : ''}`);
  return {
    verdicts,
    results: Object.fromEntries(
      serverKinds.flatMap((k) => (results[k] ? [[k, results[k] as ServerResults]] : [])),
    ) as Partial<Record<ServerKind, ServerResults>>,
  };
}

/** The verdicts of each figure a server measures, from its results alone (so a kept figure is judged again). */
const verdictsOfFigure: Record<string, (r: ServerResults) => Verdict[]> = {
  throughput: (r) => (r.throughput ? throughputVerdicts(r.throughput) : []),
  upload: (r) => (r.upload ? uploadVerdicts(r.upload) : []),
  pending: (r) => (r.pending ? pendingVerdicts(r.pending) : []),
  latency: (r) => (r.latency ? latencyVerdicts(r.latency) : []),
  receiver: (r) => (r.receiver ? receiverVerdicts(r.receiver) : []),
};

/**
 * A server measured for some figures only (`--only=pending`) keeps its other figures from the file's earlier run of
 * the same mode, each marked with that run's date in `keptFigures`.
 */
function withKeptFigures(now: ServerResults, earlier: ServerResults | undefined) {
  const server: ServerResults = { ...now, figures: [...now.figures], figureSeconds: { ...now.figureSeconds } };
  const verdicts: Verdict[] = [];
  if (!earlier) return { server, verdicts };
  for (const figure of earlier.figures) {
    const judge = verdictsOfFigure[figure];
    const data = earlier[figure as keyof ServerResults];
    if (!judge || data === undefined || server.figures.includes(figure)) continue;
    Object.assign(server, { [figure]: data });
    server.figures.push(figure);
    server.figureSeconds[figure] = earlier.figureSeconds[figure] ?? 0;
    server.keptFigures = { ...server.keptFigures, [figure]: earlier.keptFigures?.[figure] ?? earlier.at };
    verdicts.push(...judge(earlier));
  }
  return { server, verdicts };
}

/** Each figure's rows together (one per server), in the order the figures were first measured. */
function byFigure(verdicts: Verdict[]): Verdict[] {
  const order = [...new Set(verdicts.map((v) => v.figure))];
  return order.flatMap((figure) => verdicts.filter((v) => v.figure === figure));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (interrupted) return; // what failed failed because the stack was stopped; the handler exits
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
