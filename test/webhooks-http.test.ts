// Every HTTP answer of the webhook receiver (docs/webhook-receiver.md) that does not need a KYC run: bad input never earns a
// 5xx, bad signatures a 401, and so on. Real HTTP against a receiver whose client talks to the real dev server.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../webhook-receiver/receiver';
import { signWebhook } from '../common/webhook-signature';
import { freePort } from '../scripts/ports';
import { devServerAddress } from './support/temporal';
import { nowSeconds, postWebhook, rejectedEvent, request, verifiedEvent } from './support/webhooks';

const newSecret = 'whsec_new_2026';
const oldSecret = 'whsec_old_2025';
let connection: Connection;
let client: Client;
let receiver: RunningWebhookReceiver;
const logLines: string[] = [];

beforeAll(async () => {
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  receiver = await startWebhookReceiver({
    client,
    secrets: [newSecret],
    port: 0,
    logger: { level: 'info', stream: logs },
  });
});

afterAll(async () => {
  await receiver?.close();
  await connection?.close();
});

// No KYC workflow exists for this id: a request that passes every check answers 404, proving it got that far.
const unknownCustomer = () => `ckcust_unknown${Date.now()}`;

const expectError = (answer: { status: number; body: any }, status: number, type: string, message?: RegExp) => {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({ error: { type, message: expect.any(String) } });
  if (message) expect(answer.body.error.message).toMatch(message);
};

describe('GET /healthz and unknown paths', () => {
  it('healthz answers 200 ok', async () => {
    const answer = await request(receiver.url, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
  });

  it('an unknown path is a JSON 404', async () => {
    expectError(await request(receiver.url, '/webhooks/other'), 404, 'not_found', /\/webhooks\/technest/);
  });
});

describe('POST /webhooks/technest: refusals', () => {
  it('404 when no KYC workflow was ever started for the customer', async () => {
    const id = unknownCustomer();
    const answer = await postWebhook(receiver.url, verifiedEvent(id, 'nobody'), { secrets: newSecret });
    expectError(answer, 404, 'customer_not_found', new RegExp(id));
  });

  it.each(['GET', 'PUT', 'DELETE'])('405 with Allow: POST for %s', async (method) => {
    const answer = await request(receiver.url, '/webhooks/technest', {
      method,
      ...(method === 'PUT' ? { headers: { 'content-type': 'application/json' }, body: '{' } : {}),
    });
    expectError(answer, 405, 'method_not_allowed', new RegExp(method));
    expect(answer.headers.get('allow')).toBe('POST');
  });

  it('413 for a body over 64 KiB, whatever it holds', async () => {
    const event = verifiedEvent(unknownCustomer(), 'big', { padding: 'x'.repeat(64 * 1024) });
    expectError(await postWebhook(receiver.url, event, { secrets: newSecret }), 413, 'payload_too_large', /65536/);
  });

  it('415 for text/plain, even when correctly signed', async () => {
    const answer = await postWebhook(receiver.url, verifiedEvent(unknownCustomer(), 'text'), {
      secrets: newSecret,
      contentType: 'text/plain',
    });
    expectError(answer, 415, 'unsupported_media_type', /application\/json/);
  });

  it('accepts application/json with a charset', async () => {
    const answer = await postWebhook(receiver.url, verifiedEvent(unknownCustomer(), 'charset'), {
      secrets: newSecret,
      contentType: 'application/json; charset=utf-8',
    });
    expect(answer.status).toBe(404); // past every check: only the customer is unknown
  });
});

describe('POST /webhooks/technest: 400 for what is not a valid event', () => {
  it('malformed JSON (correctly signed)', async () => {
    expectError(
      await postWebhook(receiver.url, '{"event": "customer_verified", ', { secrets: newSecret }),
      400,
      'invalid_json',
    );
  });

  it('missing data.id', async () => {
    const event = verifiedEvent('x', 'ref');
    delete (event.data as { id?: string }).id;
    expectError(await postWebhook(receiver.url, event, { secrets: newSecret }), 400, 'invalid_event', /data\.id/);
  });

  it('a status that contradicts the event', async () => {
    const event = verifiedEvent(unknownCustomer(), 'ref', { status: 'rejected' });
    expectError(
      await postWebhook(receiver.url, event, { secrets: newSecret }),
      400,
      'invalid_event',
      /data\.status.*verified/,
    );
  });

  it('an event this endpoint does not take names the ones it accepts', async () => {
    const event = { event: 'customer_updated', data: { object: 'customer', id: unknownCustomer() } };
    const answer = await postWebhook(receiver.url, event, { secrets: newSecret });
    expectError(answer, 400, 'invalid_event', /customer_updated.*customer_verified, customer_rejected/);
  });

  it('unknown extra fields in data are tolerated', async () => {
    const event = rejectedEvent(unknownCustomer(), 'ref', 'blurry', { livemode: false, metadata: { a: 1 } });
    expect((await postWebhook(receiver.url, event, { secrets: newSecret })).status).toBe(404);
  });
});

describe('POST /webhooks/technest: 401 for a missing, bad or stale signature', () => {
  const event = () => verifiedEvent(unknownCustomer(), 'ref');

  it('missing Technest-Signature header', async () => {
    expectError(await postWebhook(receiver.url, event(), { signature: null }), 401, 'invalid_signature', /missing/);
  });

  it('signed with a secret we do not hold', async () => {
    expectError(await postWebhook(receiver.url, event(), { secrets: 'whsec_attacker' }), 401, 'invalid_signature');
  });

  it('a body changed after signing', async () => {
    const body = JSON.stringify(event());
    const signature = signWebhook(newSecret, body);
    const tampered = body.replace('"verified"', '"verified" ');
    expectError(await postWebhook(receiver.url, tampered, { signature }), 401, 'invalid_signature', /does not match/);
  });

  it('a stale timestamp (301 s old), even with a valid HMAC', async () => {
    const answer = await postWebhook(receiver.url, event(), { secrets: newSecret, t: nowSeconds() - 301 });
    expectError(answer, 401, 'invalid_signature', /300 s/);
  });

  it('garbage in the header', async () => {
    expectError(await postWebhook(receiver.url, event(), { signature: 'sha256=abc' }), 401, 'invalid_signature');
  });

  it('a forged body is refused before it is parsed: not even JSON errors leak', async () => {
    expectError(await postWebhook(receiver.url, '{not json', { secrets: 'whsec_attacker' }), 401, 'invalid_signature');
  });
});

describe('secret rotation', () => {
  it('an event signed with the old secret passes while both are configured, and not once only the new one is', async () => {
    const both = await startWebhookReceiver({ client, secrets: [newSecret, oldSecret], port: 0 });
    try {
      const signedOld = verifiedEvent(unknownCustomer(), 'rotation');
      expect((await postWebhook(both.url, signedOld, { secrets: oldSecret })).status).toBe(404);
      expect((await postWebhook(both.url, signedOld, { secrets: newSecret })).status).toBe(404);
      // The partner's own rotation: both v1 entries in one header.
      expect((await postWebhook(both.url, signedOld, { secrets: [newSecret, oldSecret] })).status).toBe(404);
    } finally {
      await both.close();
    }
    const signedOld = verifiedEvent(unknownCustomer(), 'rotation');
    expectError(await postWebhook(receiver.url, signedOld, { secrets: oldSecret }), 401, 'invalid_signature');
  });
});

describe('Temporal unreachable', () => {
  it('503 with Retry-After: our fault, the partner should retry', async () => {
    const port = await freePort();
    const down = Connection.lazy({ address: `127.0.0.1:${port}` });
    const lonely = await startWebhookReceiver({
      client: new Client({ connection: down }),
      secrets: [newSecret],
      port: 0,
      temporalTimeoutMs: 1000,
    });
    try {
      const answer = await postWebhook(lonely.url, verifiedEvent(unknownCustomer(), 'down'), { secrets: newSecret });
      expectError(answer, 503, 'temporal_unavailable', /retry/);
      expect(answer.headers.get('retry-after')).toBeTruthy();
      // Bad input is still a 4xx even while Temporal is down.
      expect((await postWebhook(lonely.url, '{', { secrets: newSecret })).status).toBe(400);
    } finally {
      await lonely.close();
      await down.close();
    }
  });
});

describe('logging', () => {
  it('logs event, customer and outcome, never the body, the signature or the secret', async () => {
    const id = unknownCustomer();
    const body = JSON.stringify(rejectedEvent(id, 'private-reference-42', 'private reason'));
    const signature = signWebhook(newSecret, body);
    await postWebhook(receiver.url, body, { signature });
    const logs = logLines.join('');
    expect(logs).toContain(id);
    expect(logs).toMatch(/"event":"customer_rejected"/);
    expect(logs).toMatch(/"outcome":"no_workflow"/);
    for (const secretThing of [
      newSecret,
      signature,
      signature.split('v1=')[1]!,
      'private-reference-42',
      'private reason',
    ]) {
      expect(logs).not.toContain(secretThing);
    }
  });
});
