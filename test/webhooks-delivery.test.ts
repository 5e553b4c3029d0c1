// The webhook receiver against real KYC runs: dev server, a real worker, the partner sandbox over HTTP.
// Each event arrives over real HTTP, signed as the partner signs, and the workflow's result is what we assert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../webhook-receiver/receiver';
import { kycStartOptions } from '../client/start-options';
import { statusQuery } from '../workflows/messages';
import { kycWorkflow } from '../workflows';
import { startKyc, startKycHarness, waitForStage, type KycHarness } from './support/kyc-harness';
import { devServerAddress, uniqueTaskQueue } from './support/temporal';
import { postWebhook, rejectedEvent, verifiedEvent, within } from './support/webhooks';

const secret = 'whsec_delivery_test';
let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
let receiver: RunningWebhookReceiver;
let h: KycHarness;

beforeAll(async () => {
  nativeConnection = await NativeConnection.connect({ address: devServerAddress() });
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
  receiver = await startWebhookReceiver({ client, secrets: [secret], port: 0 });
  // The sandbox posts its own decisions to the receiver too (only when a test asks the rail to decide).
  h = await startKycHarness(nativeConnection, { webhookUrl: receiver.webhookUrl, webhookSecret: secret });
});

afterAll(async () => {
  await h?.close();
  await receiver?.close();
  await connection?.close();
  await nativeConnection?.close();
});

const reference = (name: string) => `webhook-${name}-${Date.now()}`;

describe('webhook receiver → KYC workflow', () => {
  it('customer_verified: 200 delivered, and the run ends verified via the webhook', async () => {
    const ref = reference('verified');
    const { customerId, handle } = await startKyc(client, h, ref);
    await waitForStage(handle, 'pending_review');

    const answer = await postWebhook(receiver.url, verifiedEvent(customerId, ref), { secrets: secret });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'delivered' });

    expect(await within(handle.result(), 30_000, 'workflow result')).toMatchObject({ status: 'verified', customerId });
    expect((await handle.query(statusQuery)).outcome?.via).toBe('webhook');
  });

  it('customer_rejected: the run ends rejected with the partner reason and a retry reference', async () => {
    const ref = reference('rejected');
    const { customerId, handle } = await startKyc(client, h, ref);
    await waitForStage(handle, 'pending_review');

    const answer = await postWebhook(receiver.url, rejectedEvent(customerId, ref, 'ID document unreadable'), {
      secrets: secret,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'delivered' });

    const result = await within(handle.result(), 30_000, 'workflow result');
    expect(result).toMatchObject({
      status: 'rejected',
      customerId,
      rejectionReason: 'ID document unreadable',
      retryCustomerReference: `${ref}-r2`,
    });
    expect((await handle.query(statusQuery)).outcome).toMatchObject({ status: 'rejected', via: 'webhook' });
  });

  it('a duplicate while the run is open: 200 delivered each time, both signals reach the run', async () => {
    // A run no worker polls stays open however many signals it gets: the duplicate surely lands on a running workflow.
    const ref = reference('open');
    const customerId = await h.rail.createCustomer(ref);
    const handle = await client.workflow.start(
      kycWorkflow,
      kycStartOptions({ customerId, customerReference: ref, documents: h.documents }, uniqueTaskQueue('kyc-unpolled')),
    );
    try {
      const event = verifiedEvent(customerId, ref);
      for (let i = 0; i < 2; i++) {
        const answer = await postWebhook(receiver.url, event, { secrets: secret });
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ status: 'delivered' });
      }
      const { events } = await handle.fetchHistory();
      const signals = (events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
      expect(signals.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toEqual([
        'customerVerified',
        'customerVerified',
      ]);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('the same event sent twice at once to a live run: both 200, the first decision stands', async () => {
    const ref = reference('twice');
    const { customerId, handle } = await startKyc(client, h, ref);
    await waitForStage(handle, 'pending_review');
    const event = verifiedEvent(customerId, ref);
    const answers = await Promise.all([
      postWebhook(receiver.url, event, { secrets: secret }),
      postWebhook(receiver.url, event, { secrets: secret }),
    ]);
    // Each is a delivery or, if the other one already finished the run, a harmless "ignored".
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect([{ status: 'delivered' }, { status: 'ignored', reason: 'workflow already closed' }]).toContainEqual(
        answer.body,
      );
    }
    expect(answers.some((a) => a.body.status === 'delivered')).toBe(true);
    expect(await within(handle.result(), 30_000, 'workflow result')).toMatchObject({ status: 'verified' });
    expect(h.sink.for(customerId).map((e) => e.body.type)).toEqual(['kyc.submitted', 'kyc.verified']);
  });

  it('a late duplicate after the run completed with its decision: 200 ignored, not an error the partner would retry', async () => {
    const ref = reference('late');
    const { customerId, handle } = await startKyc(client, h, ref);
    await waitForStage(handle, 'pending_review');
    const event = verifiedEvent(customerId, ref);
    expect((await postWebhook(receiver.url, event, { secrets: secret })).status).toBe(200);
    await within(handle.result(), 30_000, 'workflow result');

    const late = await postWebhook(receiver.url, event, { secrets: secret });
    expect(late.status).toBe(200);
    expect(late.body).toEqual({ status: 'ignored', reason: 'workflow already closed' });
    // A conflicting late event is just as harmless: the first decision stands.
    const conflicting = await postWebhook(receiver.url, rejectedEvent(customerId, ref, 'too late'), {
      secrets: secret,
    });
    expect(conflicting.status).toBe(200);
    expect(conflicting.body).toEqual({ status: 'ignored', reason: 'workflow already closed' });
    expect(await handle.result()).toMatchObject({ status: 'verified' });
  });

  it('a hyphenated customer id (one grammar with the workflow input): 200 delivered to its running run', async () => {
    // The sandbox only mints ids of letters and digits; the partner's rail may use "-". No worker polls this queue,
    // so the run stays open and the answer can only come from the id being accepted and the signal landing.
    const customerId = `ckcust_a-b-${Date.now().toString(36)}`;
    const ref = reference('hyphen');
    const handle = await client.workflow.start(
      kycWorkflow,
      kycStartOptions({ customerId, customerReference: ref, documents: h.documents }, uniqueTaskQueue('kyc-unpolled')),
    );
    try {
      const answer = await postWebhook(receiver.url, verifiedEvent(customerId, ref), { secrets: secret });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'delivered' });
      const { events } = await handle.fetchHistory();
      const signals = (events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
      expect(signals.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toEqual(['customerVerified']);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('a verdict for a terminated run: 503 run_needs_resume with Retry-After, so the partner keeps it until a resume', async () => {
    const ref = reference('terminated');
    const { customerId, handle } = await startKyc(client, h, ref);
    await waitForStage(handle, 'pending_review');
    await handle.terminate('operator stopped the run by mistake');

    for (const event of [verifiedEvent(customerId, ref), rejectedEvent(customerId, ref, 'ID document unreadable')]) {
      const answer = await postWebhook(receiver.url, event, { secrets: secret });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('300');
      expect(answer.body).toEqual({ error: { type: 'run_needs_resume', message: expect.any(String) } });
      expect(answer.body.error.message).toContain(`kyc-${customerId}`);
      expect(answer.body.error.message).toContain('terminated');
      expect(answer.body.error.message).toContain(`kyc resume ${customerId}`);
    }
    // Nothing was started or signalled on the partner's say-so: the run stays as the operator left it.
    expect((await handle.describe()).status.name).toBe('TERMINATED');
  });

  it('a verdict for a failed run (bad input): 503 run_needs_resume too', async () => {
    const ref = reference('failed');
    const customerId = await h.rail.createCustomer(ref);
    // A source outside KYC_SOURCE_ROOTS: the run fails with InvalidKycInput before any partner call.
    const input = { customerId, customerReference: ref, documents: [{ ...h.documents[0]!, source: '/etc/hostname' }] };
    const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, h.taskQueue));
    await expect(within(handle.result(), 30_000, 'workflow result')).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('FAILED');

    const answer = await postWebhook(receiver.url, verifiedEvent(customerId, ref), { secrets: secret });
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ type: 'run_needs_resume', message: expect.stringContaining('failed') });
  });

  it('the sandbox partner decides and its own signed webhook completes the run', async () => {
    const ref = reference('partner');
    const { customerId, handle } = await startKyc(client, h, ref);
    await waitForStage(handle, 'pending_review');
    await h.rail.decide(customerId, 'verify');

    expect(await within(handle.result(), 30_000, 'workflow result')).toMatchObject({ status: 'verified', customerId });
    expect((await handle.query(statusQuery)).outcome?.via).toBe('webhook');
    const partner = await h.rail.inspect(customerId);
    expect(partner.webhook_deliveries).toMatchObject([{ event: 'customer_verified', status_code: 200 }]);
  });
});
