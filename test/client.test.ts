// KycClient against the real dev server, a real KYC worker and the partner sandbox: what a backend relies on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeConnection } from '@temporalio/worker';
import {
  InvalidKycInputError,
  InvalidListFilterError,
  KycClient,
  KycRetryRefusedError,
  KycRunNotFoundError,
} from '../client/kyc-client';
import { customerRejected, customerVerified, kycWorkflowId, type KycStage } from '../workflows/messages';
import { startKycHarness, type KycHarness } from './support/kyc-harness';
import { pollUntil } from './support/cli-run';
import { devServerAddress } from './support/temporal';

let nativeConnection: NativeConnection;
let h: KycHarness;
let kyc: Awaited<ReturnType<typeof KycClient.connect>>;
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

beforeAll(async () => {
  nativeConnection = await NativeConnection.connect({ address: devServerAddress() });
  h = await startKycHarness(nativeConnection);
  kyc = await KycClient.connect({ TEMPORAL_ADDRESS: devServerAddress(), KYC_TASK_QUEUE: h.taskQueue });
});

afterAll(async () => {
  await kyc?.close();
  await h?.close();
  await nativeConnection?.close();
});

/** A customer at the partner and its KYC run, started through the client. */
async function startCustomer(reference: string) {
  const customerId = await h.rail.createCustomer(reference);
  const started = await kyc.start({ customerId, customerReference: reference, documents: h.documents });
  return { customerId, reference, started };
}

const stageOf = (customerId: string, stage: KycStage) =>
  pollUntil(`${customerId} at ${stage}`, async () => (await kyc.status(customerId)).stage === stage);

/** The partner decides, and its webhook reaches the run (as the receiver would deliver it). */
async function decide(customerId: string, outcome: 'verify' | 'reject', reason?: string) {
  await h.rail.decide(customerId, outcome, reason);
  const handle = kyc.client.workflow.getHandle(kycWorkflowId(customerId));
  if (outcome === 'verify') await handle.signal(customerVerified, { object: 'customer', id: customerId, status: 'verified' });
  else await handle.signal(customerRejected, { object: 'customer', id: customerId, status: 'rejected', rejection_reason: reason });
}

describe('KycClient', () => {
  it('starts once per customer, reports the status, and returns the decision', async () => {
    const reference = `client-${unique()}`;
    const { customerId, started } = await startCustomer(reference);
    expect(started).toMatchObject({ workflowId: `kyc-${customerId}`, alreadyStarted: false });

    await stageOf(customerId, 'pending_review');
    const status = await kyc.status(customerId);
    expect(status).toMatchObject({ customerId, customerReference: reference, stage: 'pending_review' });
    expect(status.files.every((f) => f.uploaded)).toBe(true);

    const again = await kyc.start({ customerId, customerReference: reference, documents: h.documents });
    expect(again).toEqual({ workflowId: started.workflowId, runId: started.runId, alreadyStarted: true });
    expect((await kyc.describe(customerId)).runId).toBe(started.runId);
    const listed = await pollUntil('the run in visibility', async () => {
      const runs = await kyc.list({ customerReference: reference });
      return runs.length > 0 && runs;
    });
    expect(listed.map((r) => r.runId)).toEqual([started.runId]);

    await decide(customerId, 'verify');
    expect(await kyc.result(customerId)).toMatchObject({ status: 'verified', customerId, customerReference: reference });
    // After the decision a start still never makes a second run.
    expect(await kyc.start({ customerId, customerReference: reference, documents: h.documents })).toEqual({
      workflowId: started.workflowId,
      runId: started.runId,
      alreadyStarted: true,
    });
    expect((await h.rail.inspect(customerId)).submit_count).toBe(1);
  });

  it('refuses invalid input with every problem, and starts nothing', async () => {
    const customerId = `ckcust_invalid_${unique()}`;
    const error = await kyc
      .start({
        customerId,
        customerReference: '',
        country: 'gb',
        documents: [{ ...h.documents[1]!, category: 'id_document_back' }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidKycInputError);
    const problems = (error as InvalidKycInputError).problems;
    expect(problems.join('\n')).toMatch(/customerReference/);
    expect(problems.join('\n')).toMatch(/country/);
    expect(problems.join('\n')).toMatch(/id_document document is required/);
    await expect(kyc.describe(customerId)).rejects.toBeInstanceOf(KycRunNotFoundError);
    await expect(kyc.status(customerId)).rejects.toThrow(/no KYC run for customer/);
  });

  it('retries a rejected customer as REF-r2, then REF-r3, linking the runs; refuses other retries', async () => {
    const reference = `client-retry-${unique()}`;
    const first = await startCustomer(reference);
    await stageOf(first.customerId, 'pending_review');

    const r2Customer = await h.rail.createCustomer(`${reference}-r2`);
    await expect(kyc.retry(first.customerId, { customerId: r2Customer, documents: h.documents })).rejects.toThrow(
      /is still pending_review: only a rejected customer can be retried/,
    );
    await expect(kyc.retry('ckcust_nobody', { customerId: r2Customer, documents: h.documents })).rejects.toBeInstanceOf(
      KycRunNotFoundError,
    );

    await decide(first.customerId, 'reject', 'ID document unreadable');
    expect(await kyc.result(first.customerId)).toMatchObject({ status: 'rejected', retryCustomerReference: `${reference}-r2` });
    await expect(kyc.retry(first.customerId, { customerId: first.customerId, documents: h.documents })).rejects.toBeInstanceOf(
      KycRetryRefusedError,
    );

    const second = await kyc.retry(first.customerId, { customerId: r2Customer, documents: h.documents });
    expect(second).toMatchObject({ workflowId: `kyc-${r2Customer}`, customerReference: `${reference}-r2`, alreadyStarted: false });
    expect((await kyc.describe(r2Customer)).memo).toEqual({ retryOf: `kyc-${first.customerId}`, attempt: 2 });
    expect((await kyc.describe(first.customerId)).status.name).toBe('COMPLETED');
    await stageOf(r2Customer, 'pending_review');
    expect((await kyc.status(r2Customer)).customerReference).toBe(`${reference}-r2`);
    await decide(r2Customer, 'reject', 'ID document expired');

    const r3Customer = await h.rail.createCustomer(`${reference}-r3`);
    const third = await kyc.retry(r2Customer, { customerId: r3Customer, documents: h.documents });
    expect(third.customerReference).toBe(`${reference}-r3`);
    expect((await kyc.describe(r3Customer)).memo).toEqual({ retryOf: `kyc-${r2Customer}`, attempt: 3 });
    await stageOf(r3Customer, 'pending_review');
    await decide(r3Customer, 'verify');
    expect(await kyc.result(r3Customer)).toMatchObject({ status: 'verified', customerReference: `${reference}-r3` });
    expect((await h.rail.inspect(r3Customer)).customer_reference).toBe(`${reference}-r3`);

    const r4Customer = await h.rail.createCustomer(`${reference}-r4`);
    await expect(kyc.retry(r3Customer, { customerId: r4Customer, documents: h.documents })).rejects.toThrow(
      /was verified: there is nothing to retry/,
    );
    await expect(kyc.describe(r4Customer)).rejects.toBeInstanceOf(KycRunNotFoundError);
  });

  it('lists runs by stage, with a query built only from validated, quoted values', async () => {
    const pending = await startCustomer(`client-list-p-${unique()}`);
    const verified = await startCustomer(`client-list-v-${unique()}`);
    await Promise.all([stageOf(pending.customerId, 'pending_review'), stageOf(verified.customerId, 'pending_review')]);
    await decide(verified.customerId, 'verify');
    await kyc.result(verified.customerId);

    await pollUntil('visibility to show one pending and one verified run', async () => {
      const ids = (await kyc.list({ status: 'pending_review', limit: 1000 })).map((r) => r.customerId);
      return ids.includes(pending.customerId) && !ids.includes(verified.customerId);
    });
    const [done] = await pollUntil('the verified run by its stage', async () => {
      const runs = await kyc.list({ status: 'verified', customerReference: verified.reference });
      return runs.length > 0 && runs;
    });
    expect(done).toMatchObject({ customerId: verified.customerId, status: 'verified', executionStatus: 'COMPLETED' });
    expect(done?.closeTime).toBeInstanceOf(Date);

    await expect(kyc.list({ status: 'x" OR 1=1' as KycStage })).rejects.toBeInstanceOf(InvalidListFilterError);
    // Quotes in a reference are a value to match, not query syntax.
    expect(await kyc.list({ customerReference: `x' OR WorkflowType = 'kycWorkflow` })).toEqual([]);
    expect(await kyc.list({ customerReference: 'back\\slash"quote' })).toEqual([]);
    await expect(kyc.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidListFilterError);
  });
});
