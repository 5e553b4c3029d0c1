// The one way tests build a KYC worker (createKycTestWorker), and what a kycWorkflow test needs around one
// Temporal server (startKycHarness): the partner sandbox (real HTTP), a backend event sink, real sample documents
// on disk, and a KYC worker wired exactly as in production. Each test file states its own set-up through options:
// real activities against a partner or stubs it scripts, its task queue, data converter and workflow bundle.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Runtime, Worker, type NativeConnection } from '@temporalio/worker';
import type { KycActivities } from '../../activities';
import type { Tracing } from '../../tracing/setup';
import { kycStartOptions } from '../../client/start-options';
import { Rail } from '../../sandbox/control-client';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { parseWorkerConfig } from '../../worker/config';
import { createKycWorker, workflowsPath } from '../../worker/create-worker';
import type { KycInput } from '../../workflows/input';
import { statusQuery, type KycStage, type KycStatusReply } from '../../workflows/messages';
import { kycWorkflow } from '../../workflows';
import { startEventSink, type EventSinkOptions } from './event-sink';
import { writeSampleDocuments, type SampleDocuments } from './fixtures';
import { uniqueTaskQueue, workflowBundle } from './temporal';

/** The activities a test worker runs: the real ones against a partner, or stubs the test scripts. */
export type TestActivities =
  | {
      /** The real activities (worker/config.ts → createActivities), as in production. */
      real: {
        partnerUrl: string;
        eventsUrl?: string;
        /** More worker environment (KYC_SOURCE_ROOTS, KYC_SOURCE_HOSTS, KYC_MAX_FILE_BYTES …). */
        env?: Record<string, string>;
      };
    }
  | { stub: KycActivities };

export interface KycTestWorkerOptions {
  activities: TestActivities;
  /** The task queue's name prefix; the queue itself is unique to the worker (default 'kyc'). */
  taskQueue?: string;
  /** The worker's data converter (e.g. common/data-converter with test keys); unset → plain payloads. */
  dataConverter?: DataConverter;
  /**
   * 'prebuilt': the bundle the global setup built once; 'own': the worker bundles the workflows itself (needed
   * when a data converter's failure converter must be bundled in); `{ code }`: a bundle the test built (one with
   * the tracing interceptors). Default: 'own' with a data converter.
   */
  bundle?: 'prebuilt' | 'own' | { code: string };
  /** Tracing (tracing/setup.ts), for the real activities; unset → the worker is built as without it. */
  tracing?: Tracing;
}

export interface KycTestWorker {
  worker: Worker;
  taskQueue: string;
}

/** A KYC worker on a task queue of its own, built from `options`; the caller runs it (run, runUntil). */
export async function createKycTestWorker(
  connection: NativeConnection,
  options: KycTestWorkerOptions,
): Promise<KycTestWorker> {
  Runtime.instance();
  const taskQueue = uniqueTaskQueue(options.taskQueue ?? 'kyc');
  const bundle = options.bundle ?? (options.dataConverter ? 'own' : 'prebuilt');
  const common = {
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(bundle === 'prebuilt'
      ? { workflowBundle: workflowBundle() }
      : typeof bundle === 'object'
        ? { workflowBundle: bundle }
        : {}),
  };
  if ('stub' in options.activities) {
    const worker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue,
      ...common,
      ...(bundle === 'own' ? { workflowsPath } : {}),
      activities: options.activities.stub,
      shutdownGraceTime: '1s',
    });
    return { worker, taskQueue };
  }
  const { partnerUrl, eventsUrl, env } = options.activities.real;
  const config = parseWorkerConfig({
    KYC_TASK_QUEUE: taskQueue,
    TECHNEST_API_URL: partnerUrl,
    TECHNEST_API_KEY: new Rail(partnerUrl).apiKey,
    ...(eventsUrl ? { KYC_EVENTS_URL: eventsUrl } : {}),
    ...env,
  });
  const worker = await createKycWorker({
    connection,
    namespace: 'default',
    config,
    ...common,
    ...(options.tracing ? { tracing: options.tracing } : {}),
    overrides: { shutdownGraceTime: '1s' },
  });
  return { worker, taskQueue };
}

/** Runs the worker in the background; `stop()` shuts it down and waits until it has. */
export function runInBackground(worker: Worker): { stop(): Promise<void> } {
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

/** The partner sandbox for a workflow test: no automatic review, so each test decides when and how it answers. */
export async function startPartnerSandbox(options: SandboxOptions = {}): Promise<{ sandbox: Sandbox; rail: Rail }> {
  const sandbox = await startSandbox({ review: { outcome: 'never' }, ...options });
  return { sandbox, rail: new Rail(sandbox.url) };
}

/** An ordinary onboarding's three documents: ID front (JPEG), ID back (PNG), proof of address (PDF). */
export function sampleKycDocuments(samples: Pick<SampleDocuments, 'jpeg' | 'png' | 'pdf'>): KycInput['documents'] {
  return [
    { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
    { category: 'id_document_back', filename: 'passport-back.png', contentType: 'image/png', source: samples.png },
    { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'application/pdf', source: samples.pdf },
  ];
}

export interface KycHarness {
  rail: Rail;
  sandbox: Sandbox;
  sink: Awaited<ReturnType<typeof startEventSink>>;
  worker: Worker;
  taskQueue: string;
  docsDir: string;
  /** Three real documents: ID front (JPEG), ID back (PNG), proof of address (PDF). */
  documents: KycInput['documents'];
  close(): Promise<void>;
}

export interface KycHarnessOptions {
  /**
   * The worker's data converter (e.g. common/data-converter with test keys). With one, the worker bundles the
   * workflows itself, so that its failure converter is bundled in too; without, it uses the shared prebuilt bundle.
   */
  dataConverter?: DataConverter;
  /** How the stand-in backend answers events (default: takes them all). */
  eventSink?: EventSinkOptions;
}

/** The sandbox, an event sink, sample documents and a real KYC worker (running) for one test file. */
export async function startKycHarness(
  connection: NativeConnection,
  sandboxOptions: SandboxOptions = {},
  options: KycHarnessOptions = {},
): Promise<KycHarness> {
  const { sandbox, rail } = await startPartnerSandbox(sandboxOptions);
  const sink = await startEventSink(options.eventSink);
  const docsDir = mkdtempSync(join(tmpdir(), 'kyc-docs-'));
  const samples = await writeSampleDocuments(docsDir);
  const { worker, taskQueue } = await createKycTestWorker(connection, {
    activities: { real: { partnerUrl: sandbox.url, eventsUrl: sink.url, env: { KYC_SOURCE_ROOTS: docsDir } } },
    dataConverter: options.dataConverter,
  });
  const running = runInBackground(worker);
  return {
    rail,
    sandbox,
    sink,
    worker,
    taskQueue,
    docsDir,
    documents: sampleKycDocuments(samples),
    async close() {
      await running.stop();
      await sandbox.close();
      await sink.close();
    },
  };
}

/**
 * Creates a customer at the partner and starts its KYC run; `prepare` sets the partner up for that customer
 * (faults, a review plan) before the run can call it.
 */
export async function startKyc(
  client: Client,
  h: KycHarness,
  reference: string,
  overrides: Partial<KycInput> = {},
  prepare?: (customerId: string) => Promise<unknown>,
) {
  const customerId = await h.rail.createCustomer(reference);
  await prepare?.(customerId);
  const input: KycInput = { customerId, customerReference: reference, documents: h.documents, ...overrides };
  const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, h.taskQueue));
  return { customerId, handle, input };
}

/** Polls the `status` query (in real time, with a deadline) until the run reaches a stage. */
export async function waitForStage(
  handle: WorkflowHandle<typeof kycWorkflow>,
  stage: KycStage,
  deadlineMs = 20_000,
): Promise<KycStatusReply> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.stage === stage) return status;
    if (Date.now() > deadline) throw new Error(`still at stage ${status.stage}, expected ${stage}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
