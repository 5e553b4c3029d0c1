// Runs the real worker process (`npm run worker`'s entry point) for end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../scripts/toolchain';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** stdout alone (the JSON log stream), for log-format checks. */
  stdout: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export async function startWorkerProcess(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<WorkerProcess> {
  // `node --import tsx`, as `npm run worker` and the image run it: one process, so a signal reaches the worker
  // itself. (The tsx CLI is a parent that SIGKILLs its child when the child does not acknowledge a signal within
  // 30 ms, which a worker busy streaming an upload may not.)
  const args = ['--import', 'tsx', 'worker/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready in time:\n${output}`)), readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('kyc worker polling')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    stdout: () => stdout,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
