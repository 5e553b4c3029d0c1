// Everything the bench runs against, started by itself on free ports: a Temporal server — the dev server (temp
// SQLite db) or the native stack's PostgreSQL-backed temporal-server (scripts/stack/: throwaway cluster, SQL
// visibility, the search attributes registered) — the partner sandbox (no latency, reviews held unless a
// customer's plan says otherwise, webhooks signed to the real receiver), the webhook receiver, a backend event
// sink, sample documents, and worker processes on prebuilt bundles.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../webhook-receiver/receiver';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { Rail } from '../sandbox/control-client';
import { startDevServer } from '../scripts/dev-server';
import { writeSampleDocuments } from '../scripts/sample-documents';
import { freePort } from '../scripts/ports';
import { findPostgresBin } from '../scripts/stack/postgres';
import { startTemporalOnPostgres } from '../scripts/stack/temporal-on-postgres';
import { projectRoot } from '../scripts/toolchain';
import { kycWorkflowModules } from '../worker/workflow-modules';
import type { KycInput } from '../workflows/input';
import { childPids, processTreeCpuMs, selfCpuMs, type CpuReader } from './cpu';
import { WorkerChild, type WorkerSpec } from './protocol';

export const webhookSecret = 'whsec_bench_only';

/** Where the bench's Temporal runs: `dev` (the CLI's dev server, SQLite) or `postgres` (the native stack's). */
export const serverKinds = ['dev', 'postgres'] as const;
export type ServerKind = (typeof serverKinds)[number];

export interface BenchServer {
  kind: ServerKind;
  address: string;
  /** What it is, for the report: its version as it reports itself, and its store. */
  label: string;
  store: string;
  /** CPU ms of its processes so far (for PostgreSQL: the server and the cluster's postmaster with its backends). */
  cpuMs: CpuReader;
}

export interface Bundles {
  kyc: string;
  floor: string;
  naive: string;
}

/** The event sink, the backend's KYC_EVENTS_URL: answers 204 and keeps nothing. */
async function startEventSink() {
  // Events by type and reference prefix (`bench-<tag>` of `bench-<tag>-<i>`): how the bench knows how many runs
  // reached a stage without asking visibility, whose counts cost the server a scan each time.
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          type?: string;
          customerReference?: string;
        };
        const key = `${event.type} ${event.customerReference?.replace(/-[^-]*$/, '')}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      } catch {
        // Not ours to judge: the sink answers every POST.
      }
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/kyc-events`,
    /** Deliveries of `type` for references `<prefix>-<i>` (at least once: a retried delivery counts again). */
    count: (type: string, prefix: string) => counts.get(`${type} ${prefix}`) ?? 0,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function buildBundle(
  workflowsPath: string,
  outFile: string,
  workflowInterceptorModules: readonly string[] = [],
): Promise<string> {
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [...workflowInterceptorModules],
    logger: quietLogger,
  });
  writeFileSync(outFile, bundle.code);
  return outFile;
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };

/** The three workflow bundles, built once per bench run into `dir` and shared by every stack. */
export async function buildBundles(dir: string): Promise<Bundles> {
  return {
    // The KYC bundle as the product builds it (scripts/build-workflow-bundle.ts): with its guard module.
    kyc: await buildBundle(join(projectRoot, 'workflows'), join(dir, 'kyc-bundle.js'), kycWorkflowModules),
    floor: await buildBundle(join(__dirname, 'floor-workflow.ts'), join(dir, 'floor-bundle.js')),
    naive: await buildBundle(join(__dirname, 'naive-workflow.ts'), join(dir, 'naive-bundle.js')),
  };
}

export interface Stack {
  dir: string;
  server: BenchServer;
  client: Client;
  sandbox: Sandbox;
  rail: Rail;
  receiver: RunningWebhookReceiver;
  eventsUrl: string;
  /** Events our backend received, by type, for customer references `<prefix>-<i>`. */
  eventCount(type: string, prefix: string): number;
  documents: KycInput['documents'];
  bundles: Bundles;
  /** A KYC worker process (the product's own wiring) on `taskQueue`, against this stack's sandbox. */
  kycWorker(
    taskQueue: string,
    extraEnv?: Record<string, string>,
    overrides?: WorkerSpec['overrides'],
  ): Promise<WorkerChild>;
  floorWorker(taskQueue: string, overrides?: WorkerSpec['overrides']): Promise<WorkerChild>;
  /** CPU ms so far of the Temporal server, of this process (client, sandbox, receiver, sink), of a worker. */
  cpu: { server: CpuReader; bench: CpuReader; worker(child: WorkerChild): CpuReader };
  close(): Promise<void>;
}

export interface StackOptions {
  server: ServerKind;
  /** Built once by the caller (buildBundles); built into the stack's own folder when absent. */
  bundles?: Bundles;
  /** Worker processes write a V8 CPU profile here when they exit (`--cpu-prof`). */
  cpuProfDir?: string;
}

/** Starts the server; its stop goes into `cleanups` as soon as there is something to stop. */
async function startServer(
  kind: ServerKind,
  dir: string,
  log: (line: string) => void,
  signal: AbortSignal,
  cleanups: Array<() => Promise<void> | void>,
): Promise<BenchServer> {
  if (kind === 'dev') {
    const [port, uiPort] = [await freePort(), await freePort()];
    // The SQLite file on tmpfs where there is one: on this machine's virtual disk every commit waits for its fsync,
    // and the dev server (one SQLite connection) spent most of figure 4's set-up waiting on them (16–18 % iowait,
    // a third of the cores idle). The bench measures the worker, not the disk; PostgreSQL keeps its fsyncs.
    const dbDir = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/kyc-bench-') : dir;
    if (dbDir !== dir) cleanups.push(() => rmSync(dbDir, { recursive: true, force: true }));
    log(`starting a Temporal dev server on 127.0.0.1:${port} (temp SQLite db in ${dbDir})…`);
    const server = await startDevServer({
      port,
      uiPort,
      dbFile: join(dbDir, 'temporal.sqlite'),
      logFile: join(dir, 'temporal.log'),
    });
    cleanups.push(() => server.stop());
    const pids = childPids(new RegExp(`start-dev .*--port ${port}\\b`));
    return {
      kind,
      address: server.address,
      label: 'dev server',
      store: dbDir === dir ? 'SQLite' : 'SQLite on tmpfs',
      cpuMs: () => processTreeCpuMs(pids),
    };
  }
  log('starting PostgreSQL and the Temporal server on it (the native stack’s, SQL visibility)…');
  const started = Date.now();
  const temporal = await startTemporalOnPostgres({ dir, signal });
  cleanups.push(() => temporal.stop());
  const postmaster = () => {
    try {
      return [Number(readFileSync(join(dir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0])];
    } catch {
      return [];
    }
  };
  const pids = [temporal.server.pid(), ...postmaster()].filter((p): p is number => !!p);
  const pgVersion = (() => {
    try {
      const said = execFileSync(join(findPostgresBin(), 'postgres'), ['--version'], { encoding: 'utf8' });
      return /\(PostgreSQL\) (\S+)/.exec(said)?.[1] ?? said.trim();
    } catch {
      return '?';
    }
  })();
  log(`  ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${temporal.address}`);
  return {
    kind,
    address: temporal.address,
    label: 'temporal-server',
    store: `PostgreSQL ${pgVersion}`,
    cpuMs: () => processTreeCpuMs(pids),
  };
}

/** Every stack started and not yet closed, so that Ctrl-C can take down one that is still starting. */
const openStacks = new Set<() => Promise<void>>();

/**
 * Something else the bench started that Ctrl-C must stop too (figure 2's time-skipping server); the returned
 * function forgets it once it is stopped the ordinary way.
 */
export function stopOnInterrupt(stop: () => Promise<void>): () => void {
  const once = () => stop().catch(() => undefined);
  openStacks.add(once);
  return () => openStacks.delete(once);
}

/** Closes every open stack, waiting for one still starting to reach a point where it can stop. */
export async function closeOpenStacks(): Promise<void> {
  await Promise.all([...openStacks].map((close) => close()));
}

export async function startStack(log: (line: string) => void, options: StackOptions): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), `kyc-bench-${options.server}-`));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  // Processes in reverse order of start, the temp folder last; once, whoever asks first.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
      openStacks.delete(close);
    })());
  const abort = new AbortController();
  let starting: Promise<unknown> = Promise.resolve();
  // Closing a stack that is still starting lets the step under way end (so what it started can be stopped).
  const close = async () => {
    abort.abort(new Error('the bench is stopping'));
    await starting.catch(() => undefined);
    await cleanUp();
  };
  openStacks.add(close);
  const started = (async (): Promise<Stack> => {
    if (!options.bundles) log('building workflow bundles (kyc, floor, naive)…');
    const bundles = options.bundles ?? (await buildBundles(dir));

    const server = await startServer(options.server, dir, log, abort.signal, cleanups);
    abort.signal.throwIfAborted();
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const { serverVersion } = await connection.workflowService.getSystemInfo({});
    server.label = `${server.label} ${serverVersion ?? '?'} (${server.store})`;
    const client = new Client({ connection });

    const receiver = await startWebhookReceiver({ client, secrets: [webhookSecret], port: 0 });
    cleanups.push(() => receiver.close());
    const sink = await startEventSink();
    cleanups.push(() => sink.close());
    // Reviews are held by default; the throughput figure gives its customers an immediate "verify" plan.
    const sandbox = await startSandbox({
      port: 0,
      review: { outcome: 'never' },
      faults: {},
      webhookUrl: receiver.webhookUrl,
      webhookSecret,
    });
    cleanups.push(() => sandbox.close());
    const rail = new Rail(sandbox.url);

    const docsDir = join(dir, 'docs');
    mkdirSync(docsDir, { recursive: true });
    const samples = await writeSampleDocuments(docsDir);
    const documents: KycInput['documents'] = [
      { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
      { category: 'id_document_back', filename: 'passport-back.png', contentType: 'image/png', source: samples.png },
      { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'application/pdf', source: samples.pdf },
    ];

    const children = new Set<WorkerChild>();
    cleanups.push(async () => {
      await Promise.all([...children].map((c) => c.stop()));
    });
    const track = async (child: Promise<WorkerChild>) => {
      const c = await child;
      children.add(c);
      c.process.once('exit', () => children.delete(c));
      return c;
    };
    let profiles = 0;
    // A folder per worker process: its main thread and each workflow thread write a profile of their own.
    const execArgv = (name: string) =>
      options.cpuProfDir
        ? ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfDir, `${options.server}-${name}-${++profiles}`)}`]
        : [];

    return {
      dir,
      server,
      client,
      sandbox,
      rail,
      receiver,
      eventsUrl: sink.url,
      eventCount: sink.count,
      documents,
      bundles,
      kycWorker: (taskQueue, extraEnv = {}, overrides) =>
        track(
          WorkerChild.start(
            'kyc',
            {
              kind: 'kyc',
              address: server.address,
              taskQueue,
              bundlePath: bundles.kyc,
              env: {
                KYC_TASK_QUEUE: taskQueue,
                TECHNEST_API_URL: sandbox.url,
                TECHNEST_API_KEY: rail.apiKey,
                KYC_EVENTS_URL: sink.url,
                KYC_SOURCE_ROOTS: dir,
                KYC_WORKFLOW_BUNDLE: bundles.kyc,
                ...extraEnv,
              },
              ...(overrides ? { overrides } : {}),
            },
            execArgv('kyc'),
          ),
        ),
      floorWorker: (taskQueue, overrides) =>
        track(
          WorkerChild.start(
            'floor',
            {
              kind: 'floor',
              address: server.address,
              taskQueue,
              bundlePath: bundles.floor,
              env: {},
              ...(overrides ? { overrides } : {}),
            },
            execArgv('floor'),
          ),
        ),
      cpu: {
        server: server.cpuMs,
        bench: selfCpuMs,
        worker: (child) => () => processTreeCpuMs([child.pid]),
      },
      close,
    };
  })();
  starting = started;
  try {
    return await started;
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
