// The Temporal server process of the native stack: `temporal-server --config-file … --allow-no-auth start`, its
// output appended to a log file, ready once the frontend answers GetSystemInfo. Restartable on the same ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { waitFor } from './wait';

export interface TemporalServerOptions {
  binary: string;
  configFile: string;
  address: string;
  logFile: string;
  readyTimeoutMs?: number;
}

export interface TemporalServer {
  address: string;
  pid(): number | undefined;
  start(): Promise<void>;
  /** SIGTERM (the server's graceful stop), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  restart(): Promise<void>;
}

/** Resolves once the frontend answers; fails early if the process exits first. */
export async function waitForFrontend(address: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  await waitFor(
    `Temporal frontend at ${address}`,
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1000 }).catch(() => undefined);
      if (!connection) return false;
      try {
        await connection.workflowService.getSystemInfo({});
        return true;
      } catch {
        return false;
      } finally {
        await connection.close();
      }
    },
    timeoutMs,
    {
      fatal: () =>
        child && (child.exitCode !== null || child.signalCode !== null)
          ? `temporal-server exited (${child.exitCode ?? child.signalCode}) before it was ready`
          : undefined,
    },
  );
}

export function temporalServer(options: TemporalServerOptions): TemporalServer {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const server: TemporalServer = {
    address: options.address,
    pid: () => child?.pid,
    async start() {
      const log = openSync(options.logFile, 'a');
      child = spawn(options.binary, ['--config-file', options.configFile, '--allow-no-auth', 'start'], {
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      const current = child;
      exited = new Promise((resolve) => current.once('exit', () => resolve()));
      await waitForFrontend(options.address, options.readyTimeoutMs ?? 90_000, current);
    },
    async stop(graceMs = 15_000) {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      current.kill('SIGTERM');
      const timer = setTimeout(() => current.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async restart() {
      await server.stop();
      await server.start();
    },
  };
  return server;
}
