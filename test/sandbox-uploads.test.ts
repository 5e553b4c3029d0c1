// The pre-signed upload PUT: streaming hash, signature, expiry, content type, size limits.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/server';
import {
  control,
  createCustomer,
  inspect,
  putBytes,
  requestIntent,
  sha256,
  startTestSandbox,
} from './support/sandbox-harness';

const MAX = 64 * 1024;
let sb: Sandbox;
beforeAll(async () => {
  sb = await startTestSandbox({ maxUploadBytes: MAX });
});
afterAll(async () => {
  await sb.close();
});

async function intentFor(category = 'id_document', type = 'image/jpeg') {
  const id = await createCustomer(sb);
  const intent = await requestIntent(sb, id, category, type);
  expect(intent.status).toBe(200);
  return { id, fileId: intent.body.file_id as string, url: intent.body.upload_url as string };
}

describe('upload PUT', () => {
  it('stores size and sha256 of what was sent; a re-PUT replaces it', async () => {
    const { id, fileId, url } = await intentFor('proof_of_address', 'application/pdf');
    const first = randomBytes(MAX - 1);
    const put = await putBytes(url, first, 'application/pdf');
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ok: true });
    expect((await inspect(sb, id)).uploads).toEqual([
      {
        file_id: fileId,
        file_category: 'proof_of_address',
        content_type: 'application/pdf',
        bytes: first.length,
        sha256: sha256(first),
        puts: 1,
      },
    ]);

    const second = randomBytes(100);
    expect((await putBytes(url, second, 'application/pdf')).status).toBe(200);
    const [upload] = (await inspect(sb, id)).uploads;
    expect(upload).toMatchObject({ bytes: 100, sha256: sha256(second), puts: 2 });
  });

  it('accepts a chunked streamed body (no Content-Length) and hashes it while reading', async () => {
    const { id, url } = await intentFor();
    const chunks = [randomBytes(10_000), randomBytes(20_000), randomBytes(5)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const all = Buffer.concat([...chunks]);
    const response = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg' },
      body,
      duplex: 'half',
    });
    expect(response.status).toBe(200);
    expect((await inspect(sb, id)).uploads[0]).toMatchObject({ bytes: all.length, sha256: sha256(all) });
  });

  it('refuses a tampered or missing signature with 403 SignatureDoesNotMatch', async () => {
    const { id, url } = await intentFor();
    const tampered = new URL(url);
    const signature = tampered.searchParams.get('signature') ?? '';
    tampered.searchParams.set('signature', `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`);
    const longer = new URL(url);
    longer.searchParams.set('expires', String(Number(longer.searchParams.get('expires')) + 3_600_000));
    const unsigned = new URL(url);
    unsigned.searchParams.delete('signature');
    for (const bad of [tampered, longer, unsigned]) {
      const reply = await putBytes(bad.toString(), Buffer.from('x'), 'image/jpeg');
      expect(reply.status).toBe(403);
      expect(reply.body.error.type).toBe('signature_does_not_match');
      expect(reply.body.error.message).toMatch(/SignatureDoesNotMatch/);
    }
    const record = await inspect(sb, id);
    expect(record.uploads).toEqual([]);
    expect(record.upload_refusals.map((r: { status: number }) => r.status)).toEqual([403, 403, 403]);
  });

  it('refuses a wrong or missing Content-Type, naming both types', async () => {
    const { id, url } = await intentFor('id_document', 'image/png');
    const wrong = await putBytes(url, Buffer.from('png?'), 'image/jpeg');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/"image\/jpeg" does not match "image\/png"/);
    const missing = await putBytes(url, Buffer.from('png?'));
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/Missing Content-Type.*image\/png/);
    expect((await inspect(sb, id)).uploads).toEqual([]);
  });

  it('refuses a body over the limit with 413, whether declared or streamed', async () => {
    const { id, url } = await intentFor();
    const declared = await putBytes(url, randomBytes(MAX + 1), 'image/jpeg');
    expect(declared.status).toBe(413);
    expect(declared.body.error.type).toBe('payload_too_large');

    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= MAX * 4) return controller.close();
        sent += 16 * 1024;
        controller.enqueue(randomBytes(16 * 1024));
      },
    });
    const streamed = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg' },
      body,
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
    const record = await inspect(sb, id);
    expect(record.uploads).toEqual([]);
    expect(record.upload_refusals.filter((r: { status: number }) => r.status === 413)).toHaveLength(2);
  });

  it('refuses an empty body', async () => {
    const { url } = await intentFor();
    const reply = await putBytes(url, new Uint8Array(0), 'image/jpeg');
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toMatch(/Empty body/);
  });

  it('does not ask for the bearer key (the URL is the credential)', async () => {
    const { url } = await intentFor();
    const reply = await putBytes(url, Buffer.from('jpeg'), 'image/jpeg');
    expect(reply.status).toBe(200);
  });
});

describe('upload URL expiry', () => {
  it('answers 403 expired once expires has passed, telling the caller to request a fresh URL', async () => {
    const short = await startTestSandbox({ uploadUrlTtlMs: 1 });
    try {
      const id = await createCustomer(short);
      const intent = await requestIntent(short, id);
      const expires = Number(new URL(intent.body.upload_url).searchParams.get('expires'));
      // Wait on the clock itself, not a fixed sleep: a few ms at most.
      while (Date.now() <= expires) await new Promise((resolve) => setImmediate(resolve));
      const reply = await putBytes(intent.body.upload_url, Buffer.from('late'), 'image/jpeg');
      expect(reply.status).toBe(403);
      expect(reply.body.error.type).toBe('expired');
      expect(reply.body.error.message).toMatch(/request a fresh URL/);
      expect((await inspect(short, id)).upload_refusals[0]).toMatchObject({ status: 403 });
    } finally {
      await short.close();
    }
  });

  it('expires early under the expireUploads fault although expires_at is in the future', async () => {
    const id = await createCustomer(sb);
    expect((await control(sb, 'PUT', `/customers/${id}/faults`, { expireUploads: 1 })).status).toBe(200);
    const early = await requestIntent(sb, id);
    expect(Date.parse(early.body.expires_at)).toBeGreaterThan(Date.now() + 60_000);
    const refused = await putBytes(early.body.upload_url, Buffer.from('jpeg'), 'image/jpeg');
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe('expired');

    const fresh = await requestIntent(sb, id);
    expect((await putBytes(fresh.body.upload_url, Buffer.from('jpeg'), 'image/jpeg')).status).toBe(200);
    const record = await inspect(sb, id);
    expect(record.intents.map((i: { forced_expiry: boolean }) => i.forced_expiry)).toEqual([true, false]);
    expect(record.faults_injected).toBe(1);
    expect(record.uploads).toHaveLength(1);
  });
});
