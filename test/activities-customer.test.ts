// Reading the partner's customer after the submit: pollCustomerDecision (step 5 by polling) and readCustomer
// (for `kyc resume`). After the partner accepted a submit only a decision may end a run, so every surprise in
// these replies — a status the guide never names, extra fields, a garbled body — keeps the run waiting.
import { describe, expect, it } from 'vitest';
import { CustomerStillPending, PartnerRequestRefused, PartnerUnavailable } from '../workflows/failures';
import {
  activitiesFor,
  activitySandbox,
  activityEnv,
  failureOf,
  json,
  logText,
  run,
  startFakeServer,
} from './support/activities-env';

const partner = activitySandbox('customer');

/** A customer whose KYC the partner has accepted and is reviewing. */
async function submittedCustomer(reference: string): Promise<string> {
  const customerId = await partner.rail.createCustomer(reference);
  const { fileId } = await run(partner.activities, 'uploadDocument', {
    customerId,
    document: {
      category: 'id_document',
      filename: 'passport.jpg',
      contentType: 'image/jpeg',
      source: partner.samples.jpeg,
    },
  });
  await run(partner.activities, 'attachDocuments', { customerId, slots: { id_file: fileId } });
  await run(partner.activities, 'submitKyc', { customerId });
  return customerId;
}

describe('pollCustomerDecision', () => {
  it('pending is a retryable CustomerStillPending; a decision comes back with the attempt as polls and the reference', async () => {
    const customerId = await submittedCustomer('poll-verify');
    const pending = await failureOf(
      run(partner.activities, 'pollCustomerDecision', { customerId }, activityEnv({ attempt: 1 })),
    );
    expect(pending.type).toBe(CustomerStillPending);
    expect(pending.nonRetryable).toBe(false);

    await partner.rail.decide(customerId, 'verify');
    const decision = await run(partner.activities, 'pollCustomerDecision', { customerId }, activityEnv({ attempt: 4 }));
    expect(decision).toEqual({
      status: 'verified',
      verifiedAt: expect.any(String),
      customerReference: 'poll-verify',
      polls: 4,
    });
  });

  it('a rejection carries the partner reason', async () => {
    const customerId = await submittedCustomer('poll-reject');
    await partner.rail.decide(customerId, 'reject', 'ID document unreadable');
    const decision = await run(partner.activities, 'pollCustomerDecision', { customerId }, activityEnv({ attempt: 2 }));
    expect(decision).toEqual({
      status: 'rejected',
      rejectedAt: expect.any(String),
      rejectionReason: 'ID document unreadable',
      customerReference: 'poll-reject',
      polls: 2,
    });
  });

  it('a status the guide never names is read as still pending, and logged by name', async () => {
    const customerId = await submittedCustomer('poll-in-review');
    await partner.rail.faults(customerId, { statusOverride: 'in_review' });
    const activity = activityEnv({ attempt: 3 });
    const failure = await failureOf(run(partner.activities, 'pollCustomerDecision', { customerId }, activity));
    expect(failure.type).toBe(CustomerStillPending);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('"in_review"');
    expect(activity.logs.find((l) => l.level === 'WARN')?.message).toContain(
      'customer status "in_review" is not one the guide names',
    );
  });

  it('a customer back at "created" after our submit keeps the run waiting, with a warning', async () => {
    const fake = await startFakeServer((_req, res) =>
      json(res, 200, { object: 'customer', id: 'ckcust_1', status: 'created' }),
    );
    try {
      const activity = activityEnv();
      const failure = await failureOf(
        run(activitiesFor(fake.url), 'pollCustomerDecision', { customerId: 'ckcust_1' }, activity),
      );
      expect(failure.type).toBe(CustomerStillPending);
      expect(failure.nonRetryable).toBe(false);
      expect(logText(activity)).toContain('customer status "created" is not one the guide names');
    } finally {
      await fake.close();
    }
  });

  it('extra fields in the reply are ignored: the decision still comes through', async () => {
    const customerId = await submittedCustomer('poll-extra-fields');
    await partner.rail.faults(customerId, { extraReplyFields: true });
    await partner.rail.decide(customerId, 'verify');
    const decision = await run(partner.activities, 'pollCustomerDecision', { customerId });
    expect(decision.status).toBe('verified');
  });

  it('an unreadable reply is retried (never final), and the next poll reads the decision', async () => {
    const customerId = await submittedCustomer('poll-garbled');
    await partner.rail.decide(customerId, 'reject', 'Proof of address too old');
    await partner.rail.faults(customerId, { garbleReplies: 1 });
    const garbled = await failureOf(
      run(partner.activities, 'pollCustomerDecision', { customerId }, activityEnv({ attempt: 1 })),
    );
    expect(garbled.nonRetryable).toBe(false);
    // PartnerUnavailable: a type neither the poller's nor any partner call's retry policy treats as final.
    expect(garbled.type).toBe(PartnerUnavailable);
    expect(garbled.message).toContain('not JSON');
    const decision = await run(partner.activities, 'pollCustomerDecision', { customerId }, activityEnv({ attempt: 2 }));
    expect(decision).toMatchObject({ status: 'rejected', rejectionReason: 'Proof of address too old' });
  });

  it.each([
    ['JSON null', 'null'],
    ['an object that is not a customer', '{"object":"list","data":[]}'],
  ])('a reply of %s is retried, never final', async (_name, body) => {
    const fake = await startFakeServer((_req, res) => json(res, 200, body));
    try {
      const failure = await failureOf(run(activitiesFor(fake.url), 'pollCustomerDecision', { customerId: 'ckcust_1' }));
      expect(failure.type).toBe(PartnerUnavailable);
      expect(failure.nonRetryable).toBe(false);
    } finally {
      await fake.close();
    }
  });

  it('a revoked key (401, 403) stays a non-retryable refusal', async () => {
    const customerId = await submittedCustomer('poll-revoked');
    const failure = await failureOf(
      run(activitiesFor(partner.sandbox.url, { partnerApiKey: 'sk_revoked' }), 'pollCustomerDecision', { customerId }),
    );
    expect(failure.type).toBe(PartnerRequestRefused);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('answered 401');
    const forbidding = await startFakeServer((_req, res) =>
      json(res, 403, { error: { type: 'forbidden', message: 'key disabled' } }),
    );
    try {
      const forbidden = await failureOf(
        run(activitiesFor(forbidding.url), 'pollCustomerDecision', { customerId: 'ckcust_1' }),
      );
      expect(forbidden.type).toBe(PartnerRequestRefused);
      expect(forbidden.nonRetryable).toBe(true);
    } finally {
      await forbidding.close();
    }
  });
});

describe('readCustomer', () => {
  it('reads a customer before and after its submit, and after its decision', async () => {
    const customerId = await partner.rail.createCustomer('read-lifecycle');
    expect(await run(partner.activities, 'readCustomer', { customerId })).toEqual({
      status: 'created',
      submitted: false,
      customerReference: 'read-lifecycle',
    });

    const { fileId } = await run(partner.activities, 'uploadDocument', {
      customerId,
      document: {
        category: 'id_document',
        filename: 'passport.jpg',
        contentType: 'image/jpeg',
        source: partner.samples.jpeg,
      },
    });
    await run(partner.activities, 'attachDocuments', { customerId, slots: { id_file: fileId } });
    await run(partner.activities, 'submitKyc', { customerId });
    const pending = await run(partner.activities, 'readCustomer', { customerId });
    expect(pending).toEqual({
      status: 'pending',
      submitted: true,
      customerReference: 'read-lifecycle',
      submittedAt: (await partner.rail.inspect(customerId)).kyc_submitted_at,
    });

    await partner.rail.decide(customerId, 'reject', 'Selfie does not match');
    expect(await run(partner.activities, 'readCustomer', { customerId })).toMatchObject({
      status: 'rejected',
      submitted: true,
      decision: 'rejected',
      rejectedAt: expect.any(String),
      rejectionReason: 'Selfie does not match',
    });
  });

  it('keeps any status string and ignores fields it does not know', async () => {
    const fake = await startFakeServer((_req, res) =>
      json(res, 200, {
        object: 'customer',
        id: 'ckcust_1',
        status: 'manual_review',
        customer_reference: 'ref-7',
        kyc_submitted_at: 'yesterday-ish', // not a timestamp: left out, not a failure
        risk: { score: 80 },
      }),
    );
    try {
      expect(await run(activitiesFor(fake.url), 'readCustomer', { customerId: 'ckcust_1' })).toEqual({
        status: 'manual_review',
        submitted: true,
        customerReference: 'ref-7',
      });
    } finally {
      await fake.close();
    }
  });
});
