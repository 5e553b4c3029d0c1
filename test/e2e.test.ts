// End to end on the dev server: the real worker process, the partner sandbox over HTTP, real files,
// short timings. Signals are sent the way the webhook receiver sends them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { kycStartOptions } from '../client/start-options';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { customerRejected, customerVerified, statusQuery } from '../workflows/messages';
import { kycWorkflow } from '../workflows';
import type { KycInput } from '../workflows/input';
import { startEventSink } from './support/event-sink';
import { writeSampleDocuments } from './support/fixtures';
import { Rail } from '../sandbox/control-client';
import { devServerAddress, uniqueTaskQueue, workflowBundle } from './support/temporal';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';
import { waitForStage } from './support/kyc-harness';
import { rejectedData, verifiedData } from './support/decisions';

const timing = { firstPollAfter: 300, maxPollInterval: 1000, escalateAfter: '1h' };
let sandbox: Sandbox;
let rail: Rail;
let sink: Awaited<ReturnType<typeof startEventSink>>;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;
let documents: KycInput['documents'];
const taskQueue = uniqueTaskQueue('kyc-e2e');

beforeAll(async () => {
  sandbox = await startSandbox({ review: { outcome: 'never' } });
  rail = new Rail(sandbox.url);
  sink = await startEventSink();
  const docsDir = mkdtempSync(join(tmpdir(), 'kyc-e2e-'));
  const samples = await writeSampleDocuments(docsDir);
  documents = [
    { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
    {
      category: 'proof_of_address',
      filename: 'bill.pdf',
      contentType: 'application/pdf',
      source: `file://${samples.pdf}`,
    },
  ];
  worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: devServerAddress(),
    KYC_TASK_QUEUE: taskQueue,
    TECHNEST_API_URL: sandbox.url,
    TECHNEST_API_KEY: rail.apiKey,
    KYC_EVENTS_URL: sink.url,
    KYC_SOURCE_ROOTS: docsDir,
    // This file's reviews take seconds: below the production floor of 1 min between polls.
    KYC_MIN_POLL_INTERVAL: '200ms',
    KYC_WORKFLOW_BUNDLE: workflowBundle().codePath,
  });
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
});

afterAll(async () => {
  const code = await worker?.stop();
  expect(code).toBe(0);
  await connection?.close();
  await sandbox?.close();
  await sink?.close();
});

async function start(reference: string) {
  const customerId = await rail.createCustomer(reference);
  const handle = await client.workflow.start(
    kycWorkflow,
    kycStartOptions({ customerId, customerReference: reference, documents, timing }, taskQueue),
  );
  return { customerId, handle };
}

describe('end to end on the dev server', () => {
  it('verified by the webhook signal', async () => {
    const reference = `e2e-webhook-${Date.now()}`;
    const { customerId, handle } = await start(reference);
    await waitForStage(handle, 'pending_review');
    await rail.decide(customerId, 'verify');
    await handle.signal(customerVerified, verifiedData(customerId, reference));
    expect(await handle.result()).toMatchObject({ status: 'verified', customerId });
    expect((await handle.query(statusQuery)).outcome?.via).toBe('webhook');
    const partner = await rail.inspect(customerId);
    expect(partner.submit_count).toBe(1);
    expect(partner.uploads).toHaveLength(2);
  });

  it('rejected: the user gets a friendly message and the retry reference', async () => {
    const reference = `e2e-reject-${Date.now()}`;
    const { customerId, handle } = await start(reference);
    await waitForStage(handle, 'pending_review');
    await rail.decide(customerId, 'reject', 'ID document unreadable');
    await handle.signal(customerRejected, rejectedData(customerId, reference, 'ID document unreadable'));
    const result = await handle.result();
    expect(result).toMatchObject({
      status: 'rejected',
      rejectionReason: 'ID document unreadable',
      retryCustomerReference: `${reference}-r2`,
    });
    expect(result.userMessage).toMatch(/clearer photo/);
    expect(result.userMessage).not.toContain('ID document unreadable');
    expect(sink.for(customerId).map((e) => e.body.type)).toEqual(['kyc.submitted', 'kyc.rejected']);
  });

  it('verified by polling alone when no webhook comes', async () => {
    const { customerId, handle } = await start(`e2e-poll-${Date.now()}`);
    await rail.review(customerId, { outcome: 'verify', after_ms: 200 });
    expect(await handle.result()).toMatchObject({ status: 'verified', customerId });
    const status = await handle.query(statusQuery);
    expect(status.outcome?.via).toBe('poll');
    expect(status.polls).toBeGreaterThanOrEqual(1);
  });
});
