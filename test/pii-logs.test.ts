// Secrets never in logs: the real worker process and the real webhook receiver process carry a full onboarding
// (partner webhook → receiver → signal → worker → result) with every secret configured, and neither process's output
// ever contains TECHNEST_API_KEY, WEBHOOK_SECRET or KYC_PAYLOAD_KEYS (nor the keys inside it).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { kycStartOptions } from '../client/start-options';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { dataConverterFromEnv } from '../common/data-converter';
import { kycWorkflow } from '../workflows';
import { writeSampleDocuments } from './support/fixtures';
import { Rail } from '../sandbox/control-client';
import { devServerAddress, uniqueTaskQueue, workflowBundle } from './support/temporal';
import { spawnReceiver, type ReceiverProcess } from './support/webhooks';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const apiKey = `sk_test_${randomBytes(12).toString('hex')}`;
const webhookSecret = `whsec_${randomBytes(12).toString('hex')}`;
const payloadKey = randomBytes(32).toString('base64');
const payloadKeys = `logs-test:${payloadKey}`;
const taskQueue = uniqueTaskQueue('kyc-pii-logs');

let sandbox: Sandbox;
let receiver: ReceiverProcess;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;
let documents: Parameters<typeof kycStartOptions>[0]['documents'];

beforeAll(async () => {
  receiver = await spawnReceiver({
    TEMPORAL_ADDRESS: devServerAddress(),
    WEBHOOK_PORT: '0',
    WEBHOOK_SECRET: webhookSecret,
    KYC_PAYLOAD_KEYS: payloadKeys,
  });
  if (!receiver.url) throw new Error(`receiver did not start:\n${receiver.output()}`);
  sandbox = await startSandbox({
    apiKey,
    review: { outcome: 'never' },
    webhookUrl: `${receiver.url}/webhooks/technest`,
    webhookSecret,
  });
  const docsDir = mkdtempSync(join(tmpdir(), 'kyc-pii-logs-'));
  const samples = await writeSampleDocuments(docsDir);
  documents = [{ category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg }];
  worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: devServerAddress(),
    KYC_TASK_QUEUE: taskQueue,
    TECHNEST_API_URL: sandbox.url,
    TECHNEST_API_KEY: apiKey,
    KYC_SOURCE_ROOTS: docsDir,
    KYC_PAYLOAD_KEYS: payloadKeys,
    KYC_WORKFLOW_BUNDLE: workflowBundle().codePath,
  });
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection, dataConverter: dataConverterFromEnv({ KYC_PAYLOAD_KEYS: payloadKeys }) });
});

afterAll(async () => {
  await worker?.stop();
  if (receiver && receiver.child.exitCode === null) {
    receiver.child.kill('SIGTERM');
    await receiver.exited;
  }
  await connection?.close();
  await sandbox?.close();
});

describe('secrets never in logs', () => {
  it('a verified and a rejected onboarding through the webhook receiver: no secret in either process output', async () => {
    const rail = new Rail(sandbox.url, apiKey);
    const outcomes = await Promise.all(
      (['verify', 'reject'] as const).map(async (outcome) => {
        const reference = `pii-logs-${outcome}-${Date.now()}`;
        const customerId = await rail.createCustomer(reference);
        // The partner decides soon after submit and delivers its signed webhook to the receiver process.
        await rail.review(customerId, { outcome, after_ms: 200, reason: 'ID document unreadable' });
        const handle = await client.workflow.start(
          kycWorkflow,
          kycStartOptions({ customerId, customerReference: reference, documents }, taskQueue),
        );
        return { customerId, result: await handle.result() };
      }),
    );
    expect(outcomes.map((o) => o.result.status)).toEqual(['verified', 'rejected']);
    for (const { customerId } of outcomes) {
      const deliveries = (await rail.inspect(customerId)).webhook_deliveries;
      expect(deliveries.some((d) => d.status_code === 200)).toBe(true);
    }

    const logs = { worker: worker.output(), receiver: receiver.output() };
    // The processes did log: the start lines and the payload-key state, so the scan reads real output.
    expect(logs.worker).toContain('kyc worker polling');
    expect(logs.receiver).toContain('technest webhook receiver listening');
    for (const [name, output] of Object.entries(logs)) {
      for (const [variable, secret] of Object.entries({
        TECHNEST_API_KEY: apiKey,
        WEBHOOK_SECRET: webhookSecret,
        KYC_PAYLOAD_KEYS: payloadKeys,
        'the key in KYC_PAYLOAD_KEYS': payloadKey,
      })) {
        expect(output.includes(secret), `${variable} in the ${name} logs`).toBe(false);
      }
    }
  });
});
