// Shared pieces of the hostile input matrix (test/hostile-*.test.ts): a KYC worker wired as in production but with
// a tight source policy (roots, hosts, a small size limit) and an optional partner in front of the sandbox, the
// hostile files themselves, and the one way every file reports its row count.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Rail } from '../../sandbox/control-client';
import type { Sandbox } from '../../sandbox/server';
import type { KycInput } from '../../workflows/input';
import { SAMPLE_JPEG, SAMPLE_PDF, SAMPLE_PNG, writeSampleDocuments } from './fixtures';
import { createKycTestWorker, runInBackground, sampleKycDocuments, startPartnerSandbox } from './kyc-harness';

/** Every matrix file says how many rows it holds, in the same words, so the total is easy to add up. */
export function reportMatrix(boundary: string, rows: readonly unknown[]): void {
  console.log(`hostile input matrix — ${boundary}: ${rows.length} rows`);
}

export interface HostileWorker {
  rail: Rail;
  sandbox: Sandbox;
  worker: Worker;
  taskQueue: string;
  close(): Promise<void>;
}

export interface HostileWorkerOptions {
  /** The partner the worker talks to; the sandbox when unset. */
  partnerUrl?: (sandbox: Sandbox) => string;
  /** Extra worker environment (KYC_SOURCE_ROOTS, KYC_SOURCE_HOSTS, KYC_MAX_FILE_BYTES …). */
  env?: Record<string, string>;
}

/** The partner sandbox (review: never, so tests decide) and a real KYC worker on a task queue of its own. */
export async function startHostileWorker(
  connection: NativeConnection,
  options: HostileWorkerOptions = {},
): Promise<HostileWorker> {
  const { sandbox, rail } = await startPartnerSandbox();
  const { worker, taskQueue } = await createKycTestWorker(connection, {
    taskQueue: 'kyc-hostile',
    activities: { real: { partnerUrl: options.partnerUrl?.(sandbox) ?? sandbox.url, env: options.env } },
  });
  const running = runInBackground(worker);
  return {
    rail,
    sandbox,
    worker,
    taskQueue,
    async close() {
      await running.stop();
      await sandbox.close();
    },
  };
}

/** What a failed run failed with: the ApplicationFailure at the bottom of the chain (workflow or activity). */
export async function runFailure(
  client: Client,
  workflowId: string,
): Promise<{ top: ApplicationFailure; root: ApplicationFailure }> {
  const outcome = await client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      (value: unknown) => ({ value }),
      (error: unknown) => ({ error }),
    );
  if (!('error' in outcome))
    throw new Error(`expected ${workflowId} to fail, it returned ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof WorkflowFailedError))
    throw new Error(`expected a WorkflowFailedError, got ${String(outcome.error)}`);
  let cause: unknown = outcome.error.cause;
  const top = cause;
  while (!(cause instanceof ApplicationFailure) && cause instanceof Error && cause.cause) cause = cause.cause;
  if (!(top instanceof Error) || !(cause instanceof ApplicationFailure)) {
    throw new Error(`expected an ApplicationFailure in the chain, got ${String(outcome.error.cause)}`);
  }
  return { top: top as ApplicationFailure, root: cause };
}

/** The hostile files of the workflow-input rows, in a fresh root, and a few outside it. */
export interface HostileFiles {
  base: string;
  /** KYC_SOURCE_ROOTS for the worker (the root, plus a system directory when the tests run as root: see `unreadable`). */
  roots: string[];
  root: string;
  outside: string;
  good: { jpeg: string; png: string; pdf: string };
  empty: string;
  /** One byte over `maxFileBytes`, a real PDF otherwise. */
  oversized: string;
  pngNamedJpeg: string;
  textNamedPdf: string;
  directory: string;
  fifo: string;
  /** A file this process cannot open for reading. */
  unreadable: string;
  symlinkOutside: string;
  secretOutside: string;
  close(): void;
}

export function writeHostileFiles(maxFileBytes: number): Promise<HostileFiles> {
  const base = mkdtempSync(join(tmpdir(), 'kyc-hostile-'));
  const root = join(base, 'uploads');
  const outside = join(base, 'elsewhere');
  mkdirSync(root);
  mkdirSync(outside);
  const at = (name: string) => join(root, name);
  const secretOutside = join(outside, 'secret.pdf');
  writeFileSync(secretOutside, SAMPLE_PDF);
  writeFileSync(at('empty.pdf'), Buffer.alloc(0));
  writeFileSync(
    at('oversized.pdf'),
    Buffer.concat([SAMPLE_PDF, Buffer.alloc(maxFileBytes + 1 - SAMPLE_PDF.length, 0x20)]),
  );
  writeFileSync(at('really-a-png.jpg'), SAMPLE_PNG);
  writeFileSync(at('notes.pdf'), 'just some text, not a PDF\n');
  mkdirSync(at('folder.pdf'));
  execFileSync('mkfifo', [at('pipe.pdf')]);
  symlinkSync(secretOutside, at('link.pdf'));

  // Root reads any file whatever its mode; a write-only sysctl refuses even root (EACCES), so it stands in for
  // a mode-000 file there, and its directory joins the roots so the policy lets the open be tried at all.
  const roots = [root];
  let unreadable = at('locked.jpg');
  writeFileSync(unreadable, SAMPLE_JPEG);
  chmodSync(unreadable, 0o000);
  if (process.getuid?.() === 0) {
    unreadable = '/proc/sys/vm/compact_memory';
    roots.push('/proc/sys/vm');
  }
  return writeSampleDocuments(root).then((samples) => ({
    base,
    roots,
    root,
    outside,
    good: { jpeg: samples.jpeg, png: samples.png, pdf: samples.pdf },
    empty: at('empty.pdf'),
    oversized: at('oversized.pdf'),
    pngNamedJpeg: at('really-a-png.jpg'),
    textNamedPdf: at('notes.pdf'),
    directory: at('folder.pdf'),
    fifo: at('pipe.pdf'),
    unreadable,
    symlinkOutside: at('link.pdf'),
    secretOutside,
    close: () => rmSync(base, { recursive: true, force: true }),
  }));
}

/** The three good documents of an ordinary onboarding (ID front JPEG, back PNG, proof of address PDF). */
export function goodDocuments(files: HostileFiles['good']): KycInput['documents'] {
  return sampleKycDocuments(files);
}

/** Polls `check` (real time, with a deadline) until it returns true. */
export async function until(what: string, check: () => Promise<boolean>, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not true within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
