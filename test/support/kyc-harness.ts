// Everything a kycWorkflow test needs around one Temporal server: the partner sandbox (real HTTP), a
// backend event sink, real sample documents on disk, and a KYC worker wired exactly as in production.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { kycStartOptions } from '../../client/start-options';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { parseWorkerConfig } from '../../worker/config';
import { createKycWorker } from '../../worker/create-worker';
import type { KycInput } from '../../workflows/input';
import { statusQuery, type KycStage, type KycStatus } from '../../workflows/messages';
import { kycWorkflow } from '../../workflows';
import { startEventSink, type EventSinkOptions } from './event-sink';
import { writeSampleDocuments } from './fixtures';
import { Rail } from './rail';
import { uniqueTaskQueue, workflowBundle } from './temporal';

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
   * The worker's data converter (e.g. worker/data-converter.ts with test keys). With one, the worker bundles the
   * workflows itself, so that its failure converter is bundled in too; without, it uses the shared prebuilt bundle.
   */
  dataConverter?: DataConverter;
  /** How the stand-in backend answers events (default: takes them all). */
  eventSink?: EventSinkOptions;
}

export async function startKycHarness(
  connection: NativeConnection,
  sandboxOptions: SandboxOptions = {},
  options: KycHarnessOptions = {},
): Promise<KycHarness> {
  // No automatic review: each test decides when and how the partner answers.
  const sandbox = await startSandbox({ review: { outcome: 'never' }, ...sandboxOptions });
  const sink = await startEventSink(options.eventSink);
  const docsDir = mkdtempSync(join(tmpdir(), 'kyc-docs-'));
  const samples = await writeSampleDocuments(docsDir);
  const taskQueue = uniqueTaskQueue('kyc');
  const config = parseWorkerConfig({
    KYC_TASK_QUEUE: taskQueue,
    TECHNEST_API_URL: sandbox.url,
    TECHNEST_API_KEY: new Rail(sandbox.url).apiKey,
    KYC_EVENTS_URL: sink.url,
    KYC_SOURCE_ROOTS: docsDir,
  });
  const worker = await createKycWorker({
    connection,
    namespace: 'default',
    config,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : { workflowBundle: workflowBundle() }),
    overrides: { shutdownGraceTime: '1s' },
  });
  const running = worker.run();
  return {
    rail: new Rail(sandbox.url),
    sandbox,
    sink,
    worker,
    taskQueue,
    docsDir,
    documents: [
      { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
      { category: 'id_document_back', filename: 'passport-back.png', contentType: 'image/png', source: samples.png },
      { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'application/pdf', source: samples.pdf },
    ],
    async close() {
      worker.shutdown();
      await running;
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
): Promise<KycStatus> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.stage === stage) return status;
    if (Date.now() > deadline) throw new Error(`still at stage ${status.stage}, expected ${stage}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
