// The webhook receiver against real KYC runs: dev server, a real worker, the partner sandbox over HTTP.
// Each event arrives over real HTTP, signed as the partner signs, and the workflow's result is what we assert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../webhook-receiver/receiver';
import { KycClient } from '../client/kyc-client';
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

/** A KYC run on a queue no worker polls: it stays open, so every signal the receiver sends lands in its history. */
async function unpolledRun(ref: string) {
  const customerId = await h.rail.createCustomer(ref);
  return client.workflow.start(
    kycWorkflow,
    kycStartOptions({ customerId, customerReference: ref, documents: h.documents }, uniqueTaskQueue('kyc-unpolled')),
  );
}

/** The names of the signals in a run's history, in order. */
async function signalsOf(handle: WorkflowHandle): Promise<Array<string | null | undefined>> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((e) =>
    e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName] : [],
  );
}

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

  it('a duplicate while the run is open: 200 delivered each time, one signal in the history', async () => {
    // A run no worker polls stays open however many signals it gets: the duplicates surely meet a running workflow.
    const ref = reference('open');
    const handle = await unpolledRun(ref);
    const customerId = handle.workflowId.slice('kyc-'.length);
    try {
      const event = verifiedEvent(customerId, ref);
      for (let i = 0; i < 3; i++) {
        const answer = await postWebhook(receiver.url, event, { secrets: secret });
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ status: 'delivered' });
      }
      // Several at once, as a partner retrying on a timeout sends them: still one signal.
      const burst = await Promise.all(
        Array.from({ length: 5 }, () => postWebhook(receiver.url, event, { secrets: secret })),
      );
      expect(burst.map((a) => [a.status, a.body])).toEqual(Array(5).fill([200, { status: 'delivered' }]));
      expect(await signalsOf(handle)).toEqual(['customerVerified']);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('a different verdict for the same customer still reaches the run, which records it', async () => {
    const ref = reference('conflict');
    const handle = await unpolledRun(ref);
    const customerId = handle.workflowId.slice('kyc-'.length);
    try {
      const verified = verifiedEvent(customerId, ref);
      const rejected = rejectedEvent(customerId, ref, 'ID document unreadable');
      for (const event of [verified, rejected, verified, rejected]) {
        const answer = await postWebhook(receiver.url, event, { secrets: secret });
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ status: 'delivered' });
      }
      // The same event with other data (a later verified_at) is another event: it goes to the run too.
      const later = verifiedEvent(customerId, ref, { verified_at: new Date(Date.now() + 1000).toISOString() });
      expect((await postWebhook(receiver.url, later, { secrets: secret })).status).toBe(200);
      expect(await signalsOf(handle)).toEqual(['customerVerified', 'customerRejected', 'customerVerified']);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('the memory of deliveries is bounded: an event goes to Temporal again after 5 minutes, or once crowded out', async () => {
    let clock = Date.now();
    const forgetful = await startWebhookReceiver({
      client,
      secrets: [secret],
      port: 0,
      recentDeliveries: { maxRuns: 1, now: () => clock },
    });
    const [refA, refB] = [reference('ttl-a'), reference('ttl-b')];
    const [a, b] = [await unpolledRun(refA), await unpolledRun(refB)];
    try {
      const eventA = verifiedEvent(a.workflowId.slice('kyc-'.length), refA);
      const eventB = verifiedEvent(b.workflowId.slice('kyc-'.length), refB);
      const post = async (event: object) =>
        expect((await postWebhook(forgetful.url, event, { secrets: secret })).body).toEqual({ status: 'delivered' });
      await post(eventA);
      await post(eventA); // remembered
      clock += 5 * 60_000 + 1;
      await post(eventA); // forgotten: signalled again
      await post(eventB); // one run remembered at most: A goes
      await post(eventA); // signalled again
      expect(await signalsOf(a)).toEqual(['customerVerified', 'customerVerified', 'customerVerified']);
      expect(await signalsOf(b)).toEqual(['customerVerified']);
    } finally {
      await forgetful.close();
      await Promise.all([a.terminate('test done'), b.terminate('test done')]);
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

  it('late events after the run completed with its decision: 200, never an error the partner would retry', async () => {
    const ref = reference('late');
    const { customerId, handle } = await startKyc(client, h, ref);
    await waitForStage(handle, 'pending_review');
    const event = verifiedEvent(customerId, ref);
    expect((await postWebhook(receiver.url, event, { secrets: secret })).status).toBe(200);
    await within(handle.result(), 30_000, 'workflow result');

    // The very event the run took a moment ago: the receiver remembers it was delivered.
    const late = await postWebhook(receiver.url, event, { secrets: secret });
    expect(late.status).toBe(200);
    expect(late.body).toEqual({ status: 'delivered' });
    // A conflicting late event goes to Temporal, finds the run closed, and is just as harmless.
    const conflicting = await postWebhook(receiver.url, rejectedEvent(customerId, ref, 'too late'), {
      secrets: secret,
    });
    expect(conflicting.status).toBe(200);
    expect(conflicting.body).toEqual({ status: 'ignored', reason: 'workflow already closed' });
    // From then on the receiver knows the run closed: any event for it is ignored.
    for (const again of [event, rejectedEvent(customerId, ref, 'later still')]) {
      expect((await postWebhook(receiver.url, again, { secrets: secret })).body).toEqual({
        status: 'ignored',
        reason: 'workflow already closed',
      });
    }
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

  it('a verdict refused for a terminated run reaches the run an operator resumes', async () => {
    const ref = reference('resumed');
    const { customerId, handle } = await startKyc(client, h, ref);
    await waitForStage(handle, 'pending_review');
    await handle.terminate('operator stopped the run by mistake');
    const event = verifiedEvent(customerId, ref);
    // Refused each time it comes: a 503 is never remembered as delivered.
    for (let i = 0; i < 2; i++) {
      const refused = await postWebhook(receiver.url, event, { secrets: secret });
      expect(refused.status).toBe(503);
      expect(refused.body.error.type).toBe('run_needs_resume');
    }

    const resumed = await new KycClient(client, { taskQueue: h.taskQueue }).resume(customerId);
    expect(resumed).toMatchObject({ action: 'resumed', previousStatus: 'TERMINATED' });
    const successor = client.workflow.getHandle<typeof kycWorkflow>(handle.workflowId);
    await waitForStage(successor, 'pending_review');
    const answer = await postWebhook(receiver.url, event, { secrets: secret });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'delivered' });
    expect(await within(successor.result(), 30_000, 'resumed run result')).toMatchObject({ status: 'verified' });
    expect((await successor.query(statusQuery)).outcome?.via).toBe('webhook');
  });

  it('a run found ended without a decision is forgotten: even an event it took goes to Temporal again', async () => {
    const ref = reference('forgotten');
    const handle = await unpolledRun(ref);
    const customerId = handle.workflowId.slice('kyc-'.length);
    const verified = verifiedEvent(customerId, ref);
    expect((await postWebhook(receiver.url, verified, { secrets: secret })).body).toEqual({ status: 'delivered' });
    // Terminated before any worker acted on the verdict; the next event learns it, and the receiver forgets the run.
    await handle.terminate('operator stopped the run by mistake');
    const conflicting = await postWebhook(receiver.url, rejectedEvent(customerId, ref, 'unreadable'), {
      secrets: secret,
    });
    expect(conflicting.body.error.type).toBe('run_needs_resume');
    const again = await postWebhook(receiver.url, verified, { secrets: secret });
    expect(again.status).toBe(503);
    expect(again.body.error.type).toBe('run_needs_resume');
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
