// Runs the real CLI as an operator would (a child process through tsx), and waits for eventually consistent
// things (visibility) by polling with a deadline, never by sleeping a fixed time.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../scripts/toolchain';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const tsx = join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** `kyc …args` with exactly `env` on top of PATH/HOME (no TEMPORAL_* leaking in from the developer's shell). */
export function runKyc(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsx, 'cli/main.ts', ...args],
      { cwd: projectRoot, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Calls `probe` until it returns something truthy, or fails naming what it waited for. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  deadlineMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
