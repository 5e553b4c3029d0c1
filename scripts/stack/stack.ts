// The production topology, natively: a throwaway PostgreSQL cluster, the schema applied with the pinned SQL tool,
// the Temporal server on PostgreSQL persistence and SQL visibility, the namespace and search attributes, the partner
// sandbox, the webhook receiver and N KYC workers. `startStack` returns the addresses and the handles a test needs
// to drive faults; `stop()` takes everything down in reverse order and removes the temp folder.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTaskQueue } from '../../common/task-queue';
import { sandboxApiKey } from '../../sandbox/control-client';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import type { ProductProcess } from '../product-process';
import { freePort } from '../ports';
import { spawnStackReceiver, spawnStackWorker } from './products';
import { startTemporalOnPostgres } from './temporal-on-postgres';

export interface StackOptions {
  workers?: number;
  namespace?: string;
  taskQueue?: string;
  /** Documents the workers may read (KYC_SOURCE_ROOTS); defaults to <temp>/documents. */
  sourceRoot?: string;
  /** Extra worker environment, e.g. KYC_MIN_POLL_INTERVAL for short reviews. */
  workerEnv?: Record<string, string>;
  workflowBundlePath?: string;
  /** Partner sandbox knobs; its webhooks always go to the stack's receiver. */
  sandbox?: Omit<SandboxOptions, 'webhookUrl' | 'webhookSecret'>;
  webhookSecret?: string;
  numHistoryShards?: number;
  /** Keep the temp folder (logs, data) after stop. */
  keepDir?: boolean;
  log?: (line: string) => void;
}

export interface Stack {
  dir: string;
  namespace: string;
  taskQueue: string;
  temporalAddress: string;
  temporalMetricsUrl: string;
  postgres: { host: string; port: number; user: string; password: string };
  sandboxUrl: string;
  webhookUrl: string;
  sourceRoot: string;
  webhookSecret: string;
  workers: ProductProcess[];
  receiver: ProductProcess;
  /** How long each phase of the start took, ms. */
  timings: Record<string, number>;
  temporalLog(): string;
  restartTemporal(): Promise<void>;
  restartPostgres(): Promise<void>;
  /** SIGKILL worker `i` (a crashed host): no drain. Resolves with its exit. */
  killWorker(i: number): Promise<number | null>;
  /** A new worker in slot `i` (after a kill). */
  replaceWorker(i: number): Promise<ProductProcess>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const timings: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const started = Date.now();
    const value = await work();
    timings[name] = Date.now() - started;
    log(`stack: ${name} ${timings[name]} ms`);
    return value;
  };
  const dir = mkdtempSync(join(tmpdir(), 'kyc-stack-'));
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: Error) => log(`stack: ${err.message}`));
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
  };
  const temporalLogFile = join(dir, 'temporal-server.log');
  try {
    const receiverPort = await freePort();
    const temporal = await startTemporalOnPostgres({
      dir,
      phase,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.numHistoryShards ? { numHistoryShards: options.numHistoryShards } : {}),
    });
    stops.push(() => temporal.stop());
    const { address: temporalAddress, namespace, pg, server } = temporal;

    const webhookSecret = options.webhookSecret ?? 'whsec_stack_only';
    const receiver = await phase('receiver', () =>
      spawnStackReceiver({
        temporalAddress,
        port: receiverPort,
        secret: webhookSecret,
        extra: { TEMPORAL_NAMESPACE: namespace },
      }),
    );
    stops.push(() => receiver.stop());
    const webhookUrl = `http://127.0.0.1:${receiverPort}/webhooks/technest`;
    const sandbox: Sandbox = await phase('sandbox', () =>
      startSandbox({ ...options.sandbox, webhookUrl, webhookSecret }),
    );
    stops.push(() => sandbox.close());

    const sourceRoot = options.sourceRoot ?? join(dir, 'documents');
    mkdirSync(sourceRoot, { recursive: true });
    const taskQueue = options.taskQueue ?? defaultTaskQueue;
    const spawnWorker = () =>
      spawnStackWorker({
        temporalAddress,
        taskQueue,
        partnerUrl: sandbox.url,
        partnerApiKey: options.sandbox?.apiKey ?? sandboxApiKey,
        sourceRoot,
        workflowBundlePath: options.workflowBundlePath,
        extra: { TEMPORAL_NAMESPACE: namespace, KYC_SHUTDOWN_GRACE_TIME: '10s', ...options.workerEnv },
      });
    const workers = await phase('workers', () =>
      Promise.all(Array.from({ length: options.workers ?? 2 }, () => spawnWorker())),
    );
    // Workers stop before the receiver, the sandbox and the server: drained while everything they call still answers.
    stops.push(() => Promise.all(workers.map((worker) => worker.stop(20_000))));

    return {
      dir,
      namespace,
      taskQueue,
      temporalAddress,
      temporalMetricsUrl: temporal.metricsUrl,
      postgres: { host: pg.host, port: pg.port, user: pg.user, password: pg.password },
      sandboxUrl: sandbox.url,
      webhookUrl,
      sourceRoot,
      webhookSecret,
      workers,
      receiver,
      timings,
      temporalLog: () => readFileSync(temporalLogFile, 'utf8'),
      restartTemporal: () => server.restart(),
      restartPostgres: () => pg.restart(),
      killWorker: (i) => workers[i]!.kill(),
      async replaceWorker(i) {
        workers[i] = await spawnWorker();
        return workers[i];
      },
      stop: stopAll,
    };
  } catch (err) {
    let tail = '';
    try {
      tail = readFileSync(temporalLogFile, 'utf8').slice(-4000);
    } catch {
      // no server log yet
    }
    await stopAll();
    throw new Error(`${(err as Error).message}${tail ? `\n--- temporal-server log (tail) ---\n${tail}` : ''}`, {
      cause: err,
    });
  }
}
