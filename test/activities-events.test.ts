// Events to our own backend (docs/workflow.md, "Events"): at least once, with an Idempotency-Key. Our backend's answers are
// named as ours — a refusal (BackendEventRefused) is final and explained, an outage (BackendUnavailable) is
// retried, honouring Retry-After — so that no backend problem can pass for the partner's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventIdempotencyKey, type KycEvent } from '../workflows/events';
import { BackendEventRefused, BackendUnavailable } from '../workflows/failures';
import { activitiesFor, activityEnv, failureOf, json, run, startFakeServer, unusedUrl } from './support/activities-env';

// The partner is not involved: a URL nobody listens on proves it.
const NO_PARTNER = 'http://127.0.0.1:9';
const event: KycEvent = {
  type: 'kyc.escalated',
  customerId: 'ckcust_1',
  customerReference: 'pouch-user-1',
  occurredAt: '2026-05-06T12:34:56.000Z',
};
const idempotencyKey = eventIdempotencyKey('kyc-ckcust_1', 'kyc.escalated');

type Answer = (res: import('node:http').ServerResponse) => void;
let answer: Answer = (res) => res.writeHead(204).end();
let backend: Awaited<ReturnType<typeof startFakeServer>>;
beforeAll(async () => {
  backend = await startFakeServer((_req, res) => answer(res));
});
afterAll(() => backend.close());

const emit = (eventsUrl: string, requestTimeoutMs?: number) =>
  run(activitiesFor(NO_PARTNER, { eventsUrl, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) }), 'emitKycEvent', {
    event,
    idempotencyKey,
  });

describe('emitKycEvent', () => {
  it('POSTs the event as JSON with its Idempotency-Key, and logs an escalation as a warning', async () => {
    answer = (res) => res.writeHead(204).end();
    const activity = activityEnv();
    const result = await run(
      activitiesFor(NO_PARTNER, { eventsUrl: `${backend.url}/kyc-events` }),
      'emitKycEvent',
      { event, idempotencyKey },
      activity,
    );
    expect(result).toEqual({ delivered: true });
    const received = backend.requests.at(-1);
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/kyc-events');
    expect(received?.headers['content-type']).toBe('application/json');
    expect(received?.headers['idempotency-key']).toBe('kyc-ckcust_1:kyc.escalated');
    expect(received?.headers.authorization).toBeUndefined();
    expect(JSON.parse(received?.body ?? '')).toEqual(event);
    expect(activity.logs.find((l) => l.level === 'WARN')?.message).toContain(
      'pending past escalateAfter: contact Technest support',
    );
  });

  it('is a no-op without KYC_EVENTS_URL', async () => {
    expect(await run(activitiesFor(NO_PARTNER), 'emitKycEvent', { event, idempotencyKey })).toEqual({
      delivered: false,
    });
  });

  it.each([400, 404, 409, 410, 422])(
    'a %i is a final BackendEventRefused with the status and what the backend said',
    async (status) => {
      answer = (res) => json(res, status, { error: { message: `customer unknown here ${'x'.repeat(2000)}` } });
      const refused = await failureOf(emit(backend.url));
      expect(refused.type).toBe(BackendEventRefused);
      expect(refused.nonRetryable).toBe(true);
      expect(refused.message).toContain(`answered ${status}: customer unknown here`);
      expect(refused.message).toContain('our backend');
      // An excerpt, not the whole body: it lands in status and history.
      expect(refused.message.length).toBeLessThan(600);
    },
  );

  it.each([500, 502, 503, 408, 429])('a %i is a retryable BackendUnavailable', async (status) => {
    answer = (res) => json(res, status, { error: { message: 'busy' } });
    const failure = await failureOf(emit(backend.url));
    expect(failure.type).toBe(BackendUnavailable);
    expect(failure.nonRetryable).toBe(false);
  });

  it.each([429, 503])('a %i with Retry-After sets the next retry delay', async (status) => {
    answer = (res) => json(res, status, { error: { message: 'later' } }, { 'retry-after': '7' });
    const failure = await failureOf(emit(backend.url));
    expect(failure.type).toBe(BackendUnavailable);
    expect(failure.nextRetryDelay).toBe(7000);
  });

  it('no answer (refused connection, timeout) is a retryable BackendUnavailable', async () => {
    const offline = await failureOf(emit(await unusedUrl()));
    expect(offline.type).toBe(BackendUnavailable);
    expect(offline.nonRetryable).toBe(false);

    answer = () => undefined; // hold the request open
    const slow = await failureOf(emit(backend.url, 150));
    expect(slow.type).toBe(BackendUnavailable);
    expect(slow.message).toContain('timed out after 150 ms');
  });
});
