// kycWorkflow's branches one at a time, on the time-skipping server with stub activities (test/support/
// stub-worker.ts): hand-sent and malformed signals, our backend down or refusing, expired upload URLs, polls
// refused (for good, or once and then recovering), a bad timing input, a rejection whose reason comes late, a 0.1
// run continuing onto this code, and `kyc resume`. Continue-as-new: workflow-branches-continue-as-new.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { KycDocument } from '../workflows/documents';
import { PartnerRequestRefused, UploadUrlExpired } from '../workflows/failures';
import {
  customerDecision,
  customerRejected,
  customerVerified,
  statusQuery,
  type KycStatusReply,
} from '../workflows/messages';
import { KycEscalated, KycStatus as KycStatusAttribute } from '../workflows/search-attributes';
import { rejectedData, verifiedData } from './support/decisions';
import { createStubWorker, stubInput } from './support/stub-worker';
import { createTimeSkippingEnv } from './support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

let next = 0;
const newCustomerId = () => `ckcust_branch${Date.now().toString(36)}${++next}`;

/** Polls the status query in real time (the time-skipping server does not move while we only query). */
async function until(
  handle: { query: (q: typeof statusQuery) => Promise<KycStatusReply> },
  ok: (s: KycStatusReply) => boolean,
  what: string,
) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (ok(status)) return status;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; status: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Every workflow task that failed (a wedged run fails them over and over). A completion the server refuses because
 * a message arrived meanwhile (UNHANDLED_COMMAND) is the server's own retry, not a failure of the workflow code.
 */
async function workflowTaskFailures(handle: {
  fetchHistory(): Promise<{
    events?: Array<{
      workflowTaskFailedEventAttributes?: {
        cause?: number | null;
        failure?: { message?: string | null } | null;
      } | null;
    }> | null;
  }>;
}) {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const failed = e.workflowTaskFailedEventAttributes;
    if (
      !failed ||
      failed.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND
    )
      return [];
    return [`cause ${failed.cause}: ${failed.failure?.message ?? ''}`];
  });
}

describe('messages sent by hand', () => {
  it('a signal with no payload, or a malformed one, is refused and recorded; the webhook after it still closes the run', async () => {
    const w = await createStubWorker(env);
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId));
      await until(handle, (s) => s.stage === 'pending_review', 'pending_review');
      const raw = env.client.workflow.getHandle(handle.workflowId);
      await raw.signal('customerVerified'); // `temporal workflow signal --name customerVerified`, no --input
      await raw.signal('customerVerified', null);
      await raw.signal('customerRejected', 'rejected');
      await raw.signal('customerVerified', { ...verifiedData(customerId, 'ref'), status: 'rejected' });
      await raw.signal('customerVerified', verifiedData('ckcust_someoneelse', 'ref'));
      await raw.signal('customerVerified', { ...verifiedData(customerId, 'ref'), verified_at: 'yesterday' });

      const refused = await until(handle, (s) => s.refusedSignals.length === 6, 'six refusals');
      expect(refused.outcome).toBeUndefined();
      expect(refused.refusedSignals.map((r) => r.signal)).toEqual([
        'customerVerified',
        'customerVerified',
        'customerRejected',
        'customerVerified',
        'customerVerified',
        'customerVerified',
      ]);
      expect(refused.refusedSignals[0]!.problem).toMatch(/no payload/);
      expect(refused.refusedSignals[3]!.problem).toMatch(/status: must be "verified"/);
      expect(refused.refusedSignals[4]!.problem).toMatch(/not this run's customer/);
      expect(refused.refusedSignals[5]!.problem).toMatch(/verified_at: must be an ISO 8601 timestamp/);

      await handle.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      expect(await handle.result()).toMatchObject({ status: 'verified', customerId });
      expect(await workflowTaskFailures(handle)).toEqual([]);
    });
  });

  it('the customerDecision update refuses a bad payload to its caller and acknowledges a good one', async () => {
    const w = await createStubWorker(env);
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId));
      await until(handle, (s) => s.stage === 'pending_review', 'pending_review');
      const refused = await handle
        .executeUpdate(customerDecision, { args: [{ event: 'customer_verified', data: { id: customerId } as never }] })
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(/object: must be "customer"/);

      const event = {
        event: 'customer_rejected' as const,
        data: rejectedData(customerId, `ref-${customerId}`, 'ID document expired'),
      };
      expect(await handle.executeUpdate(customerDecision, { args: [event] })).toEqual({ accepted: 'decided' });
      expect(await handle.executeUpdate(customerDecision, { args: [event] })).toEqual({
        accepted: 'duplicate',
        decidedAs: 'rejected',
      });
      expect(await handle.result()).toMatchObject({ status: 'rejected', rejectionReason: 'ID document expired' });
      expect(await workflowTaskFailures(handle)).toEqual([]);
    });
  });
});

describe('our backend', () => {
  it('down: the run reaches pending_review and its verdict anyway, and every event arrives in order once it is back', async () => {
    let backendUp = false;
    const w = await createStubWorker(env, { backend: () => (backendUp ? 'delivered' : 'unavailable') });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId));
      const waiting = await until(
        handle,
        (s) => s.stage === 'pending_review',
        'pending_review while the backend is down',
      );
      expect(waiting.events.pending).toEqual(['kyc.submitted']);
      expect((await handle.describe()).typedSearchAttributes.get(KycStatusAttribute)).toBe('pending_review');

      await handle.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      const decided = await until(handle, (s) => s.stage === 'verified', 'the verdict while the backend is down');
      expect(decided.events.pending).toEqual(['kyc.submitted', 'kyc.verified']);
      expect((await handle.describe()).status.name).toBe('RUNNING');

      backendUp = true;
      expect(await handle.result()).toMatchObject({ status: 'verified' });
      const delivered = w.calls.events.filter((e) => e.answer === 'delivered');
      expect(delivered.map((e) => e.type)).toEqual(['kyc.submitted', 'kyc.verified']);
      expect(delivered.map((e) => e.idempotencyKey)).toEqual([
        `kyc-${customerId}:kyc.submitted`,
        `kyc-${customerId}:kyc.verified`,
      ]);
      expect(w.calls.events.filter((e) => e.answer === 'unavailable').length).toBeGreaterThan(0);
    });
  });

  it('refusing an event: it is recorded in the status, the rest still go out, the run still ends', async () => {
    const w = await createStubWorker(env, { backend: (type) => (type === 'kyc.submitted' ? 'refused' : 'delivered') });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId));
      const status = await until(handle, (s) => s.events.refused.length === 1, 'the refusal');
      expect(status.events.refused[0]).toMatchObject({ type: 'kyc.submitted', error: expect.stringContaining('422') });
      await handle.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      await handle.result();
      expect(w.calls.events.map((e) => [e.type, e.answer])).toEqual([
        ['kyc.submitted', 'refused'],
        ['kyc.verified', 'delivered'],
      ]);
      const final = await handle.query(statusQuery);
      expect(final.events).toMatchObject({ pending: [], delivered: ['kyc.verified'] });
      expect(final.events.refused).toHaveLength(1);
    });
  });
});

describe('expired upload URLs', () => {
  /** An uploadDocument whose URL has expired for the first `expiries` calls of a category, each call a fresh intent. */
  function expiringUploads(expiries: Partial<Record<KycDocument['category'], number>>) {
    const intents: Array<{ category: string; fileId: string; answer: 'expired' | 'uploaded' }> = [];
    const uploadDocument = async ({ document }: { document: KycDocument }) => {
      const n = intents.filter((i) => i.category === document.category).length + 1;
      const fileId = `file_${document.category}_${n}`;
      if (n <= (expiries[document.category] ?? 0)) {
        intents.push({ category: document.category, fileId, answer: 'expired' });
        throw ApplicationFailure.create({
          type: UploadUrlExpired,
          nonRetryable: true,
          message: `PUT https://uploads.example/${fileId} answered 403 for ${fileId}; request a fresh upload intent`,
        });
      }
      intents.push({ category: document.category, fileId, answer: 'uploaded' });
      return { fileId, bytes: 3, sha256: 'abc' };
    };
    return { intents, uploadDocument };
  }

  const twoDocuments = (customerId: string) => ({
    ...stubInput(customerId),
    documents: [
      {
        category: 'id_document' as const,
        filename: 'passport.jpg',
        contentType: 'image/jpeg' as const,
        source: '/nowhere/passport.jpg',
      },
      {
        category: 'proof_of_address' as const,
        filename: 'bill.pdf',
        contentType: 'application/pdf' as const,
        source: '/nowhere/bill.pdf',
      },
    ],
  });

  it('an expired URL is answered with a fresh intent, counted per file, and the run goes on to the review', async () => {
    const uploads = expiringUploads({ id_document: 2 });
    const w = await createStubWorker(env, { uploadDocument: uploads.uploadDocument });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(twoDocuments(customerId));
      const status = await until(handle, (s) => s.stage === 'pending_review', 'pending_review after the refreshes');
      expect(uploads.intents.filter((i) => i.category === 'id_document')).toEqual([
        { category: 'id_document', fileId: 'file_id_document_1', answer: 'expired' },
        { category: 'id_document', fileId: 'file_id_document_2', answer: 'expired' },
        { category: 'id_document', fileId: 'file_id_document_3', answer: 'uploaded' },
      ]);
      expect(status.files).toEqual([
        expect.objectContaining({
          category: 'id_document',
          fileId: 'file_id_document_3',
          uploaded: true,
          urlRefreshes: 2,
        }),
        expect.objectContaining({
          category: 'proof_of_address',
          fileId: 'file_proof_of_address_1',
          uploaded: true,
          urlRefreshes: 0,
        }),
      ]);
      expect(w.calls.submits).toBe(1);
      await handle.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      expect(await handle.result()).toMatchObject({ status: 'verified', customerId });
    });
  });

  it('a URL still expiring after maxUrlRefreshes fresh intents fails the run with the upload failure, unsubmitted', async () => {
    const uploads = expiringUploads({ id_document: 100 });
    const w = await createStubWorker(env, { uploadDocument: uploads.uploadDocument, settings: { maxUrlRefreshes: 2 } });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId));
      const failure = await handle.result().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ActivityFailure);
      const root = cause?.cause as ApplicationFailure;
      expect(root).toBeInstanceOf(ApplicationFailure);
      expect(root.type).toBe(UploadUrlExpired);
      expect(root.message).toMatch(/file_id_document_3 answered 403.*fresh upload intent/);
      // The first intent and two refreshes, then no more.
      expect(uploads.intents.map((i) => i.fileId)).toEqual([
        'file_id_document_1',
        'file_id_document_2',
        'file_id_document_3',
      ]);
      expect(w.calls.submits).toBe(0);
      expect((await handle.describe()).status.name).toBe('FAILED');
    });
  });
});

describe('the wait', () => {
  it('escalates on time while every poll is refused (a revoked key), and keeps polling later', async () => {
    const w = await createStubWorker(env, {
      pollCustomerDecision: async () => {
        throw ApplicationFailure.create({
          type: 'PartnerRequestRefused',
          message: 'Technest GET answered 401: Invalid API key',
          nonRetryable: true,
        });
      },
    });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(
        stubInput(customerId, { firstPollAfter: '50m', maxPollInterval: '2h', escalateAfter: '1h' }),
      );
      const pending = await until(handle, (s) => s.stage === 'pending_review', 'pending_review');
      await env.sleep('3h');
      const status = await handle.query(statusQuery);
      expect(status.lastPollError).toMatch(/401/);
      const late = Date.parse(status.escalatedAt!) - Date.parse(pending.pendingSince!) - 3600_000;
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(60_000);
      expect((await handle.describe()).typedSearchAttributes.get(KycEscalated)).toBe(true);
      await handle.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      await handle.result();
    });
  });

  it('a poll refused once is shown in the status; the next round polls again and its decision ends the run', async () => {
    const verifiedAt = '2026-11-03T09:30:00.000Z';
    const w = await createStubWorker(env, {
      poll: (attempt) => {
        if (attempt === 1) {
          throw ApplicationFailure.create({
            type: PartnerRequestRefused,
            message: 'Technest GET answered 401: Invalid API key',
            nonRetryable: true,
          });
        }
        if (attempt === 2) return 'pending';
        return { status: 'verified', verifiedAt, polls: 2 };
      },
    });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(
        stubInput(customerId, { firstPollAfter: '1m', maxPollInterval: '5m', escalateAfter: '48h' }),
      );
      await until(handle, (s) => s.stage === 'pending_review', 'pending_review');
      await env.sleep('2m');
      const refused = await until(handle, (s) => !!s.lastPollError, 'the refused poll in the status');
      expect(refused.lastPollError).toMatch(/401: Invalid API key/);
      expect(refused).toMatchObject({ stage: 'pending_review', polls: 0 });
      expect(refused.outcome).toBeUndefined();
      expect(w.calls.polls).toBe(1);

      // No webhook ever comes: the next round (pending, then decided) is what ends the run.
      expect(await handle.result()).toMatchObject({ status: 'verified', customerId, verifiedAt });
      const final = await handle.query(statusQuery);
      expect(final.outcome).toMatchObject({ status: 'verified', via: 'poll', decidedAt: verifiedAt });
      expect(final.polls).toBe(2);
      expect(w.calls.polls).toBe(3);
      expect(w.calls.events.map((e) => e.type)).toEqual(['kyc.submitted', 'kyc.verified']);
    });
  });

  it('a timing input of 1 ms polls no faster than the worker floor (1 min by default)', async () => {
    const w = await createStubWorker(env);
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(
        stubInput(customerId, { firstPollAfter: 1, maxPollInterval: 1, escalateAfter: '48h' }),
      );
      await until(handle, (s) => s.stage === 'pending_review', 'pending_review');
      await env.sleep('1h');
      expect(w.calls.polls).toBeGreaterThan(0);
      expect(w.calls.polls).toBeLessThanOrEqual(61);
      await handle.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      await handle.result();
    });
  });

  it('a poll that sees the rejection first does not lose the reason the webhook brings after it', async () => {
    const w = await createStubWorker(env, { poll: () => ({ status: 'rejected', polls: 1 }) });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId, { firstPollAfter: '1m' }));
      await until(handle, (s) => s.stage === 'pending_review', 'pending_review');
      await env.sleep('2m');
      await until(handle, (s) => s.outcome?.via === 'poll', 'the poll to decide');
      await handle.signal(customerRejected, rejectedData(customerId, `ref-${customerId}`, 'ID document expired'));
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'rejected', rejectionReason: 'ID document expired' });
      expect(result.userMessage).toMatch(/expired/);
    });
  });

  it('the retry reference follows the reference the partner holds for the customer', async () => {
    const w = await createStubWorker(env);
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId));
      await until(handle, (s) => s.stage === 'pending_review', 'pending_review');
      await handle.signal(customerRejected, rejectedData(customerId, 'shop-user-7-r2', 'blurry'));
      expect(await handle.result()).toMatchObject({
        customerReference: `ref-${customerId}`,
        retryCustomerReference: 'shop-user-7-r3',
      });
    });
  });
});

describe('runs that continue on this code', () => {
  it('a 0.1 run continuing as new hands over its waiting state, and the new code finishes it', async () => {
    const w = await createStubWorker(env);
    await w.run(async () => {
      const customerId = newCustomerId();
      const submittedAt = new Date(Date.now() - 3600_000).toISOString();
      const v1Waiting = {
        files: [
          {
            category: 'id_document',
            filename: 'passport.jpg',
            slot: 'id_file',
            fileId: 'file_1',
            uploaded: true,
            urlRefreshes: 0,
          },
        ],
        submittedAt,
        pendingSince: submittedAt,
        polls: 4,
        ignoredDecisions: [],
      };
      const handle = await w.start(stubInput(customerId), v1Waiting as never);
      const status = await until(handle, (s) => s.stage === 'pending_review', 'pending_review');
      expect(status).toMatchObject({
        polls: 4,
        pendingSince: submittedAt,
        files: [{ fileId: 'file_1', uploaded: true }],
      });
      await handle.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      expect(await handle.result()).toMatchObject({ status: 'verified' });
      expect(w.calls).toMatchObject({ uploads: 0, submits: 0 });
    });
  });

  it('resume: a customer the partner still reviews is waited on, with the escalation clock from its submission', async () => {
    const submittedAt = new Date(Date.now() - 25 * 3600_000).toISOString();
    const w = await createStubWorker(env, {
      readCustomer: async () => ({ status: 'pending', submitted: true, submittedAt }),
    });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId), { resume: 'from-partner' });
      const status = await until(handle, (s) => !!s.escalatedAt, 'the overdue escalation');
      expect(status).toMatchObject({ stage: 'pending_review', submittedAt, pendingSince: submittedAt });
      await handle.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      expect(await handle.result()).toMatchObject({ status: 'verified' });
      expect(w.calls).toMatchObject({ uploads: 0, submits: 0 });
    });
  });

  it('resume: a customer the partner already decided ends at once with that decision', async () => {
    const w = await createStubWorker(env, {
      readCustomer: async () => ({
        status: 'rejected',
        submitted: true,
        decision: 'rejected',
        submittedAt: '2026-11-01T10:00:00Z',
        rejectedAt: '2026-11-02T10:00:00Z',
        rejectionReason: 'ID document expired',
      }),
    });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId), { resume: 'from-partner' });
      expect(await handle.result()).toMatchObject({
        status: 'rejected',
        rejectedAt: '2026-11-02T10:00:00Z',
        rejectionReason: 'ID document expired',
      });
      expect(w.calls).toMatchObject({ uploads: 0, submits: 0 });
      expect(w.calls.events.map((e) => e.type)).toEqual(['kyc.submitted', 'kyc.rejected']);
    });
  });

  it('resume: a customer never submitted goes through the documents again, and is submitted once', async () => {
    const w = await createStubWorker(env, { readCustomer: async () => ({ status: 'created', submitted: false }) });
    await w.run(async () => {
      const customerId = newCustomerId();
      const handle = await w.start(stubInput(customerId), { resume: 'from-partner' });
      await until(handle, (s) => s.stage === 'pending_review', 'pending_review');
      await handle.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      await handle.result();
      expect(w.calls).toMatchObject({ uploads: 1, submits: 1 });
    });
  });
});
