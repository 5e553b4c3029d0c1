// A product process (the worker, the webhook receiver) as a real Node process running its entry point through tsx,
// for the chaos run, the bench and the end-to-end tests: started, awaited until ready, stopped or killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from './toolchain';

export interface ProductProcess {
  child: ChildProcess;
  /** The tail of stdout and stderr together. */
  output(): string;
  /** All of stdout (the JSON log stream), when started with `keepStdout`; otherwise empty. */
  stdout(): string;
  exited: Promise<number | null>;
  /** SIGKILL: no shutdown, no goodbye — as a crashed host or an OOM kill. Resolves with the exit code. */
  kill(): Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves with the exit code (0 after a clean shutdown). */
  stop(graceMs?: number): Promise<number | null>;
}

/** Spawns `entry` (relative to the project root) and resolves once its output matches `ready`. */
export async function spawnProductProcess(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  options: { readyTimeoutMs?: number; keepStdout?: boolean } = {},
): Promise<ProductProcess> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
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
  let stdout = '';
  if (options.keepStdout) child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
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
  const signalAndWait = async (signal: NodeJS.Signals, graceMs?: number): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill(signal);
    const timer = graceMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return {
    child,
    output: () => output,
    stdout: () => stdout,
    exited,
    kill: () => signalAndWait('SIGKILL'),
    stop: (graceMs = 10_000) => signalAndWait('SIGTERM', graceMs),
  };
}
