// Runs the real worker process (`npm run worker`'s entry point) for end-to-end tests, with its whole stdout kept
// for the log-format checks.
import { spawnProductProcess, type ProductProcess } from '../../scripts/product-process';

export interface WorkerProcess extends ProductProcess {
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

export function startWorkerProcess(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<WorkerProcess> {
  return spawnProductProcess('worker/main.ts', env, /kyc worker polling/, { readyTimeoutMs, keepStdout: true });
}
