// Attach and submit: a submit is safe to retry and never made twice, whatever the rail answers a repeat
// (409, 400, 422) and whatever surprises its accepting reply holds. Polling: activities-customer.test.ts;
// events to the backend: activities-events.test.ts.
import { describe, expect, it } from 'vitest';
import type { ContentType, DocumentCategory } from '../workflows/documents';
import { InvalidKycInput, PartnerRequestRefused, PartnerUnavailable } from '../workflows/failures';
import {
  activitiesFor,
  activitySandbox,
  activityEnv,
  failureOf,
  logText,
  run,
  startFakeServer,
  TEST_API_KEY,
} from './support/activities-env';
import { collectGarbageEvery } from './support/gc';

const partner = activitySandbox('submit');

async function upload(
  customerId: string,
  category: DocumentCategory,
  contentType: ContentType,
  source: string,
): Promise<string> {
  const intent = await run(partner.activities, 'requestUploadIntent', {
    customerId,
    category,
    filename: 'doc',
    contentType,
  });
  await run(partner.activities, 'putDocument', { source, intent });
  return intent.fileId;
}

/** A customer with its id document uploaded and attached, ready to submit. */
async function readyCustomer(reference: string): Promise<string> {
  const customerId = await partner.rail.createCustomer(reference);
  const idFile = await upload(customerId, 'id_document', 'image/jpeg', partner.samples.jpeg);
  await run(partner.activities, 'attachDocuments', { customerId, slots: { id_file: idFile } });
  return customerId;
}

describe('attachDocuments and submitKyc', () => {
  it('attaches the slots, then submits once', async () => {
    const customerId = await partner.rail.createCustomer('submit-ok', 'US');
    const idFile = await upload(customerId, 'id_document', 'image/jpeg', partner.samples.jpeg);
    const addressFile = await upload(customerId, 'proof_of_address', 'application/pdf', partner.samples.pdf);
    await run(partner.activities, 'attachDocuments', {
      customerId,
      slots: { id_file: idFile, proof_of_address_file: addressFile },
    });
    expect((await partner.rail.inspect(customerId)).attached).toEqual({
      id_file: idFile,
      proof_of_address_file: addressFile,
    });

    const submitted = await run(partner.activities, 'submitKyc', { customerId });
    expect(submitted.alreadySubmitted).toBe(false);
    expect(Date.parse(submitted.submittedAt ?? '')).not.toBeNaN();
    expect(submitted.customerReference).toBe('submit-ok');
    const inspected = await partner.rail.inspect(customerId);
    expect(inspected.status).toBe('pending');
    expect(inspected.submit_count).toBe(1);
  });

  it('refuses to attach without id_file, before calling the partner', async () => {
    const customerId = await partner.rail.createCustomer('attach-no-id');
    const failure = await failureOf(
      run(partner.activities, 'attachDocuments', { customerId, slots: { proof_of_address_file: 'file_x' } }),
    );
    expect(failure.type).toBe(InvalidKycInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('id_file');
    expect((await partner.rail.inspect(customerId)).attach_count).toBe(0);
  });

  it('an attach the partner refuses is PartnerRequestRefused with its message', async () => {
    const customerId = await partner.rail.createCustomer('attach-unknown-file');
    const failure = await failureOf(
      run(partner.activities, 'attachDocuments', { customerId, slots: { id_file: 'file_never_uploaded' } }),
    );
    expect(failure.type).toBe(PartnerRequestRefused);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/answered 4\d\d: .+/);
  });

  it('a submit whose answer was lost: the next attempt reads the customer and never posts again', async () => {
    const customerId = await readyCustomer('submit-lost-answer');
    await partner.rail.faults(customerId, { commitThenFail: 1 });
    const lost = await failureOf(run(partner.activities, 'submitKyc', { customerId }, activityEnv({ attempt: 1 })));
    expect(lost.type).toBe(PartnerUnavailable);
    expect(lost.nonRetryable).toBe(false);

    const retried = await run(partner.activities, 'submitKyc', { customerId }, activityEnv({ attempt: 2 }));
    expect(retried.alreadySubmitted).toBe(true);
    const inspected = await partner.rail.inspect(customerId);
    expect(inspected.submit_count).toBe(1);
    // The retry asked, it did not post: the partner.rail saw no second submit at all, not even a refused one.
    expect(inspected.submit_refusals).toBe(0);
    expect(retried.submittedAt).toBe(inspected.kyc_submitted_at);
    expect(retried.customerReference).toBe('submit-lost-answer');
  });

  it('a later attempt on a customer that was never submitted does submit, once', async () => {
    const customerId = await readyCustomer('submit-retry-fresh');
    const submitted = await run(partner.activities, 'submitKyc', { customerId }, activityEnv({ attempt: 3 }));
    expect(submitted.alreadySubmitted).toBe(false);
    expect((await partner.rail.inspect(customerId)).submit_count).toBe(1);
  });

  it.each([400, 409, 422] as const)('a repeat refused with %i counts as already submitted', async (status) => {
    const customerId = await readyCustomer(`submit-repeat-${status}`);
    await run(partner.activities, 'submitKyc', { customerId });
    await partner.rail.faults(customerId, { repeatSubmitStatus: status });
    // Attempt 1 again, as when the worker lost the first answer before recording the attempt.
    const repeated = await run(partner.activities, 'submitKyc', { customerId }, activityEnv({ attempt: 1 }));
    expect(repeated.alreadySubmitted).toBe(true);
    const inspected = await partner.rail.inspect(customerId);
    expect(inspected.submit_count).toBe(1);
    expect(repeated.submittedAt).toBe(inspected.kyc_submitted_at);
  });

  it('a submit refused for another reason is not mistaken for success', async () => {
    const customerId = await partner.rail.createCustomer('submit-nothing-attached');
    const failure = await failureOf(run(partner.activities, 'submitKyc', { customerId }));
    expect(failure.type).toBe(PartnerRequestRefused);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('id_file');
  });

  it('an accepting reply without kyc_submitted_at is tolerated and logged, not a failure', async () => {
    const customerId = await readyCustomer('submit-no-timestamp');
    await partner.rail.faults(customerId, { omitSubmittedAt: 1 });
    const activity = activityEnv();
    const submitted = await run(partner.activities, 'submitKyc', { customerId }, activity);
    expect(submitted).toEqual({ alreadySubmitted: false, customerReference: 'submit-no-timestamp' });
    expect((await partner.rail.inspect(customerId)).submit_count).toBe(1);
    expect(activity.logs.find((l) => l.level === 'WARN')?.meta).toMatchObject({ oddities: ['no kyc_submitted_at'] });
  });

  it('an accepting reply with an unknown status and extra fields is tolerated and logged', async () => {
    const customerId = await readyCustomer('submit-odd-reply');
    await partner.rail.faults(customerId, { statusOverride: 'in_review', extraReplyFields: true });
    const activity = activityEnv();
    const submitted = await run(partner.activities, 'submitKyc', { customerId }, activity);
    expect(submitted.alreadySubmitted).toBe(false);
    expect(submitted.submittedAt).toBe((await partner.rail.inspect(customerId)).kyc_submitted_at);
    const warning = logText(activity)
      .split('\n')
      .find((line) => line.startsWith('WARN'));
    expect(warning).toContain('status \\"in_review\\"');
    expect(warning).toContain('livemode, risk, metadata');
  });

  it('an accepting reply that is not JSON is retried, and the retry finds the submission', async () => {
    const customerId = await readyCustomer('submit-garbled');
    await partner.rail.faults(customerId, { garbleReplies: 1 });
    const garbled = await failureOf(run(partner.activities, 'submitKyc', { customerId }, activityEnv({ attempt: 1 })));
    expect(garbled.nonRetryable).toBe(false);
    // Not a type any activity retry policy treats as final.
    expect(garbled.type).toBe(PartnerUnavailable);
    expect(garbled.message).toContain('not JSON');

    const retried = await run(partner.activities, 'submitKyc', { customerId }, activityEnv({ attempt: 2 }));
    expect(retried.alreadySubmitted).toBe(true);
    expect((await partner.rail.inspect(customerId)).submit_count).toBe(1);
  });

  it('a partner answering slowly: each call gives up within the request timeout, so an attempt ends on its own', async () => {
    const slow = await startFakeServer(() => undefined); // never answers
    // A busy worker collects garbage while it waits; the limit must survive that (common/abort-after.ts).
    const stopCollecting = collectGarbageEvery(10);
    try {
      const started = Date.now();
      const failure = await failureOf(
        run(
          activitiesFor(slow.url, { requestTimeoutMs: 150 }),
          'submitKyc',
          { customerId: 'ckcust_slow' },
          activityEnv({ attempt: 2 }),
        ),
      );
      expect(failure.type).toBe(PartnerUnavailable);
      expect(failure.nonRetryable).toBe(false);
      expect(failure.message).toContain('timed out after 150 ms');
      // Attempt 2 read first and gave up there: it never posted a submit it could not see answered.
      expect(slow.requests.map((r) => r.method)).toEqual(['GET']);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      stopCollecting();
      await slow.close();
    }
  });
});

describe('the API key', () => {
  it('never appears in a failure message or a log line', async () => {
    const activity = activityEnv();
    const messages: string[] = [];
    const collect = async (p: Promise<unknown>) => messages.push((await failureOf(p)).message);
    const withEnv = <K extends keyof typeof partner.activities>(
      name: K,
      arg: Parameters<(typeof partner.activities)[K]>[0],
    ) => run(partner.activities, name, arg, activity);
    await collect(
      withEnv('requestUploadIntent', {
        customerId: 'ckcust_missing',
        category: 'id_document',
        filename: 'a',
        contentType: 'image/jpeg',
      }),
    );
    await collect(withEnv('attachDocuments', { customerId: 'ckcust_missing', slots: { id_file: 'file_1' } }));
    await collect(withEnv('submitKyc', { customerId: 'ckcust_missing' }));
    await collect(withEnv('pollCustomerDecision', { customerId: 'ckcust_missing' }));
    const customerId = await readyCustomer('key-never-shown');
    await run(partner.activities, 'submitKyc', { customerId }, activity);
    await collect(withEnv('pollCustomerDecision', { customerId }));
    expect(messages).toHaveLength(5);
    for (const message of [...messages, logText(activity)]) expect(message).not.toContain(TEST_API_KEY);
  });
});
