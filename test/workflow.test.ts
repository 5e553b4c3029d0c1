// kycWorkflow on the time-skipping server with the default timings (15 min first poll, 2 h max interval,
// 24 h escalation), against the partner sandbox over real HTTP with real files.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { kycStartOptions } from '../client/start-options';
import { kycWorkflow } from '../workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { customerRejected, customerVerified, statusQuery } from '../workflows/messages';
import { KycEscalated, KycStatus } from '../workflows/search-attributes';
import { countBillableActions } from '../scripts/billable-actions';
import { rejectedData, verifiedData } from './support/decisions';
import { startKyc, startKycHarness, waitForStage, type KycHarness } from './support/kyc-harness';
import { createTimeSkippingEnv } from './support/temporal';

let env: TestWorkflowEnvironment;
let h: KycHarness;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  h = await startKycHarness(env.nativeConnection);
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

/** Every byte array in a history (payloads and all), joined, to search for document content. */
function historyBytes(history: unknown): Buffer {
  const parts: Buffer[] = [];
  const walk = (value: unknown) => {
    if (value instanceof Uint8Array) parts.push(Buffer.from(value));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(history);
  return Buffer.concat(parts);
}

async function billableActions(workflowId: string, customerId: string) {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const partner = await h.rail.inspect(customerId);
  return countBillableActions(history, partner.status_reads);
}

describe('kycWorkflow, time-skipping', () => {
  it('webhook after 50 min: verified, one submit, every document uploaded intact, within 20 actions', async () => {
    const { customerId, handle } = await startKyc(env.client, h, 'tsk-webhook-50m');
    await waitForStage(handle, 'pending_review');
    // Between poll attempts (15 and 30 min, then 1 h): a webhook at the very moment of an attempt would race it,
    // and the time-skipping server never releases the time it holds for an attempt of a run that has closed.
    await env.sleep('50m');
    // The webhook reaches us first (the partner's record is still pending to every poll).
    await handle.signal(customerVerified, verifiedData(customerId, 'tsk-webhook-50m'));

    const result = await handle.result();
    expect(result).toMatchObject({ status: 'verified', customerId, customerReference: 'tsk-webhook-50m' });
    const status = await handle.query(statusQuery);
    expect(status.outcome?.via).toBe('webhook');

    const partner = await h.rail.inspect(customerId);
    // Polls backed off from 15 min: at 15 and 30 min; the next (1 h) never came.
    expect(partner.status_reads).toBe(2);
    expect(partner.submit_count).toBe(1);
    expect(partner.uploads.map((u) => [u.file_category, u.bytes, u.sha256]).sort()).toEqual(
      status.files.map((f) => [f.category, f.bytes, f.sha256]).sort(),
    );
    expect(Object.keys(partner.attached).sort()).toEqual(['id_file', 'id_file_back', 'proof_of_address_file']);
    expect(h.sink.for(customerId).map((e) => e.body.type)).toEqual(['kyc.submitted', 'kyc.verified']);
    expect(h.sink.for(customerId)[1]?.idempotencyKey).toBe(`kyc-${customerId}:kyc.verified`);

    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(KycStatus)).toBe('verified');
    // The documents' bytes never enter the history: only ids, sizes and hashes do.
    const recorded = historyBytes(await handle.fetchHistory());
    expect(recorded.includes(Buffer.from(customerId))).toBe(true); // the search does see payloads
    for (const doc of h.documents) {
      const content = readFileSync(doc.source);
      expect(recorded.includes(content.subarray(0, 48))).toBe(false);
      expect(recorded.includes(Buffer.from(content.toString('base64').slice(0, 64)))).toBe(false);
    }
    const actions = await billableActions(handle.workflowId, customerId);
    console.log('billable actions, webhook at 50 min:', actions);
    expect(actions.total).toBeLessThanOrEqual(20);
  });

  it('no webhook: verified by polling after the partner decides at 20 h, within 34 actions', async () => {
    const { customerId, handle } = await startKyc(env.client, h, 'tsk-poll-20h');
    await waitForStage(handle, 'pending_review');
    await env.sleep('20h');
    await h.rail.decide(customerId, 'verify');

    expect(await handle.result()).toMatchObject({ status: 'verified', customerId });
    const status = await handle.query(statusQuery);
    expect(status.outcome?.via).toBe('poll');
    expect(status.escalatedAt).toBeUndefined();
    // Backing off 15 min → 2 h: about a dozen polls in 20 h, not 80 at a flat 15 min.
    expect(status.polls).toBeGreaterThanOrEqual(12);
    expect(status.polls).toBeLessThanOrEqual(15);
    expect(status.polls).toBe((await h.rail.inspect(customerId)).status_reads);
    const actions = await billableActions(handle.workflowId, customerId);
    console.log('billable actions, verified by poll at 20 h:', actions);
    expect(actions.total).toBeLessThanOrEqual(34);
  });

  it('pending 30 h: escalated exactly once at 24 h, keeps waiting, then verified, within 42 actions', async () => {
    const { customerId, handle } = await startKyc(env.client, h, 'tsk-stalled-30h');
    const pending = await waitForStage(handle, 'pending_review');
    await env.sleep('30h');
    const stalled = await handle.query(statusQuery);
    expect(stalled.stage).toBe('pending_review');
    const escalatedAfter = Date.parse(stalled.escalatedAt!) - Date.parse(pending.pendingSince!);
    expect(escalatedAfter).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    expect(escalatedAfter).toBeLessThan(24 * 3600 * 1000 + 60_000);
    expect((await handle.describe()).typedSearchAttributes.get(KycEscalated)).toBe(true);

    await handle.signal(customerVerified, verifiedData(customerId, 'tsk-stalled-30h'));
    expect(await handle.result()).toMatchObject({ status: 'verified' });
    const events = h.sink.for(customerId).map((e) => e.body.type);
    expect(events).toEqual(['kyc.submitted', 'kyc.escalated', 'kyc.verified']);
    const actions = await billableActions(handle.workflowId, customerId);
    console.log('billable actions, pending 30 h then verified:', actions);
    expect(actions.total).toBeLessThanOrEqual(42);
  });

  it('rejected: friendly message without the raw code, retry reference -r2, event to the backend', async () => {
    const { customerId, handle } = await startKyc(env.client, h, 'tsk-reject');
    await waitForStage(handle, 'pending_review');
    await h.rail.decide(customerId, 'reject', 'DOC_EXPIRED: ID document expired');
    await handle.signal(
      customerRejected,
      rejectedData(customerId, 'tsk-reject', 'DOC_EXPIRED: ID document expired', '2026-05-05T18:23:11Z'),
    );
    const result = await handle.result();
    expect(result).toEqual({
      status: 'rejected',
      customerId,
      customerReference: 'tsk-reject',
      rejectedAt: '2026-05-05T18:23:11Z',
      rejectionReason: 'DOC_EXPIRED: ID document expired',
      userMessage: expect.stringMatching(/expired/),
      retryCustomerReference: 'tsk-reject-r2',
    });
    expect(result.userMessage).not.toContain('DOC_EXPIRED');
    const rejected = h.sink.for(customerId).find((e) => e.body.type === 'kyc.rejected');
    expect(rejected?.body).toMatchObject({ userMessage: result.userMessage, retryCustomerReference: 'tsk-reject-r2' });
    expect((await handle.describe()).typedSearchAttributes.get(KycStatus)).toBe('rejected');
  });

  it('expired upload URLs are refreshed with fresh intents and every document still arrives once', async () => {
    const { customerId, handle } = await startKyc(env.client, h, 'tsk-expired-urls', {}, (id) =>
      h.rail.faults(id, { expireUploads: 2 }),
    );
    await waitForStage(handle, 'pending_review');
    const status = await handle.query(statusQuery);
    expect(status.files.reduce((n, f) => n + f.urlRefreshes, 0)).toBe(2);
    const partner = await h.rail.inspect(customerId);
    expect(partner.intents).toHaveLength(5);
    expect(partner.intents.filter((i) => i.forced_expiry)).toHaveLength(2);
    expect(Object.values(partner.attached).sort()).toEqual(status.files.map((f) => f.fileId).sort());
    expect(partner.uploads.every((u) => u.puts === 1)).toBe(true);
    await handle.signal(customerVerified, verifiedData(customerId, 'tsk-expired-urls'));
    await handle.result();
  });

  it('a decision signalled while submit is still in flight is kept and ends the wait at once', async () => {
    // The partner answers slowly, so the signal lands while the submit call is still on its way.
    const { customerId, handle } = await startKyc(env.client, h, 'tsk-early-signal', {}, (id) =>
      h.rail.faults(id, { latencyMs: 400 }),
    );
    await waitForStage(handle, 'submitting');
    await handle.signal(customerVerified, verifiedData(customerId, 'tsk-early-signal'));
    expect(await handle.result()).toMatchObject({ status: 'verified' });
    const status = await handle.query(statusQuery);
    expect(status.polls).toBe(0);
    expect(status.submittedAt).toBeDefined();
    expect((await h.rail.inspect(customerId)).submit_count).toBe(1);
  });

  it('duplicate and conflicting decisions: the first wins, the rest are recorded and ignored', async () => {
    const { customerId, handle } = await startKyc(env.client, h, 'tsk-duplicates');
    await waitForStage(handle, 'pending_review');
    await handle.signal(customerVerified, verifiedData(customerId, 'tsk-duplicates'));
    await handle.signal(customerVerified, verifiedData(customerId, 'tsk-duplicates'));
    await handle.signal(customerRejected, rejectedData(customerId, 'tsk-duplicates', 'late'));
    expect(await handle.result()).toMatchObject({ status: 'verified' });
    const status = await handle.query(statusQuery);
    expect(status.outcome).toMatchObject({ status: 'verified', via: 'webhook' });
    expect(status.ignoredDecisions.map((d) => d.status).sort()).toEqual(['rejected', 'verified']);
    expect(h.sink.for(customerId).filter((e) => e.body.type === 'kyc.verified')).toHaveLength(1);
  });

  it('a submit whose answer was lost is retried without a second submission', async () => {
    const { customerId, handle } = await startKyc(env.client, h, 'tsk-lost-submit', {}, (id) =>
      h.rail.faults(id, { loseSubmitAnswer: 1 }),
    );
    await waitForStage(handle, 'pending_review');
    const partner = await h.rail.inspect(customerId);
    expect(partner.submit_count).toBe(1);
    expect(partner.faults_injected).toBe(1);
    expect(partner.status).toBe('pending');
    await handle.signal(customerVerified, verifiedData(customerId, 'tsk-lost-submit'));
    expect(await handle.result()).toMatchObject({ status: 'verified' });
  });

  it('invalid input fails with InvalidKycInput listing every problem, before any partner call', async () => {
    const customerId = await h.rail.createCustomer('tsk-invalid');
    const handle = await env.client.workflow.start(
      kycWorkflow,
      kycStartOptions(
        {
          customerId,
          customerReference: 'tsk-invalid',
          country: 'US',
          documents: [
            { ...h.documents[0]!, source: `${h.docsDir}/missing.jpg` },
            { ...h.documents[1]!, contentType: 'image/gif' as never },
          ],
          timing: { firstPollAfter: 'soon' },
        },
        h.taskQueue,
      ),
    );
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('InvalidKycInput');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toContain('documents.1.contentType');
    expect(cause.message).toContain('a proof_of_address document is required for country US');
    expect(cause.message).toContain('"soon" is not a positive duration');

    const unreadable = await env.client.workflow.start(
      kycWorkflow,
      kycStartOptions(
        {
          customerId,
          customerReference: 'tsk-invalid',
          documents: [{ ...h.documents[0]!, source: `${h.docsDir}/missing.jpg` }],
        },
        h.taskQueue,
      ),
    );
    const docFailure = (await unreadable.result().catch((err: unknown) => err)) as WorkflowFailedError;
    expect((docFailure.cause as ApplicationFailure).type).toBe('InvalidKycInput');
    expect(docFailure.cause?.message).toContain('missing.jpg');
    const partner = await h.rail.inspect(customerId);
    expect(partner.intents).toHaveLength(0);
    expect(partner.submit_count).toBe(0);
  });
});
