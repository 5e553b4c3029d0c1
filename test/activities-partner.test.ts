// The partner client through requestUploadIntent (and a GET): replies parsed with zod, errors mapped in
// one place, and the API key nowhere in what a failure says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { PartnerReplyInvalid, PartnerRequestRefused, PartnerUnavailable } from '../workflows/failures';
import {
  activitiesFor,
  activityEnv,
  failureOf,
  json,
  logText,
  run,
  startFakeServer,
  TEST_API_KEY,
  unusedUrl,
} from './support/activities-env';
import { Rail } from '../sandbox/control-client';

let sandbox: Sandbox;
let rail: Rail;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: TEST_API_KEY, review: { outcome: 'never' } });
  rail = new Rail(sandbox.url, TEST_API_KEY);
});
afterAll(() => sandbox.close());

const intentReq = (customerId: string) =>
  ({ customerId, category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg' }) as const;

describe('requestUploadIntent', () => {
  it('returns the intent in camelCase, as the sandbox issued it', async () => {
    const customerId = await rail.createCustomer('intent-ok');
    const activity = activityEnv();
    const intent = await run(activitiesFor(sandbox.url), 'requestUploadIntent', intentReq(customerId), activity);
    const inspected = await rail.inspect(customerId);
    expect(inspected.intents).toHaveLength(1);
    expect(intent.fileId).toBe(inspected.intents[0]?.file_id);
    expect(intent.uploadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(Date.parse(intent.expiresAt)).toBeGreaterThan(Date.now());
    expect(intent.requiredHeaders).toEqual({ 'Content-Type': 'image/jpeg' });
    expect(logText(activity)).not.toContain(TEST_API_KEY);
  });

  it('a 5xx is retryable PartnerUnavailable', async () => {
    const customerId = await rail.createCustomer('intent-5xx');
    await rail.faults(customerId, { fail5xx: 1 });
    const failure = await failureOf(run(activitiesFor(sandbox.url), 'requestUploadIntent', intentReq(customerId)));
    expect(failure.type).toBe(PartnerUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('answered 503');
  });

  it('a 429 is retryable with nextRetryDelay from Retry-After seconds', async () => {
    const customerId = await rail.createCustomer('intent-429');
    await rail.faults(customerId, { rateLimit: 1, retryAfterSeconds: 7 });
    const failure = await failureOf(run(activitiesFor(sandbox.url), 'requestUploadIntent', intentReq(customerId)));
    expect(failure.type).toBe(PartnerUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7000);
  });

  it('a 4xx is non-retryable PartnerRequestRefused with the partner message and status', async () => {
    const failure = await failureOf(
      run(activitiesFor(sandbox.url), 'requestUploadIntent', intentReq('ckcust_does_not_exist')),
    );
    expect(failure.type).toBe(PartnerRequestRefused);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('answered 404');
    expect(failure.message).toContain('ckcust_does_not_exist');
  });

  it('a wrong API key is refused, and the key is not in the message', async () => {
    const wrongKey = 'sk_live_should_never_be_shown';
    const failure = await failureOf(
      run(activitiesFor(sandbox.url, { partnerApiKey: wrongKey }), 'requestUploadIntent', intentReq('ckcust_x')),
    );
    expect(failure.type).toBe(PartnerRequestRefused);
    expect(failure.message).toContain('answered 401');
    expect(failure.message).not.toContain(wrongKey);
  });

  it('no answer at all is retryable PartnerUnavailable', async () => {
    const failure = await failureOf(
      run(activitiesFor(await unusedUrl()), 'requestUploadIntent', intentReq('ckcust_x')),
    );
    expect(failure.type).toBe(PartnerUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('ECONNREFUSED');
  });
});

describe('partner replies and errors (fake partner)', () => {
  let fake: Awaited<ReturnType<typeof startFakeServer>>;
  let answer: (res: import('node:http').ServerResponse) => void = () => undefined;
  beforeAll(async () => {
    fake = await startFakeServer((_req, res) => answer(res));
  });
  afterAll(() => fake.close());

  it('sends the key as a Bearer token and the documented body', async () => {
    answer = (res) => json(res, 500, {});
    await failureOf(run(activitiesFor(fake.url), 'requestUploadIntent', intentReq('ckcust_1')));
    const req = fake.requests.at(-1);
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/v1/customers/ckcust_1/files');
    expect(req?.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    expect(JSON.parse(req?.body ?? '')).toEqual({
      file_category: 'id_document',
      filename: 'passport.jpg',
      content_type: 'image/jpeg',
    });
  });

  it('malformed JSON (a body cut short on the way) is retried: PartnerUnavailable', async () => {
    answer = (res) => json(res, 200, '{"object": "file_upload_intent", ');
    const failure = await failureOf(run(activitiesFor(fake.url), 'requestUploadIntent', intentReq('ckcust_1')));
    expect(failure.type).toBe(PartnerUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('not JSON');
  });

  it('a reply missing fields names them', async () => {
    answer = (res) =>
      json(res, 200, { object: 'file_upload_intent', file_id: 'file_1', expires_at: 'tomorrow', required_headers: {} });
    const failure = await failureOf(run(activitiesFor(fake.url), 'requestUploadIntent', intentReq('ckcust_1')));
    expect(failure.type).toBe(PartnerReplyInvalid);
    expect(failure.message).toContain('upload_url');
    expect(failure.message).toContain('expires_at');
  });

  it('a 429 with an HTTP-date Retry-After becomes a delay', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    answer = (res) => json(res, 429, { error: { type: 'rate_limited', message: 'slow down' } }, { 'retry-after': at });
    const failure = await failureOf(run(activitiesFor(fake.url), 'requestUploadIntent', intentReq('ckcust_1')));
    expect(failure.type).toBe(PartnerUnavailable);
    const delay = Number(failure.nextRetryDelay);
    expect(delay).toBeGreaterThan(100_000);
    expect(delay).toBeLessThanOrEqual(120_000);
  });

  it('408 is retryable', async () => {
    answer = (res) => json(res, 408, { error: { type: 'timeout', message: 'took too long' } });
    const failure = await failureOf(run(activitiesFor(fake.url), 'requestUploadIntent', intentReq('ckcust_1')));
    expect(failure.type).toBe(PartnerUnavailable);
    expect(failure.nonRetryable).toBe(false);
  });

  it('a key echoed back by the partner is scrubbed from the message', async () => {
    answer = (res) =>
      json(res, 400, { error: { type: 'invalid_request', message: `key ${TEST_API_KEY} cannot do that` } });
    const failure = await failureOf(run(activitiesFor(fake.url), 'requestUploadIntent', intentReq('ckcust_1')));
    expect(failure.type).toBe(PartnerRequestRefused);
    expect(failure.message).toContain('cannot do that');
    expect(failure.message).not.toContain(TEST_API_KEY);
  });

  it('a partner that never answers times out, retryable', async () => {
    answer = () => undefined; // hold the request open
    const failure = await failureOf(
      run(activitiesFor(fake.url, { requestTimeoutMs: 200 }), 'requestUploadIntent', intentReq('ckcust_1')),
    );
    expect(failure.type).toBe(PartnerUnavailable);
    expect(failure.message).toContain('timed out after 200 ms');
  });
});
