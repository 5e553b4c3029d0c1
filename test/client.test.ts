// KycClient against the real dev server, a real KYC worker and the partner sandbox: what a backend relies on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeConnection } from '@temporalio/worker';
import {
  InvalidCustomerIdError,
  InvalidKycInputError,
  InvalidListFilterError,
  KycClient,
  KycResumeRefusedError,
  KycRetryRefusedError,
  KycRunNotFoundError,
  type ListableStage,
} from '../client/kyc-client';
import { kycStartOptions } from '../client/start-options';
import { kycWorkflow } from '../workflows';
import { CustomerReference as CustomerReferenceKey } from '../workflows/search-attributes';
import {
  customerRejected,
  customerVerified,
  kycWorkflowId,
  searchableStages,
  type KycStage,
} from '../workflows/messages';
import { startKycHarness, type KycHarness } from './support/kyc-harness';
import { pollUntil } from './support/cli-run';
import { within } from './support/webhooks';
import { rejectedData, verifiedData } from './support/decisions';
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

/** The partner decides, and its webhook's `data` reaches the run (as the receiver would deliver it). */
async function decide(customerId: string, outcome: 'verify' | 'reject', reason?: string) {
  await h.rail.decide(customerId, outcome, reason);
  const { customer_reference } = await h.rail.inspect(customerId);
  const handle = kyc.client.workflow.getHandle(kycWorkflowId(customerId));
  if (outcome === 'verify') await handle.signal(customerVerified, verifiedData(customerId, customer_reference));
  else await handle.signal(customerRejected, rejectedData(customerId, customer_reference, reason));
}

/** Waits until visibility shows a run with this reference: retry's reference check reads visibility, which lags. */
const visibleReference = (customerReference: string) =>
  pollUntil(`${customerReference} in visibility`, async () => (await kyc.list({ customerReference })).length > 0);

/** A customer whose first run was rejected by the partner. */
async function rejectedCustomer(reference: string) {
  const first = await startCustomer(reference);
  await stageOf(first.customerId, 'pending_review');
  await decide(first.customerId, 'reject', 'ID document unreadable');
  await kyc.result(first.customerId);
  return first.customerId;
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
    expect(await kyc.result(customerId)).toMatchObject({
      status: 'verified',
      customerId,
      customerReference: reference,
    });
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
    expect(await kyc.result(first.customerId)).toMatchObject({
      status: 'rejected',
      retryCustomerReference: `${reference}-r2`,
    });
    await expect(
      kyc.retry(first.customerId, { customerId: first.customerId, documents: h.documents }),
    ).rejects.toBeInstanceOf(KycRetryRefusedError);

    const second = await kyc.retry(first.customerId, { customerId: r2Customer, documents: h.documents });
    expect(second).toMatchObject({
      workflowId: `kyc-${r2Customer}`,
      customerReference: `${reference}-r2`,
      alreadyStarted: false,
    });
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

    await expect(kyc.list({ status: 'x" OR 1=1' as ListableStage })).rejects.toBeInstanceOf(InvalidListFilterError);
    // Stages never written to KycStatus are refused, naming the ones that can match (messages.ts decides which).
    const attaching = await kyc.list({ status: 'attaching' as ListableStage }).catch((e: unknown) => e);
    expect(attaching).toBeInstanceOf(InvalidListFilterError);
    expect((attaching as Error).message).toContain(
      `status must be one of ${searchableStages.join(', ')} (got "attaching")`,
    );
    // Quotes in a reference are a value to match, not query syntax.
    expect(await kyc.list({ customerReference: `x' OR WorkflowType = 'kycWorkflow` })).toEqual([]);
    expect(await kyc.list({ customerReference: 'back\\slash"quote' })).toEqual([]);
    await expect(kyc.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidListFilterError);
  });

  it('refuses a customer id outside the one grammar, before asking Temporal', async () => {
    for (const bad of ['ckcust_a/b', 'kyc-ckcust_1', 'ckcust_', `ckcust_${'x'.repeat(65)}`]) {
      await expect(kyc.status(bad)).rejects.toBeInstanceOf(InvalidCustomerIdError);
      await expect(kyc.resume(bad)).rejects.toBeInstanceOf(InvalidCustomerIdError);
    }
    // A hyphen is part of the grammar: this one is merely unknown.
    await expect(kyc.status('ckcust_a-b')).rejects.toBeInstanceOf(KycRunNotFoundError);
  });

  it('retry called twice for one rejection hands out REF-r2, then REF-r3', async () => {
    const reference = `client-twice-${unique()}`;
    const rejected = await rejectedCustomer(reference);
    const b = await h.rail.createCustomer(`${reference}-r2`);
    const c = await h.rail.createCustomer(`${reference}-r3`);

    const first = await kyc.retry(rejected, { customerId: b, documents: h.documents });
    expect(first.customerReference).toBe(`${reference}-r2`);
    await visibleReference(`${reference}-r2`);
    const second = await kyc.retry(rejected, { customerId: c, documents: h.documents });
    expect(second).toMatchObject({
      workflowId: `kyc-${c}`,
      customerReference: `${reference}-r3`,
      alreadyStarted: false,
    });
    expect((await kyc.describe(c)).memo).toEqual({ retryOf: `kyc-${rejected}`, attempt: 2 });

    // The same retry asked again (same new customer): that run, as it is, never a new reference.
    expect(await kyc.retry(rejected, { customerId: c, documents: h.documents })).toEqual({
      ...second,
      alreadyStarted: true,
    });
    await expect(kyc.retry(rejected, { customerId: b, documents: h.documents })).resolves.toMatchObject({
      alreadyStarted: true,
      customerReference: `${reference}-r2`,
    });
    // A customer whose run is not a retry of this one is refused, not hijacked.
    const unrelated = await startCustomer(`client-unrelated-${unique()}`);
    await expect(kyc.retry(rejected, { customerId: unrelated.customerId, documents: h.documents })).rejects.toThrow(
      /already exists and is not a retry of/,
    );
  });

  it('a retry of a rejected REF-r2 run, or of its rejected parent again, never reuses REF-r2 or REF-r3', async () => {
    const reference = `client-chain-${unique()}`;
    const a = await rejectedCustomer(reference);
    const b = await h.rail.createCustomer(`${reference}-r2`);
    expect((await kyc.retry(a, { customerId: b, documents: h.documents })).customerReference).toBe(`${reference}-r2`);
    await stageOf(b, 'pending_review');
    await decide(b, 'reject', 'ID document expired');
    expect(await kyc.result(b)).toMatchObject({ status: 'rejected', retryCustomerReference: `${reference}-r3` });
    await visibleReference(`${reference}-r2`);

    // The rejected parent retried again: REF-r2 belongs to b (rejected: the partner refuses it forever).
    const c = await h.rail.createCustomer(`${reference}-r3`);
    const fromParent = await kyc.retry(a, { customerId: c, documents: h.documents });
    expect(fromParent.customerReference).toBe(`${reference}-r3`);
    await visibleReference(`${reference}-r3`);
    // b's own retry reference (REF-r3) is taken by now too.
    const d = await h.rail.createCustomer(`${reference}-r4`);
    const fromR2 = await kyc.retry(b, { customerId: d, documents: h.documents });
    expect(fromR2.customerReference).toBe(`${reference}-r4`);
    expect((await kyc.describe(d)).memo).toEqual({ retryOf: `kyc-${b}`, attempt: 3 });
  });

  it('resume: an unknown customer, an open run, a completed run, a run whose input could never run', async () => {
    await expect(kyc.resume(`ckcust_nobody${unique()}`)).rejects.toBeInstanceOf(KycRunNotFoundError);

    const open = await startCustomer(`client-resume-open-${unique()}`);
    await stageOf(open.customerId, 'pending_review');
    expect(await kyc.resume(open.customerId)).toEqual({
      action: 'running',
      workflowId: `kyc-${open.customerId}`,
      runId: open.started.runId,
    });

    await decide(open.customerId, 'verify');
    await kyc.result(open.customerId);
    const refused = await kyc.resume(open.customerId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KycResumeRefusedError);
    expect((refused as Error).message).toMatch(/already decided: verified/);

    // A run started (bypassing the client's check) with input that fails validation: resuming would fail again.
    const customerId = await h.rail.createCustomer(`client-resume-bad-${unique()}`);
    const bad = { customerId, customerReference: '', documents: h.documents };
    const handle = await kyc.client.workflow.start(kycWorkflow, kycStartOptions(bad, h.taskQueue));
    await expect(handle.result()).rejects.toThrow();
    await expect(kyc.resume(customerId)).rejects.toThrow(/started with invalid input .*customerReference/);
    expect((await kyc.describe(customerId)).runId).toBe(handle.firstExecutionRunId);
  });

  // These two need the workflow side of resume (reading the partner's customer, continuing at its step).
  it('resume of a run terminated while pending review: the new run waits, takes the verdict, one submit only', async () => {
    const reference = `client-resume-wait-${unique()}`;
    const { customerId, started } = await startCustomer(reference);
    await stageOf(customerId, 'pending_review');
    await kyc.client.workflow.getHandle(kycWorkflowId(customerId)).terminate('operator mistake');

    const resumed = await kyc.resume(customerId);
    expect(resumed).toMatchObject({
      action: 'resumed',
      workflowId: `kyc-${customerId}`,
      previousRunId: started.runId,
      previousStatus: 'TERMINATED',
    });
    expect(resumed.runId).not.toBe(started.runId);
    const run = await kyc.describe(customerId);
    expect(run.runId).toBe(resumed.runId);
    // The same search attributes as a normal start: the run is findable by its reference at once.
    expect(run.typedSearchAttributes.get(CustomerReferenceKey)).toBe(reference);
    // Resuming again while it runs starts nothing.
    expect(await kyc.resume(customerId)).toEqual({
      action: 'running',
      workflowId: `kyc-${customerId}`,
      runId: resumed.runId,
    });

    await stageOf(customerId, 'pending_review');
    await decide(customerId, 'verify');
    expect(await within(kyc.result(customerId), 20_000, 'the resumed run to end')).toMatchObject({
      status: 'verified',
      customerId,
      customerReference: reference,
    });
    expect((await h.rail.inspect(customerId)).submit_count).toBe(1);
  });

  it('resume of a terminated run the partner decided meanwhile: the new run ends at once with that decision', async () => {
    const reference = `client-resume-done-${unique()}`;
    const { customerId } = await startCustomer(reference);
    await stageOf(customerId, 'pending_review');
    await kyc.client.workflow.getHandle(kycWorkflowId(customerId)).terminate('operator mistake');
    // The verdict lands while no run is open: only the partner's record holds it.
    await h.rail.decide(customerId, 'reject', 'ID document expired');

    expect(await kyc.resume(customerId)).toMatchObject({ action: 'resumed', previousStatus: 'TERMINATED' });
    // No signal, and the default first poll is 15 minutes away: only reading the partner at resume can end it now.
    expect(await within(kyc.result(customerId), 20_000, 'the resumed run to end')).toMatchObject({
      status: 'rejected',
      customerReference: reference,
      rejectionReason: 'ID document expired',
      retryCustomerReference: `${reference}-r2`,
    });
    expect((await h.rail.inspect(customerId)).submit_count).toBe(1);
  });
});
