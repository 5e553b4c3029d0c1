// Per-customer faults that reshape successful replies (odd but harmless shapes, unreadable bodies) and
// the status a repeat submit is refused with — all over real HTTP against an in-process sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/server';
import {
  API_KEY,
  call,
  control,
  createCustomer,
  inspect,
  readyCustomer,
  startTestSandbox,
} from './support/sandbox-harness';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb.close();
});

const setFaults = async (id: string, faults: Record<string, unknown>) => {
  const reply = await control(sb, 'PUT', `/customers/${id}/faults`, faults);
  expect(reply.status).toBe(200);
};

/** The raw text of a /v1 call, for replies that are deliberately not JSON. */
async function raw(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sb.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('repeatSubmitStatus', () => {
  it.each([400, 422, 409] as const)(
    'a second submit is refused with %i, saying it is already submitted',
    async (status) => {
      const id = await readyCustomer(sb);
      await setFaults(id, { repeatSubmitStatus: status });
      expect((await call(sb, 'POST', `/v1/customers/${id}/kyc`, {})).status).toBe(200);
      const repeat = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
      expect(repeat.status).toBe(status);
      expect(repeat.body.error.message).toMatch(/already submitted/i);
      expect(await inspect(sb, id)).toMatchObject({ status: 'pending', submit_count: 1, submit_refusals: 1 });
    },
  );

  it('defaults to 409 and refuses other statuses', async () => {
    const id = await readyCustomer(sb);
    await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect((await call(sb, 'POST', `/v1/customers/${id}/kyc`, {})).status).toBe(409);
    const bad = await control(sb, 'PUT', `/customers/${id}/faults`, { repeatSubmitStatus: 500 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/repeatSubmitStatus/);
  });
});

describe('omitSubmittedAt', () => {
  it('leaves kyc_submitted_at out of the next n customer objects, the submit reply first', async () => {
    const id = await readyCustomer(sb);
    await setFaults(id, { omitSubmittedAt: 2 });
    // Before submission there is no timestamp to leave out, so the count is not spent.
    expect((await call(sb, 'GET', `/v1/customers/${id}`)).body).not.toHaveProperty('kyc_submitted_at');
    const submitted = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ object: 'customer', id, status: 'pending' });
    expect(submitted.body).not.toHaveProperty('kyc_submitted_at');
    expect((await call(sb, 'GET', `/v1/customers/${id}`)).body).not.toHaveProperty('kyc_submitted_at');
    const third = await call(sb, 'GET', `/v1/customers/${id}`);
    expect(Date.parse(third.body.kyc_submitted_at)).not.toBeNaN();
    // The rail itself recorded the submission all along.
    expect(await inspect(sb, id)).toMatchObject({
      submit_count: 1,
      faults_injected: 2,
      faults: { omitSubmittedAt: 0 },
    });
  });
});

describe('extraReplyFields', () => {
  it('adds unknown fields, nested objects included, to every 2xx reply about the customer', async () => {
    const id = await createCustomer(sb);
    await setFaults(id, { extraReplyFields: true });
    const intent = await call(sb, 'POST', `/v1/customers/${id}/files`, {
      file_category: 'id_document',
      filename: 'passport.jpg',
      content_type: 'image/jpeg',
    });
    expect(intent.body).toMatchObject({ object: 'file_upload_intent', risk: { score: 12, flags: [] } });
    const put = await fetch(intent.body.upload_url, {
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg' },
      body: 'jpeg',
    });
    expect(put.status).toBe(200);
    const attach = await call(sb, 'POST', `/v1/customers/${id}/files/attach`, { id_file: intent.body.file_id });
    expect(attach.body).toMatchObject({
      object: 'customer_files',
      attached: { id_file: intent.body.file_id },
      metadata: { nested: { level: 2 } },
    });
    const submitted = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect(submitted.body).toMatchObject({
      object: 'customer',
      status: 'pending',
      livemode: false,
      risk: { score: 12 },
    });
    expect(Date.parse(submitted.body.kyc_submitted_at)).not.toBeNaN();
    expect((await call(sb, 'GET', `/v1/customers/${id}`)).body).toHaveProperty('metadata.source', 'sandbox');
    // Errors keep the plain envelope: the fault is about successful replies only.
    const refused = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect(refused.status).toBe(409);
    expect(Object.keys(refused.body)).toEqual(['error']);
  });
});

describe('statusOverride', () => {
  it('reports the override while pending and the real status once decided', async () => {
    const id = await readyCustomer(sb);
    await setFaults(id, { statusOverride: 'in_review' });
    expect((await call(sb, 'GET', `/v1/customers/${id}`)).body.status).toBe('created');
    const submitted = await call(sb, 'POST', `/v1/customers/${id}/kyc`, {});
    expect(submitted.body.status).toBe('in_review');
    expect((await call(sb, 'GET', `/v1/customers/${id}`)).body.status).toBe('in_review');
    expect((await inspect(sb, id)).status).toBe('pending');
    expect((await control(sb, 'POST', `/customers/${id}/decide`, { outcome: 'verify' })).status).toBe(200);
    expect((await call(sb, 'GET', `/v1/customers/${id}`)).body).toMatchObject({ status: 'verified' });
  });
});

describe('garbleReplies', () => {
  it('sends the next n 2xx bodies as non-JSON although the work is done', async () => {
    const id = await readyCustomer(sb);
    await setFaults(id, { garbleReplies: 2 });
    // A refusal is not a 2xx: it stays readable and does not spend the count.
    expect((await call(sb, 'POST', `/v1/customers/${id}/files/attach`, { id_file: 'file_nope' })).status).toBe(400);
    const submitted = await raw('POST', `/v1/customers/${id}/kyc`, {});
    expect(submitted.status).toBe(200);
    expect(isJson(submitted.text)).toBe(false);
    expect(await inspect(sb, id)).toMatchObject({ status: 'pending', submit_count: 1 });
    const read = await raw('GET', `/v1/customers/${id}`);
    expect(read.status).toBe(200);
    expect(isJson(read.text)).toBe(false);
    const clean = await call(sb, 'GET', `/v1/customers/${id}`);
    expect(clean.body).toMatchObject({ id, status: 'pending' });
    expect(await inspect(sb, id)).toMatchObject({ faults_injected: 2, faults: { garbleReplies: 0 } });
  });

  it('leaves the control API and other customers alone', async () => {
    const id = await readyCustomer(sb);
    const other = await readyCustomer(sb);
    await setFaults(id, { garbleReplies: 5, extraReplyFields: true });
    expect((await call(sb, 'GET', `/v1/customers/${other}`)).body).not.toHaveProperty('risk');
    const record = await control(sb, 'GET', `/customers/${id}`);
    expect(record.body).toMatchObject({ id, faults: { garbleReplies: 5 } });
    expect(record.body).not.toHaveProperty('risk');
  });
});
