// Fault injection (per-customer counted and global random) and the inspection / control API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/server';
import {
  call,
  control,
  createCustomer,
  inspect,
  putBytes,
  readyCustomer,
  requestIntent,
  startTestSandbox,
  uploadFile,
} from './support/sandbox-harness';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb.close();
});

describe('per-customer counted faults', () => {
  it('fail5xx answers the next n calls 503 without effect, PUTs included', async () => {
    const id = await createCustomer(sb);
    const intent = await requestIntent(sb, id);
    await control(sb, 'PUT', `/customers/${id}/faults`, { fail5xx: 3 });
    const failedIntent = await requestIntent(sb, id);
    expect(failedIntent.status).toBe(503);
    expect(failedIntent.body.error.type).toBe('server_error');
    expect((await putBytes(intent.body.upload_url, Buffer.from('jpeg'), 'image/jpeg')).status).toBe(503);
    expect((await call(sb, 'GET', `/v1/customers/${id}`)).status).toBe(503);
    expect((await call(sb, 'GET', `/v1/customers/${id}`)).status).toBe(200);
    const record = await inspect(sb, id);
    expect(record.intents).toHaveLength(1);
    expect(record.uploads).toEqual([]);
    expect(record.faults_injected).toBe(3);
    expect(record.faults.fail5xx).toBe(0);
  });

  it('rateLimit answers 429 with Retry-After, then lets calls through', async () => {
    const id = await createCustomer(sb);
    await control(sb, 'PUT', `/customers/${id}/faults`, { rateLimit: 1, retryAfterSeconds: 7 });
    const limited = await requestIntent(sb, id);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.error.type).toBe('rate_limited');
    expect((await requestIntent(sb, id)).status).toBe(200);
    expect(await inspect(sb, id)).toMatchObject({ faults_injected: 1 });
    expect((await inspect(sb, id)).intents).toHaveLength(1);
  });

  it('commitThenFail on submit: the submission stands, the answer is a 503, the retry gets 409', async () => {
    const id = await readyCustomer(sb);
    await control(sb, 'PUT', `/customers/${id}/faults`, { commitThenFail: 1 });
    const lost = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect(lost.status).toBe(503);
    expect(await inspect(sb, id)).toMatchObject({ status: 'pending', submit_count: 1, faults_injected: 1 });
    const retry = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect(retry.status).toBe(409);
    expect(await inspect(sb, id)).toMatchObject({ status: 'pending', submit_count: 1, submit_refusals: 1 });
  });

  it('commitThenFail on attach: the slots are set although the answer is a 503', async () => {
    const id = await createCustomer(sb);
    const fileId = await uploadFile(sb, id);
    await control(sb, 'PUT', `/customers/${id}/faults`, { commitThenFail: 1 });
    expect((await call(sb, 'POST', `/v1/customers/${id}/files/attach`, { id_file: fileId })).status).toBe(503);
    expect(await inspect(sb, id)).toMatchObject({ attached: { id_file: fileId }, attach_count: 1, faults_injected: 1 });
    expect((await call(sb, 'POST', `/v1/customers/${id}/kyc`, {})).status).toBe(200);
  });

  it('refuses bad fault bodies and unknown customers', async () => {
    const id = await createCustomer(sb);
    const negative = await control(sb, 'PUT', `/customers/${id}/faults`, { fail5xx: -1 });
    expect(negative.status).toBe(400);
    expect(negative.body.error.message).toMatch(/fail5xx/);
    expect((await control(sb, 'PUT', `/customers/${id}/faults`, { explode: true })).body.error.message).toMatch(
      /explode/,
    );
    expect((await control(sb, 'PUT', '/customers/ckcust_none/faults', {})).status).toBe(404);
    expect((await control(sb, 'PUT', `/customers/${id}/review`, { outcome: 'later' })).status).toBe(400);
    expect((await control(sb, 'PUT', '/faults', { errorRate: 2 })).status).toBe(400);
    expect((await control(sb, 'PUT', '/faults', { webhookDelayMs: [50, 10] })).status).toBe(400);
  });
});

describe('global faults', () => {
  it('errorRate 1 answers every /v1 call 503 until replaced', async () => {
    const own = await startTestSandbox({ faults: { errorRate: 1 } });
    try {
      expect((await call(own, 'POST', '/v1/customers', { customer_reference: 'x' })).status).toBe(503);
      expect((await control(own, 'PUT', '/faults', {})).status).toBe(200);
      expect((await call(own, 'POST', '/v1/customers', { customer_reference: 'x' })).status).toBe(201);
      expect((await control(own, 'PUT', '/faults', { rateLimitRate: 1, retryAfterSeconds: 3 })).status).toBe(200);
      const limited = await call(own, 'GET', '/v1/customers/anything');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('3');
      const counted = await control(own, 'GET', '/faults');
      expect(counted.body).toMatchObject({ faults: { rateLimitRate: 1 }, faults_injected_unattributed: 2 });
    } finally {
      await own.close();
    }
  });

  it('the same seed replays the same random faults', async () => {
    const run = async (seed: number) => {
      const own = await startTestSandbox({ seed, faults: { errorRate: 0.5 } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++) statuses.push((await call(own, 'GET', '/v1/customers/ckcust_none')).status);
        return statuses;
      } finally {
        await own.close();
      }
    };
    const first = await run(42);
    expect(first).toEqual(await run(42));
    expect(new Set(first)).toEqual(new Set([503, 404]));
  });

  it('expireUploadRate 1 issues URLs that answer 403 expired', async () => {
    const own = await startTestSandbox({ faults: { expireUploadRate: 1 } });
    try {
      const id = await createCustomer(own);
      const intent = await requestIntent(own, id);
      const put = await putBytes(intent.body.upload_url, Buffer.from('jpeg'), 'image/jpeg');
      expect(put.status).toBe(403);
      expect(put.body.error.type).toBe('expired');
      expect((await inspect(own, id)).intents[0].forced_expiry).toBe(true);
    } finally {
      await own.close();
    }
  });

  it('expireUploadLimit caps the early expiries per customer and category; the next URL uploads', async () => {
    const own = await startTestSandbox({ faults: { expireUploadRate: 1, expireUploadLimit: 2 } });
    try {
      const id = await createCustomer(own);
      const puts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const intent = await requestIntent(own, id);
        puts.push((await putBytes(intent.body.upload_url, Buffer.from('jpeg'), 'image/jpeg')).status);
      }
      const bill = await requestIntent(own, id, 'proof_of_address', 'application/pdf', 'bill.pdf');
      expect(puts).toEqual([403, 403, 200]);
      expect((await putBytes(bill.body.upload_url, Buffer.from('%PDF'), 'application/pdf')).status).toBe(403);
      expect((await inspect(own, id)).intents.map((i: { forced_expiry: boolean }) => i.forced_expiry)).toEqual([
        true,
        true,
        false,
        true,
      ]);
    } finally {
      await own.close();
    }
  });
});

describe('inspection', () => {
  it('shows what the rail received, per customer and as a list', async () => {
    const id = await createCustomer(sb, undefined, 'FR');
    const fileId = await uploadFile(sb, id, 'id_document', Buffer.from('0123456789'));
    await call(sb, 'POST', `/v1/customers/${id}/files/attach`, { id_file: fileId });
    await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    const record = await inspect(sb, id);
    expect(record).toMatchObject({
      id,
      country: 'FR',
      status: 'pending',
      intents: [
        {
          file_id: fileId,
          file_category: 'id_document',
          filename: 'passport.jpg',
          content_type: 'image/jpeg',
          forced_expiry: false,
        },
      ],
      uploads: [{ file_id: fileId, bytes: 10, puts: 1 }],
      upload_refusals: [],
      attached: { id_file: fileId },
      attach_count: 1,
      submit_count: 1,
      submit_refusals: 0,
      verified_at: null,
      rejected_at: null,
      rejection_reason: null,
      webhook_deliveries: [],
      faults_injected: 0,
    });
    expect(Date.parse(record.kyc_submitted_at)).not.toBeNaN();
    const list = await control(sb, 'GET', '/customers');
    expect(list.body.customers.find((c: { id: string }) => c.id === id)).toEqual(record);
    expect((await control(sb, 'GET', '/customers/ckcust_none')).status).toBe(404);
  });
});
