// The partner API's answers and refusals (auth, customers, upload intents, attach, submit),
// through real HTTP against an in-process sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/server';
import {
  call,
  control,
  createCustomer,
  inspect,
  readyCustomer,
  requestIntent,
  startTestSandbox,
  uniqueRef,
  uploadFile,
} from './support/sandbox-harness';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb.close();
});

describe('bearer auth', () => {
  it('answers 401 JSON without a key and with a wrong key, on every /v1 call', async () => {
    const id = await createCustomer(sb);
    for (const key of [null, 'sk_wrong']) {
      for (const [method, path] of [
        ['POST', '/v1/customers'],
        ['GET', `/v1/customers/${id}`],
        ['POST', `/v1/customers/${id}/kyc`],
      ] as const) {
        const reply = await call(sb, method, path, method === 'POST' ? {} : undefined, key);
        expect(reply.status).toBe(401);
        expect(reply.body.error.type).toBe('unauthorized');
        expect(reply.body.error.message).toMatch(key === null ? /Missing Authorization/ : /Invalid API key/);
      }
    }
    expect((await inspect(sb, id)).submit_refusals).toBe(0);
  });
});

describe('customers', () => {
  it('creates a customer and reads it back', async () => {
    const ref = uniqueRef();
    const created = await call(sb, 'POST', '/v1/customers', { customer_reference: ref, country: 'GB' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: 'customer',
      customer_reference: ref,
      country: 'GB',
      status: 'created',
    });
    expect(created.body.id).toMatch(/^ckcust_/);
    expect(Date.parse(created.body.created_at)).not.toBeNaN();
    const read = await call(sb, 'GET', `/v1/customers/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('refuses a reference already used', async () => {
    const ref = uniqueRef();
    const id = await createCustomer(sb, ref);
    const again = await call(sb, 'POST', '/v1/customers', { customer_reference: ref });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ type: 'conflict' });
    expect(again.body.error.message).toContain(id);
  });

  it('refuses the reference of a rejected record, saying so', async () => {
    const ref = uniqueRef();
    const id = await readyCustomer(sb, ref);
    expect((await call(sb, 'POST', `/v1/customers/${id}/kyc`, {})).status).toBe(200);
    expect((await control(sb, 'POST', `/customers/${id}/decide`, { outcome: 'reject' })).status).toBe(200);
    const again = await call(sb, 'POST', '/v1/customers', { customer_reference: ref });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/rejected/);
    expect(again.body.error.message).toContain(`${ref}-r2`);
    expect((await call(sb, 'POST', '/v1/customers', { customer_reference: `${ref}-r2` })).status).toBe(201);
  });

  it('refuses missing or invalid fields, naming them', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /customer_reference: is required/],
      [{ customer_reference: '' }, /customer_reference: must not be empty/],
      [{ customer_reference: 42 }, /customer_reference: must be/],
      [{ customer_reference: uniqueRef(), country: 'gb' }, /country: .*2 uppercase letters/],
      [{ customer_reference: uniqueRef(), country: 'GBR' }, /country/],
      [{ customer_reference: uniqueRef(), nickname: 'x' }, /unknown field nickname/],
    ];
    for (const [body, message] of cases) {
      const reply = await call(sb, 'POST', '/v1/customers', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error.type).toBe('invalid_request');
      expect(reply.body.error.message).toMatch(message);
    }
  });

  it('answers 404 for an unknown customer', async () => {
    const reply = await call(sb, 'GET', '/v1/customers/ckcust_nope');
    expect(reply.status).toBe(404);
    expect(reply.body.error).toMatchObject({ type: 'not_found' });
  });
});

describe('upload intents', () => {
  it('issues a pre-signed URL valid about five minutes', async () => {
    const id = await createCustomer(sb);
    const reply = await requestIntent(sb, id, 'proof_of_address', 'application/pdf', 'bill.pdf');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      object: 'file_upload_intent',
      required_headers: { 'Content-Type': 'application/pdf' },
    });
    expect(reply.body.file_id).toMatch(/^file_/);
    const url = new URL(reply.body.upload_url);
    expect(url.pathname).toBe(`/uploads/${reply.body.file_id}`);
    expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
    const ttl = Date.parse(reply.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
  });

  it('refuses a bad category, type or filename, naming the field', async () => {
    const id = await createCustomer(sb);
    const ok = { file_category: 'id_document', filename: 'p.jpg', content_type: 'image/jpeg' };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...ok, file_category: 'selfie' }, /file_category: must be one of id_document/],
      [{ ...ok, content_type: 'image/gif' }, /content_type: must be one of image\/jpeg, image\/png, application\/pdf/],
      [{ ...ok, filename: undefined }, /filename: is required/],
      [{ ...ok, filename: '' }, /filename: must not be empty/],
      [{ ...ok, filename: 'x'.repeat(256) }, /filename: must be at most 255/],
    ];
    for (const [body, message] of cases) {
      const reply = await call(sb, 'POST', `/v1/customers/${id}/files`, body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error.message).toMatch(message);
    }
    expect((await inspect(sb, id)).intents).toEqual([]);
  });

  it('answers 404 for an unknown customer', async () => {
    const reply = await requestIntent(sb, 'ckcust_missing');
    expect(reply.status).toBe(404);
    expect(reply.body.error.type).toBe('not_found');
  });
});

describe('attach', () => {
  const attach = (id: string, body: unknown) => call(sb, 'POST', `/v1/customers/${id}/files/attach`, body);

  it('attaches uploaded files to their slots, a second attach replacing the first', async () => {
    const id = await createCustomer(sb);
    const front = await uploadFile(sb, id, 'id_document');
    const back = await uploadFile(sb, id, 'id_document_back');
    const proof = await uploadFile(sb, id, 'proof_of_address');
    const first = await attach(id, { id_file: front, id_file_back: back, proof_of_address_file: proof });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      object: 'customer_files',
      customer_id: id,
      attached: { id_file: front, id_file_back: back, proof_of_address_file: proof },
    });
    expect((await attach(id, { id_file: front })).body.attached).toEqual({ id_file: front });
    const record = await inspect(sb, id);
    expect(record.attached).toEqual({ id_file: front });
    expect(record.attach_count).toBe(2);
  });

  it('refuses every bad request with a specific message', async () => {
    const id = await createCustomer(sb);
    const other = await createCustomer(sb);
    const front = await uploadFile(sb, id, 'id_document');
    const proof = await uploadFile(sb, id, 'proof_of_address');
    const foreign = await uploadFile(sb, other, 'id_document');
    const notUploaded = (await requestIntent(sb, id, 'id_document')).body.file_id as string;
    const cases: Array<[unknown, RegExp]> = [
      [{ id_file_back: front }, /id_file: is mandatory/],
      [{ id_file: front, selfie_file: front }, /unknown field selfie_file/],
      [{ id_file: 'file_doesnotexist' }, /id_file: file "file_doesnotexist" does not exist/],
      [{ id_file: foreign }, new RegExp(`id_file: file "${foreign}" was issued for another customer`)],
      [{ id_file: notUploaded }, /id_file: .* was never uploaded/],
      [{ id_file: proof }, /id_file: .* is a proof_of_address file, but id_file takes id_document/],
      [{ id_file: front, proof_of_address_file: front }, /proof_of_address_file: .* is a id_document file/],
    ];
    for (const [body, message] of cases) {
      const reply = await attach(id, body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error.type).toBe('invalid_request');
      expect(reply.body.error.message).toMatch(message);
    }
    const record = await inspect(sb, id);
    expect(record.attach_count).toBe(0);
    expect(record.attached).toEqual({});
  });
});

describe('submit', () => {
  it('refuses a submission without id_file (uploaded is not attached)', async () => {
    const id = await createCustomer(sb);
    await uploadFile(sb, id);
    const reply = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toMatch(/No id_file attached: partial submissions get rejected/);
    expect(await inspect(sb, id)).toMatchObject({ status: 'created', submit_count: 0, submit_refusals: 1 });
  });

  it('submits once, then locks the customer: second submit, intents, attach and uploads refused', async () => {
    const id = await readyCustomer(sb);
    const spare = await requestIntent(sb, id);
    const submitted = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ object: 'customer', id, status: 'pending' });
    expect(Date.parse(submitted.body.kyc_submitted_at)).not.toBeNaN();

    const again = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/locked until verified or rejected/);
    const intent = await requestIntent(sb, id);
    expect(intent.status).toBe(409);
    expect(intent.body.error.message).toMatch(/locked until verified or rejected/);
    const attachAgain = await call(sb, 'POST', `/v1/customers/${id}/files/attach`, { id_file: spare.body.file_id });
    expect(attachAgain.status).toBe(409);
    const put = await fetch(spare.body.upload_url, {
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg' },
      body: 'late',
    });
    expect(put.status).toBe(409);

    expect(await inspect(sb, id)).toMatchObject({ status: 'pending', submit_count: 1, submit_refusals: 1 });
    expect((await call(sb, 'GET', `/v1/customers/${id}`)).body.status).toBe('pending');
  });

  it('refuses a non-empty submit body and answers 404 for an unknown customer', async () => {
    const id = await readyCustomer(sb);
    const reply = await call(sb, 'POST', `/v1/customers/${id}/kyc`, { force: true });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toMatch(/unknown field force/);
    expect((await call(sb, 'POST', '/v1/customers/ckcust_missing/kyc', {})).status).toBe(404);
  });

  it('refuses intents on a rejected (closed) record', async () => {
    const id = await readyCustomer(sb);
    await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    await control(sb, 'POST', `/customers/${id}/decide`, { outcome: 'reject' });
    const reply = await requestIntent(sb, id);
    expect(reply.status).toBe(409);
    expect(reply.body.error.message).toMatch(/rejected records are closed/);
  });
});

describe('error envelope', () => {
  it('answers malformed JSON and unknown routes with the JSON error shape', async () => {
    const bad = await fetch(`${sb.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_harness_key', 'content-type': 'application/json' },
      body: '{"customer_reference":',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe('invalid_request');
    const missing = await call(sb, 'GET', '/v2/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body.error.type).toBe('not_found');
  });
});
