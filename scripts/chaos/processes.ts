// The product's own processes, as the chaos run starts, kills and restarts them: the worker (`npm run worker`)
// and the webhook receiver (`npm run webhooks`), each a real Node process running its entry point through tsx.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../toolchain';

export interface ProductProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL: no shutdown, no goodbye — as a crashed host or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `entry` (relative to the project root) and resolves once its output matches `ready`. */
export async function spawnProductProcess(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  readyTimeoutMs = 60_000,
): Promise<ProductProcess> {
  // tsx as a loader inside one Node process, not its CLI: the CLI runs the entry in a child process, which a SIGKILL
  // of the CLI would leave running as an orphan — a "killed" worker that goes on working.
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(projectRoot, 'node_modules/tsx/dist/loader.mjs')).href, entry],
    {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Only the tail is kept: a long chaos run must not grow memory with logs.
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} not ready within ${readyTimeoutMs} ms:\n${output}`));
    }, readyTimeoutMs);
    let isReady = false;
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (!isReady && ready.test(output)) {
        isReady = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!isReady) reject(new Error(`${entry} exited with ${code} before it was ready:\n${output}`));
    });
  });
  const signalAndWait = async (signal: NodeJS.Signals, graceMs?: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = graceMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    child,
    output: () => output,
    exited,
    kill: () => signalAndWait('SIGKILL'),
    stop: (graceMs = 10_000) => signalAndWait('SIGTERM', graceMs),
  };
}

export interface WorkerProcessEnv {
  temporalAddress: string;
  taskQueue: string;
  partnerUrl: string;
  partnerApiKey: string;
  sourceRoot: string;
  workflowBundlePath: string;
  /** Our backend's events endpoint (KYC_EVENTS_URL). */
  eventsUrl?: string;
}

export function spawnWorker(env: WorkerProcessEnv): Promise<ProductProcess> {
  return spawnProductProcess(
    'worker/main.ts',
    {
      TEMPORAL_ADDRESS: env.temporalAddress,
      KYC_TASK_QUEUE: env.taskQueue,
      TECHNEST_API_URL: env.partnerUrl,
      TECHNEST_API_KEY: env.partnerApiKey,
      KYC_SOURCE_ROOTS: env.sourceRoot,
      // Chaos runs review in seconds: below the production floor of 1 min between polls.
      KYC_MIN_POLL_INTERVAL: '500ms',
      KYC_WORKFLOW_BUNDLE: env.workflowBundlePath,
      ...(env.eventsUrl ? { KYC_EVENTS_URL: env.eventsUrl } : {}),
    },
    /kyc worker polling/,
  );
}

export function spawnReceiver(env: { temporalAddress: string; port: number; secret: string }): Promise<ProductProcess> {
  return spawnProductProcess(
    'webhook-receiver/main.ts',
    { TEMPORAL_ADDRESS: env.temporalAddress, WEBHOOK_PORT: String(env.port), WEBHOOK_SECRET: env.secret },
    /listening on http:\/\/\S+\/webhooks\/technest/,
    30_000,
  );
}

/** A port free right now on 127.0.0.1 (the OS picks it for a throwaway listener). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
