// The example backend (examples/backend/) run as its README says — its own process, configured by the environment —
// and driven over real HTTP as a front end would: sign-up, status, retry. Around it: the partner sandbox, which signs
// its decisions and posts them to the example's webhook route, and a real KYC worker on the suite's dev server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeConnection } from '@temporalio/worker';
import { freePort } from '../scripts/ports';
import { spawnProductProcess, type ProductProcess } from '../scripts/product-process';
import { startKycHarness, type KycHarness } from './support/kyc-harness';
import { eventually } from './support/production';
import { devServerAddress } from './support/temporal';
import { postWebhook, request, verifiedEvent, type Answer } from './support/webhooks';

const secret = 'whsec_example_backend';
let native: NativeConnection;
let h: KycHarness;
let backend: ProductProcess;
let url: string;

beforeAll(async () => {
  native = await NativeConnection.connect({ address: devServerAddress() });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // The sandbox reviews no one until a test gives the customer a plan: a verdict never races its sign-up.
  h = await startKycHarness(native, { webhookUrl: `${url}/webhooks/technest`, webhookSecret: secret });
  backend = await spawnProductProcess(
    'examples/backend/main.ts',
    {
      BACKEND_PORT: String(port),
      TEMPORAL_ADDRESS: devServerAddress(),
      KYC_TASK_QUEUE: h.taskQueue,
      TECHNEST_API_URL: h.sandbox.url,
      TECHNEST_API_KEY: h.rail.apiKey,
      WEBHOOK_SECRET: secret,
    },
    /example backend listening on/,
  );
});

afterAll(async () => {
  expect(await backend?.stop()).toBe(0);
  await h?.close();
  await native?.close();
});

const post = (path: string, body: unknown): Promise<Answer> =>
  request(url, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Polls the example's status endpoint (with a deadline) until `done` holds for its answer. */
function kycStatusWhen(customerId: string, what: string, done: (body: any) => boolean): Promise<any> {
  return eventually(
    async () => {
      const answer = await request(url, `/customers/${customerId}/kyc`);
      expect(answer.status).toBe(200);
      return done(answer.body) && answer.body;
    },
    `${customerId}: ${what}`,
    30_000,
  );
}

const reference = (name: string) => `example-${name}-${Date.now()}`;

describe('the example backend', () => {
  it('sign-up starts the KYC; the partner verifies; its webhook, mounted in the backend, ends the run', async () => {
    const ref = reference('verified');
    const signup = await post('/signup', { reference: ref, documents: h.documents });
    expect(signup.status).toBe(201);
    const { customerId } = signup.body;
    expect(customerId).toMatch(/^ckcust_/);
    expect(signup.body).toMatchObject({ customerReference: ref, workflowId: `kyc-${customerId}` });

    await h.rail.review(customerId, { outcome: 'verify', after_ms: 0 });
    const verified = await kycStatusWhen(customerId, 'verified', (body) => body.stage === 'verified');
    expect(verified).toMatchObject({ customerId, customerReference: ref, outcome: { status: 'verified' } });
    // Decided by the webhook (the run's first poll is 15 minutes away), which the backend's route accepted.
    expect(verified.outcome.via).toBe('webhook');
    const partner = await h.rail.inspect(customerId);
    expect(partner.submit_count).toBe(1);
    expect(partner.webhook_deliveries).toContainEqual(
      expect.objectContaining({ event: 'customer_verified', status_code: 200 }),
    );
  });

  it('a rejected customer sees why and retries under the new reference, as a new partner customer', async () => {
    const ref = reference('rejected');
    const { customerId: first } = (await post('/signup', { reference: ref, documents: h.documents })).body;
    await h.rail.review(first, { outcome: 'reject', after_ms: 0, reason: 'ID document unreadable' });
    const rejected = await kycStatusWhen(first, 'rejected, with its retry reference', (body) => {
      return body.stage === 'rejected' && body.retryCustomerReference !== undefined;
    });
    expect(rejected).toMatchObject({
      outcome: { status: 'rejected', via: 'webhook' },
      retryCustomerReference: `${ref}-r2`,
    });
    expect(rejected.userMessage).toEqual(expect.any(String));

    const retry = await post(`/customers/${first}/kyc/retry`, { documents: h.documents });
    expect(retry.status).toBe(201);
    const second = retry.body.customerId;
    expect(retry.body).toMatchObject({ customerReference: `${ref}-r2`, retryOf: first });
    expect(second).not.toBe(first);
    expect((await h.rail.inspect(second)).customer_reference).toBe(`${ref}-r2`);

    await h.rail.review(second, { outcome: 'verify', after_ms: 0 });
    const verified = await kycStatusWhen(second, 'verified', (body) => body.stage === 'verified');
    expect(verified).toMatchObject({ customerReference: `${ref}-r2`, outcome: { status: 'verified', via: 'webhook' } });
    // A verified customer has nothing to retry; the rejected one keeps its record, closed.
    expect((await post(`/customers/${second}/kyc/retry`, { documents: h.documents })).status).toBe(409);
    expect((await request(url, `/customers/${first}/kyc`)).body.stage).toBe('rejected');
  });

  it('answers what a front end or the partner gets wrong with the status to act on', async () => {
    expect((await post('/signup', { reference: reference('nodocs') })).status).toBe(400);
    const badDocuments = await post('/signup', { reference: reference('baddocs'), documents: [] });
    expect(badDocuments).toMatchObject({ status: 400, body: { error: { type: 'invalid_request' } } });
    expect((await request(url, '/customers/ckcust_nobody_here/kyc')).status).toBe(404);
    expect((await request(url, '/customers/not-a-customer/kyc')).status).toBe(400);
    // The webhook route is the contract's: an unsigned delivery is refused, a signed one for nobody is a 404.
    const event = verifiedEvent('ckcust_nobody_here', 'x');
    expect((await postWebhook(url, event, { signature: null })).status).toBe(401);
    expect((await postWebhook(url, event, { secrets: secret })).body).toMatchObject({
      error: { type: 'customer_not_found' },
    });
  });
});
