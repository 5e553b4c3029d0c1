// Graceful shutdown, as a rolling deploy does it: SIGTERM reaches the worker while a 20 MB upload is in flight
// (slowed down by the partner's latency). The worker stops polling but lets the upload finish and report; a new
// worker takes the run on; the partner ends up with the document whole, uploaded once, and one submission.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { kycStartOptions } from '../client/start-options';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { kycWorkflow } from '../workflows';
import { customerVerified } from '../workflows/messages';
import { makeLargePdf } from './support/fixtures';
import { waitForStage } from './support/kyc-harness';
import { eventually, jsonLines } from './support/production';
import { Rail } from '../sandbox/control-client';
import { devServerAddress, uniqueTaskQueue, workflowBundle } from './support/temporal';
import { verifiedData } from './support/decisions';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const taskQueue = uniqueTaskQueue('kyc-shutdown');
let sandbox: Sandbox;
let rail: Rail;
let connection: Connection;
let client: Client;
let dir: string;
const workers: WorkerProcess[] = [];

const workerEnv = () => ({
  TEMPORAL_ADDRESS: devServerAddress(),
  KYC_TASK_QUEUE: taskQueue,
  TECHNEST_API_URL: sandbox.url,
  TECHNEST_API_KEY: rail.apiKey,
  KYC_SOURCE_ROOTS: dir,
  KYC_SOURCE_HOSTS: 'uploads.invalid',
  KYC_MAX_FILE_BYTES: String(32 * 1024 * 1024),
  KYC_WORKFLOW_BUNDLE: workflowBundle().codePath,
  KYC_SHUTDOWN_GRACE_TIME: '60s',
});

beforeAll(async () => {
  sandbox = await startSandbox({ review: { outcome: 'never' } });
  rail = new Rail(sandbox.url);
  dir = mkdtempSync(join(tmpdir(), 'kyc-shutdown-'));
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
});

afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await connection?.close();
  await sandbox?.close();
});

it('SIGTERM during a 20 MB upload: the upload finishes, the run completes, nothing is sent twice', async () => {
  const pdf = await makeLargePdf(join(dir, 'passport.pdf'), 20 * 1024 * 1024);
  const first = await startWorkerProcess(workerEnv(), 60_000);
  workers.push(first);

  const reference = `shutdown-${Date.now()}`;
  const customerId = await rail.createCustomer(reference);
  // Every partner call and the PUT itself wait 1.5 s: the upload is still in flight when SIGTERM arrives.
  await rail.faults(customerId, { latencyMs: 1500 });
  const handle = await client.workflow.start(
    kycWorkflow,
    kycStartOptions(
      {
        customerId,
        customerReference: reference,
        documents: [
          { category: 'id_document', filename: 'passport.pdf', contentType: 'application/pdf', source: pdf.path },
        ],
        timing: { firstPollAfter: '1h', escalateAfter: '1h' },
      },
      taskQueue,
    ),
  );

  // The intent exists and nothing has been stored yet: the PUT is under way.
  await eventually(
    async () => {
      const seen = await rail.inspect(customerId);
      return seen.intents.length > 0 && seen.uploads.length === 0;
    },
    'the upload to start',
    30_000,
  );
  first.child.kill('SIGTERM');

  // A replacement worker (the rolling deploy's new pod) takes the rest of the run.
  const second = await startWorkerProcess(workerEnv(), 60_000);
  workers.push(second);
  const firstExit = await first.exited;
  if (firstExit !== 0) console.log(first.output());
  expect(firstExit).toBe(0);

  const lines = jsonLines(first.stdout());
  const signalAt = lines.findIndex((l) => l.signal === 'SIGTERM');
  const uploadedAt = lines.findIndex((l) => l.msg === 'uploaded KYC document' && l.workflowId === `kyc-${customerId}`);
  expect(signalAt).toBeGreaterThanOrEqual(0);
  expect(uploadedAt, 'the draining worker finished the upload itself').toBeGreaterThan(signalAt);

  await waitForStage(handle, 'pending_review', 60_000);
  await rail.decide(customerId, 'verify');
  await handle.signal(customerVerified, verifiedData(customerId, 'shutdown'));
  expect(await handle.result()).toMatchObject({ status: 'verified', customerId });

  const partner = await rail.inspect(customerId);
  expect(partner.intents).toHaveLength(1);
  expect(partner.uploads).toHaveLength(1);
  expect(partner.uploads[0]).toMatchObject({ bytes: pdf.bytes, sha256: pdf.sha256, puts: 1 });
  expect(partner.submit_count).toBe(1);
}, 180_000);
