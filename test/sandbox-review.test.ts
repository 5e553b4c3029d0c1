// Review decisions (by plan and forced) and the signed webhook deliveries that follow.
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/server';
import {
  SECRET,
  call,
  control,
  inspect,
  readyCustomer,
  signatureIsValid,
  startReceiver,
  startTestSandbox,
  waitUntil,
} from './support/sandbox-harness';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A sandbox delivering to a fresh receiver; each test gets both so deliveries never mix. */
async function withReceiver<T>(statuses: number[], run: (sb: Sandbox, receiver: Receiver) => Promise<T>): Promise<T> {
  const receiver = await startReceiver(statuses);
  const sb = await startTestSandbox({
    webhookUrl: receiver.url,
    webhookSecret: SECRET,
    webhookRetry: { attempts: 3, baseDelayMs: 5 },
  });
  try {
    return await run(sb, receiver);
  } finally {
    await sb.close();
    await receiver.close();
  }
}

async function submitted(sb: Sandbox): Promise<string> {
  const id = await readyCustomer(sb);
  expect((await call(sb, 'POST', `/v1/customers/${id}/kyc`, {})).status).toBe(200);
  return id;
}

describe('decisions and webhooks', () => {
  it('verifies on the customer plan and delivers a signed customer_verified event', async () => {
    await withReceiver([], async (sb, receiver) => {
      const id = await readyCustomer(sb);
      expect((await control(sb, 'PUT', `/customers/${id}/review`, { outcome: 'verify', after_ms: 5 })).status).toBe(
        200,
      );
      await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
      const [hook] = await receiver.waitFor(1);
      expect(hook?.headers['content-type']).toBe('application/json');
      expect(signatureIsValid(hook?.headers['technest-signature'] as string, hook?.raw ?? '', SECRET)).toBe(true);
      expect(signatureIsValid(hook?.headers['technest-signature'] as string, hook?.raw ?? '', 'other-secret')).toBe(
        false,
      );
      const event = JSON.parse(hook?.raw ?? '{}');
      const customer = (await call(sb, 'GET', `/v1/customers/${id}`)).body;
      expect(customer).toMatchObject({ status: 'verified' });
      expect(event).toEqual({
        event: 'customer_verified',
        data: {
          object: 'customer',
          id,
          customer_reference: customer.customer_reference,
          status: 'verified',
          verified_at: customer.verified_at,
        },
      });
      await waitUntil(async () => (await inspect(sb, id)).webhook_deliveries.length === 1);
      expect((await inspect(sb, id)).webhook_deliveries[0]).toMatchObject({
        event: 'customer_verified',
        attempt: 1,
        status_code: 200,
        duplicate: false,
      });
    });
  });

  it('rejects on the plan with its reason, and by default with "ID document unreadable"', async () => {
    await withReceiver([], async (sb, receiver) => {
      const withReason = await readyCustomer(sb);
      await control(sb, 'PUT', `/customers/${withReason}/review`, {
        outcome: 'reject',
        after_ms: 1,
        reason: 'Document expired',
      });
      await call(sb, 'POST', `/v1/customers/${withReason}/kyc`, {});
      const [first] = await receiver.waitFor(1);
      const event = JSON.parse(first?.raw ?? '{}');
      expect(event.event).toBe('customer_rejected');
      expect(event.data).toMatchObject({ id: withReason, status: 'rejected', rejection_reason: 'Document expired' });
      expect(Date.parse(event.data.rejected_at)).not.toBeNaN();
      expect(signatureIsValid(first?.headers['technest-signature'] as string, first?.raw ?? '', SECRET)).toBe(true);

      const byDefault = await readyCustomer(sb);
      await control(sb, 'PUT', `/customers/${byDefault}/review`, { outcome: 'reject', after_ms: 1 });
      await call(sb, 'POST', `/v1/customers/${byDefault}/kyc`, {});
      const [, second] = await receiver.waitFor(2);
      expect(JSON.parse(second?.raw ?? '{}').data.rejection_reason).toBe('ID document unreadable');
      expect((await call(sb, 'GET', `/v1/customers/${byDefault}`)).body).toMatchObject({
        status: 'rejected',
        rejection_reason: 'ID document unreadable',
      });
    });
  });

  it('decides now through /decide, and refuses to decide a customer that is not pending', async () => {
    await withReceiver([], async (sb, receiver) => {
      const notSubmitted = await readyCustomer(sb);
      expect((await control(sb, 'POST', `/customers/${notSubmitted}/decide`, { outcome: 'verify' })).status).toBe(409);

      const id = await submitted(sb);
      const decided = await control(sb, 'POST', `/customers/${id}/decide`, {
        outcome: 'reject',
        reason: 'Face mismatch',
      });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ status: 'rejected', rejection_reason: 'Face mismatch' });
      const [hook] = await receiver.waitFor(1);
      expect(JSON.parse(hook?.raw ?? '{}').data.rejection_reason).toBe('Face mismatch');
      expect((await control(sb, 'POST', `/customers/${id}/decide`, { outcome: 'verify' })).status).toBe(409);
      expect((await control(sb, 'POST', `/customers/${id}/decide`, { outcome: 'maybe' })).status).toBe(400);
    });
  });

  it("keeps a 'never' plan pending, and reschedules when a pending customer gets a new plan", async () => {
    await withReceiver([], async (sb, receiver) => {
      const id = await submitted(sb); // the test sandbox's default plan is 'never'
      expect((await inspect(sb, id)).status).toBe('pending');
      await control(sb, 'PUT', `/customers/${id}/review`, { outcome: 'verify', after_ms: 1 });
      await receiver.waitFor(1);
      expect((await call(sb, 'GET', `/v1/customers/${id}`)).body.status).toBe('verified');
    });
  });

  it('retries a delivery the receiver answered 500, with a fresh valid signature', async () => {
    await withReceiver([500, 503], async (sb, receiver) => {
      const id = await submitted(sb);
      await control(sb, 'POST', `/customers/${id}/decide`, { outcome: 'verify' });
      const hooks = await receiver.waitFor(3);
      expect(hooks.map((h) => h.raw)).toEqual([hooks[0]?.raw, hooks[0]?.raw, hooks[0]?.raw]);
      for (const hook of hooks) {
        expect(signatureIsValid(hook.headers['technest-signature'] as string, hook.raw, SECRET)).toBe(true);
      }
      const deliveries = await waitUntil(async () => {
        const list = (await inspect(sb, id)).webhook_deliveries;
        return list.length === 3 ? list : undefined;
      });
      expect(deliveries.map((d: { attempt: number; status_code: number }) => [d.attempt, d.status_code])).toEqual([
        [1, 500],
        [2, 503],
        [3, 200],
      ]);
    });
  });

  it('records a network error and gives up after the configured attempts', async () => {
    const receiver = await startReceiver();
    await receiver.close(); // nothing listens there any more
    const sb = await startTestSandbox({
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
      webhookRetry: { attempts: 2, baseDelayMs: 1 },
    });
    try {
      const id = await submitted(sb);
      await control(sb, 'POST', `/customers/${id}/decide`, { outcome: 'verify' });
      const deliveries = await waitUntil(async () => {
        const list = (await inspect(sb, id)).webhook_deliveries;
        return list.length === 2 ? list : undefined;
      });
      expect(deliveries.every((d: { error?: string }) => typeof d.error === 'string')).toBe(true);
    } finally {
      await sb.close();
    }
  });

  it('duplicates, drops and redelivers events as the faults say', async () => {
    await withReceiver([], async (sb, receiver) => {
      const twice = await submitted(sb);
      await control(sb, 'PUT', `/customers/${twice}/faults`, { duplicateWebhook: true });
      await control(sb, 'POST', `/customers/${twice}/decide`, { outcome: 'verify' });
      const pair = await receiver.waitFor(2);
      expect(pair[0]?.raw).toBe(pair[1]?.raw);

      const dropped = await submitted(sb);
      await control(sb, 'PUT', `/customers/${dropped}/faults`, { dropWebhook: true });
      await control(sb, 'POST', `/customers/${dropped}/decide`, { outcome: 'verify' });
      // Only polling sees a dropped decision.
      expect((await call(sb, 'GET', `/v1/customers/${dropped}`)).body.status).toBe('verified');
      expect(await inspect(sb, dropped)).toMatchObject({
        webhooks_dropped: 1,
        webhook_deliveries: [],
        faults_injected: 1,
      });

      const redelivered = await control(sb, 'POST', `/customers/${dropped}/redeliver`);
      expect(redelivered.status).toBe(202);
      const hooks = await receiver.waitFor(3);
      expect(JSON.parse(hooks[2]?.raw ?? '{}').data.id).toBe(dropped);
      const deliveries = await waitUntil(async () => {
        const list = (await inspect(sb, dropped)).webhook_deliveries;
        return list.length === 1 ? list : undefined;
      });
      expect(deliveries[0]).toMatchObject({ duplicate: true, status_code: 200 });
      const pending = await submitted(sb);
      expect((await control(sb, 'POST', `/customers/${pending}/redeliver`)).status).toBe(409);
    });
  });

  it('delivers nowhere without a target, and to the target set through /_sandbox/webhook', async () => {
    const receiver = await startReceiver();
    const sb = await startTestSandbox();
    try {
      const silent = await submitted(sb);
      await control(sb, 'POST', `/customers/${silent}/decide`, { outcome: 'verify' });
      expect((await inspect(sb, silent)).webhook_deliveries).toEqual([]);
      expect((await control(sb, 'PUT', '/webhook', { url: receiver.url })).status).toBe(400);
      expect((await control(sb, 'PUT', '/webhook', { url: receiver.url, secret: SECRET })).status).toBe(200);
      const id = await submitted(sb);
      await control(sb, 'POST', `/customers/${id}/decide`, { outcome: 'verify' });
      const [hook] = await receiver.waitFor(1);
      expect(JSON.parse(hook?.raw ?? '{}').data.id).toBe(id);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await sb.close();
      await receiver.close();
    }
  });
});
