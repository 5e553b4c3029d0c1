// Attach, submit (safe to retry), poll for the decision, and events to the backend.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server';
import type { ContentType, DocumentCategory } from '../workflows/documents';
import { eventIdempotencyKey, type KycEvent } from '../workflows/events';
import {
  CustomerStillPending,
  InvalidKycInput,
  PartnerReplyInvalid,
  PartnerRequestRefused,
  PartnerUnavailable,
} from '../workflows/failures';
import { activitiesFor, activityEnv, failureOf, json, logText, run, startFakeServer, TEST_API_KEY, unusedUrl } from './support/activities-env';
import { writeSampleDocuments, type SampleDocuments } from './support/fixtures';
import { Rail } from './support/rail';

let sandbox: Sandbox;
let rail: Rail;
let activities: ReturnType<typeof activitiesFor>;
let dir: string;
let samples: SampleDocuments;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: TEST_API_KEY, review: { outcome: 'never' } });
  rail = new Rail(sandbox.url, TEST_API_KEY);
  activities = activitiesFor(sandbox.url);
  dir = await mkdtemp(join(tmpdir(), 'kyc-submit-'));
  samples = await writeSampleDocuments(dir);
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

async function upload(customerId: string, category: DocumentCategory, contentType: ContentType, source: string): Promise<string> {
  const intent = await run(activities, 'requestUploadIntent', { customerId, category, filename: 'doc', contentType });
  await run(activities, 'putDocument', { source, intent });
  return intent.fileId;
}

/** A customer with its id document uploaded and attached, ready to submit. */
async function readyCustomer(reference: string): Promise<string> {
  const customerId = await rail.createCustomer(reference);
  const idFile = await upload(customerId, 'id_document', 'image/jpeg', samples.jpeg);
  await run(activities, 'attachDocuments', { customerId, slots: { id_file: idFile } });
  return customerId;
}

describe('attachDocuments and submitKyc', () => {
  it('attaches the slots, then submits once', async () => {
    const customerId = await rail.createCustomer('submit-ok', 'US');
    const idFile = await upload(customerId, 'id_document', 'image/jpeg', samples.jpeg);
    const addressFile = await upload(customerId, 'proof_of_address', 'application/pdf', samples.pdf);
    await run(activities, 'attachDocuments', { customerId, slots: { id_file: idFile, proof_of_address_file: addressFile } });
    expect((await rail.inspect(customerId)).attached).toEqual({ id_file: idFile, proof_of_address_file: addressFile });

    const submitted = await run(activities, 'submitKyc', { customerId });
    expect(submitted.alreadySubmitted).toBe(false);
    expect(Date.parse(submitted.submittedAt)).not.toBeNaN();
    const inspected = await rail.inspect(customerId);
    expect(inspected.status).toBe('pending');
    expect(inspected.submit_count).toBe(1);
  });

  it('refuses to attach without id_file, before calling the partner', async () => {
    const customerId = await rail.createCustomer('attach-no-id');
    const failure = await failureOf(run(activities, 'attachDocuments', { customerId, slots: { proof_of_address_file: 'file_x' } }));
    expect(failure.type).toBe(InvalidKycInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('id_file');
    expect((await rail.inspect(customerId)).attach_count).toBe(0);
  });

  it('an attach the partner refuses is PartnerRequestRefused with its message', async () => {
    const customerId = await rail.createCustomer('attach-unknown-file');
    const failure = await failureOf(run(activities, 'attachDocuments', { customerId, slots: { id_file: 'file_never_uploaded' } }));
    expect(failure.type).toBe(PartnerRequestRefused);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/answered 4\d\d: .+/);
  });

  it('a submit whose answer was lost is retried as "already submitted", never submitted twice', async () => {
    const customerId = await readyCustomer('submit-lost-answer');
    await rail.faults(customerId, { commitThenFail: 1 });
    const lost = await failureOf(run(activities, 'submitKyc', { customerId }));
    expect(lost.type).toBe(PartnerUnavailable);
    expect(lost.nonRetryable).toBe(false);

    const retried = await run(activities, 'submitKyc', { customerId });
    expect(retried.alreadySubmitted).toBe(true);
    const inspected = await rail.inspect(customerId);
    expect(inspected.submit_count).toBe(1);
    expect(retried.submittedAt).toBe(inspected.kyc_submitted_at);
  });

  it('a submit refused for another reason is not mistaken for success', async () => {
    const customerId = await rail.createCustomer('submit-nothing-attached');
    const failure = await failureOf(run(activities, 'submitKyc', { customerId }));
    expect(failure.type).toBe(PartnerRequestRefused);
    expect(failure.message).toContain('id_file');
  });
});

describe('pollCustomerDecision', () => {
  it('pending is a retryable CustomerStillPending; a decision is returned with the attempt as polls', async () => {
    const customerId = await readyCustomer('poll-verify');
    await run(activities, 'submitKyc', { customerId });

    const pending = await failureOf(run(activities, 'pollCustomerDecision', { customerId }, activityEnv({ attempt: 1 })));
    expect(pending.type).toBe(CustomerStillPending);
    expect(pending.nonRetryable).toBe(false);

    await rail.decide(customerId, 'verify');
    const decision = await run(activities, 'pollCustomerDecision', { customerId }, activityEnv({ attempt: 4 }));
    expect(decision).toEqual({ status: 'verified', verifiedAt: expect.any(String), polls: 4 });
  });

  it('a rejection carries the partner reason', async () => {
    const customerId = await readyCustomer('poll-reject');
    await run(activities, 'submitKyc', { customerId });
    await rail.decide(customerId, 'reject', 'ID document unreadable');
    const decision = await run(activities, 'pollCustomerDecision', { customerId }, activityEnv({ attempt: 2 }));
    expect(decision).toEqual({ status: 'rejected', rejectedAt: expect.any(String), rejectionReason: 'ID document unreadable', polls: 2 });
  });

  it('a status that is not a decision nor pending is PartnerReplyInvalid', async () => {
    const customerId = await rail.createCustomer('poll-never-submitted');
    const failure = await failureOf(run(activities, 'pollCustomerDecision', { customerId }));
    expect(failure.type).toBe(PartnerReplyInvalid);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('"created"');
  });

  it('an unknown status from the partner is PartnerReplyInvalid', async () => {
    const fake = await startFakeServer((_req, res) => json(res, 200, { object: 'customer', id: 'ckcust_1', status: 'on_hold' }));
    try {
      const failure = await failureOf(run(activitiesFor(fake.url), 'pollCustomerDecision', { customerId: 'ckcust_1' }));
      expect(failure.type).toBe(PartnerReplyInvalid);
      expect(failure.message).toContain('status');
    } finally {
      await fake.close();
    }
  });
});

describe('emitKycEvent', () => {
  const event: KycEvent = {
    type: 'kyc.escalated',
    customerId: 'ckcust_1',
    customerReference: 'pouch-user-1',
    occurredAt: '2026-05-06T12:34:56.000Z',
  };
  const idempotencyKey = eventIdempotencyKey('kyc-ckcust_1', 'kyc.escalated');

  it('POSTs the event as JSON with its Idempotency-Key, and logs an escalation as a warning', async () => {
    const receiver = await startFakeServer((_req, res) => res.writeHead(204).end());
    try {
      const activity = activityEnv();
      const result = await run(activitiesFor(sandbox.url, { eventsUrl: `${receiver.url}/kyc-events` }), 'emitKycEvent', { event, idempotencyKey }, activity);
      expect(result).toEqual({ delivered: true });
      expect(receiver.requests).toHaveLength(1);
      const [received] = receiver.requests;
      expect(received?.method).toBe('POST');
      expect(received?.url).toBe('/kyc-events');
      expect(received?.headers['content-type']).toBe('application/json');
      expect(received?.headers['idempotency-key']).toBe('kyc-ckcust_1:kyc.escalated');
      expect(received?.headers.authorization).toBeUndefined();
      expect(JSON.parse(received?.body ?? '')).toEqual(event);
      const warning = activity.logs.find((l) => l.level === 'WARN');
      expect(warning?.message).toContain('pending past escalateAfter: contact Technest support');
    } finally {
      await receiver.close();
    }
  });

  it('is a no-op without KYC_EVENTS_URL', async () => {
    expect(await run(activities, 'emitKycEvent', { event, idempotencyKey })).toEqual({ delivered: false });
  });

  it('5xx, 429 and no answer are retryable; other 4xx are not', async () => {
    let status = 503;
    const receiver = await startFakeServer((_req, res) => json(res, status, { error: { message: 'nope' } }, status === 429 ? { 'retry-after': '2' } : {}));
    try {
      const emit = () => failureOf(run(activitiesFor(sandbox.url, { eventsUrl: receiver.url }), 'emitKycEvent', { event, idempotencyKey }));
      expect((await emit()).nonRetryable).toBe(false);
      status = 429;
      const limited = await emit();
      expect(limited.nonRetryable).toBe(false);
      expect(limited.nextRetryDelay).toBe(2000);
      status = 400;
      const refused = await emit();
      expect(refused.nonRetryable).toBe(true);
      expect(refused.message).toContain('nope');
    } finally {
      await receiver.close();
    }
    const offline = await failureOf(run(activitiesFor(sandbox.url, { eventsUrl: await unusedUrl() }), 'emitKycEvent', { event, idempotencyKey }));
    expect(offline.nonRetryable).toBe(false);
  });
});

describe('the API key', () => {
  it('never appears in a failure message or a log line', async () => {
    const activity = activityEnv();
    const messages: string[] = [];
    const collect = async (p: Promise<unknown>) => messages.push((await failureOf(p)).message);
    const withEnv = <K extends keyof typeof activities>(name: K, arg: Parameters<(typeof activities)[K]>[0]) => run(activities, name, arg, activity);
    await collect(withEnv('requestUploadIntent', { customerId: 'ckcust_missing', category: 'id_document', filename: 'a', contentType: 'image/jpeg' }));
    await collect(withEnv('attachDocuments', { customerId: 'ckcust_missing', slots: { id_file: 'file_1' } }));
    await collect(withEnv('submitKyc', { customerId: 'ckcust_missing' }));
    await collect(withEnv('pollCustomerDecision', { customerId: 'ckcust_missing' }));
    const customerId = await readyCustomer('key-never-shown');
    await run(activities, 'submitKyc', { customerId }, activity);
    await collect(withEnv('pollCustomerDecision', { customerId }));
    expect(messages).toHaveLength(5);
    for (const message of [...messages, logText(activity)]) expect(message).not.toContain(TEST_API_KEY);
  });
});
