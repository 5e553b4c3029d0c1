// The hostile input matrix, boundary 3 of 3: what reaches the webhook receiver over real HTTP. Every row is one hostile
// delivery and the exact answer docs/webhook-receiver.md gives it (400/401/404/405/413/415, a JSON error naming the problem, never
// a 5xx). Most rows aim at a live KYC run waiting for its review: afterwards that run has heard nothing, and one
// genuine delivery still ends it as verified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { kycStartOptions } from '../client/start-options';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../webhook-receiver/receiver';
import { signWebhook } from '../common/webhook-signature';
import { kycWorkflow } from '../workflows';
import { customerIdProblem } from '../workflows/customer-id';
import type { KycInput } from '../workflows/input';
import { statusQuery } from '../workflows/messages';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleDocuments } from './support/fixtures';
import { goodDocuments, reportMatrix, startHostileWorker, until, type HostileWorker } from './support/hostile-harness';
import { devServerAddress } from './support/temporal';
import { nowSeconds, postWebhook, rejectedEvent, request, verifiedEvent, type Answer } from './support/webhooks';

const secret = 'whsec_hostile_matrix';
let native: NativeConnection;
let connection: Connection;
let client: Client;
let h: HostileWorker;
let docsDir: string;
let receiver: RunningWebhookReceiver;
/** The receiver's clock runs this far ahead of ours (the replay row moves it). */
let skewMs = 0;
/**
 * The receiver's clock held still, for rows that sign at its exact edge: the receiver reads whole seconds, so a
 * second boundary crossed between signing and receiving would move a 301 s offset to 300 s (inside the window).
 */
let heldMs: number | undefined;
/** Signs `offsetSeconds` from the receiver's clock, held still while the delivery is received. */
async function atHeldClock(offsetSeconds: number, body: object): Promise<Answer> {
  heldMs = Date.now();
  try {
    return await postWebhook(receiver.url, body, { ...signed, t: Math.floor(heldMs / 1000) + offsetSeconds });
  } finally {
    heldMs = undefined;
  }
}
/** A customer with a KYC run waiting for its review: the target of most rows. */
let live: string;

beforeAll(async () => {
  docsDir = mkdtempSync(join(tmpdir(), 'kyc-hostile-webhooks-'));
  const samples = await writeSampleDocuments(docsDir);
  native = await NativeConnection.connect({ address: devServerAddress() });
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
  h = await startHostileWorker(native, { env: { KYC_SOURCE_ROOTS: docsDir } });
  receiver = await startWebhookReceiver({
    client,
    secrets: [secret],
    port: 0,
    now: () => heldMs ?? Date.now() + skewMs,
  });

  live = await h.rail.createCustomer('hostile-webhook-live');
  const input: KycInput = {
    customerId: live,
    customerReference: 'hostile-webhook-live',
    documents: goodDocuments(samples),
  };
  const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, h.taskQueue));
  await until(
    'the live run waits for the review',
    async () => (await handle.query(statusQuery)).stage === 'pending_review',
  );
});

afterAll(async () => {
  await receiver?.close();
  await h?.close();
  await connection?.close();
  await native?.close();
  if (docsDir) rmSync(docsDir, { recursive: true, force: true });
});

const unknownCustomer = () => `ckcust_nobody${Date.now()}${Math.floor(Math.random() * 1e6)}`;
const signed = { secrets: secret };
/** `depth` arrays inside each other: `[[[…]]]`. */
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

interface Row {
  name: string;
  send: () => Promise<Answer>;
  status: number;
  type: string;
  says: string;
}

const rows: Row[] = [
  {
    name: 'malformed JSON (correctly signed)',
    send: () => postWebhook(receiver.url, `{"event":"customer_verified","data":{"id":"${live}"`, signed),
    status: 400,
    type: 'invalid_json',
    says: 'body is not valid JSON',
  },
  {
    name: 'wrong content type (text/plain, correctly signed)',
    send: () => postWebhook(receiver.url, verifiedEvent(live, 'x'), { ...signed, contentType: 'text/plain' }),
    status: 415,
    type: 'unsupported_media_type',
    says: 'Content-Type must be application/json',
  },
  {
    name: 'no Content-Type at all',
    send: () =>
      request(receiver.url, '/webhooks/technest', {
        method: 'POST',
        body: Buffer.from(JSON.stringify(verifiedEvent(live, 'x'))),
      }),
    status: 415,
    type: 'unsupported_media_type',
    says: 'Content-Type must be application/json',
  },
  {
    name: 'oversized: 65 KiB, correctly signed',
    send: () => postWebhook(receiver.url, verifiedEvent(live, 'x', { padding: 'x'.repeat(65 * 1024) }), signed),
    status: 413,
    type: 'payload_too_large',
    says: 'body is larger than 65536 bytes',
  },
  {
    name: 'forged signature (a secret we do not hold)',
    send: () => postWebhook(receiver.url, verifiedEvent(live, 'x'), { secrets: 'whsec_attacker' }),
    status: 401,
    type: 'invalid_signature',
    says: 'Technest-Signature does not match the body',
  },
  {
    name: 'no signature header',
    send: () => postWebhook(receiver.url, verifiedEvent(live, 'x'), { signature: null }),
    status: 401,
    type: 'invalid_signature',
    says: 'missing Technest-Signature header',
  },
  {
    name: 'a v1 that is not a SHA-256 hex digest',
    send: () => postWebhook(receiver.url, verifiedEvent(live, 'x'), { signature: `t=${nowSeconds()},v1=not-hex` }),
    status: 401,
    type: 'invalid_signature',
    says: 'Technest-Signature has no valid v1= signature',
  },
  {
    name: 'stale timestamp (301 s old), valid HMAC',
    send: () => atHeldClock(-301, verifiedEvent(live, 'x')),
    status: 401,
    type: 'invalid_signature',
    says: 'Technest-Signature timestamp is more than 300 s from now',
  },
  {
    name: 'timestamp from the future (301 s ahead), valid HMAC',
    send: () => atHeldClock(301, verifiedEvent(live, 'x')),
    status: 401,
    type: 'invalid_signature',
    says: 'Technest-Signature timestamp is more than 300 s from now',
  },
  {
    name: 'replayed: the same signed delivery re-sent 301 s later',
    send: async () => {
      const body = JSON.stringify(verifiedEvent(unknownCustomer(), 'replayed'));
      const signature = signWebhook(secret, body);
      // The first delivery is authentic: it gets as far as looking for the run (404, none exists).
      const first = await postWebhook(receiver.url, body, { signature });
      expect(first.status).toBe(404);
      skewMs = 301_000;
      try {
        return await postWebhook(receiver.url, body, { signature });
      } finally {
        skewMs = 0;
      }
    },
    status: 401,
    type: 'invalid_signature',
    says: 'Technest-Signature timestamp is more than 300 s from now',
  },
  {
    name: 'tampered body: the reason changed after signing',
    send: () => {
      const body = JSON.stringify(rejectedEvent(live, 'hostile-webhook-live', 'document expired'));
      return postWebhook(receiver.url, body.replace('document expired', 'fraud suspected'), {
        signature: signWebhook(secret, body),
      });
    },
    status: 401,
    type: 'invalid_signature',
    says: 'Technest-Signature does not match the body',
  },
  {
    name: 'tampered body: verified swapped for rejected after signing',
    send: () => {
      const body = JSON.stringify(rejectedEvent(live, 'hostile-webhook-live', 'x'));
      return postWebhook(receiver.url, body.replaceAll('rejected', 'verified'), {
        signature: signWebhook(secret, body),
      });
    },
    status: 401,
    type: 'invalid_signature',
    says: 'Technest-Signature does not match the body',
  },
  {
    name: 'an unknown event ("customer_frozen")',
    send: () => postWebhook(receiver.url, { event: 'customer_frozen', data: verifiedEvent(live, 'x').data }, signed),
    status: 400,
    type: 'invalid_event',
    says: 'unknown event "customer_frozen": this endpoint accepts customer_verified, customer_rejected',
  },
  {
    name: 'no event name at all',
    send: () => postWebhook(receiver.url, { data: verifiedEvent(live, 'x').data }, signed),
    status: 400,
    type: 'invalid_event',
    says: 'event is required: one of customer_verified, customer_rejected',
  },
  {
    name: 'an unknown customer (no KYC run)',
    send: () => postWebhook(receiver.url, verifiedEvent('ckcust_never_onboarded', 'x'), signed),
    status: 404,
    type: 'customer_not_found',
    says: 'no KYC workflow for customer ckcust_never_onboarded',
  },
  {
    name: 'data.id that is not a ckcust id',
    send: () => postWebhook(receiver.url, verifiedEvent('cus_123', 'x'), signed),
    status: 400,
    type: 'invalid_event',
    says: `data.id: ${customerIdProblem}`,
  },
  {
    name: 'data.id smuggling another workflow id',
    send: () => postWebhook(receiver.url, verifiedEvent(`${live}/../kyc-other`, 'x'), signed),
    status: 400,
    type: 'invalid_event',
    says: `data.id: ${customerIdProblem}`,
  },
  {
    name: 'a status that contradicts the event',
    send: () => postWebhook(receiver.url, verifiedEvent(live, 'x', { status: 'rejected' }), signed),
    status: 400,
    type: 'invalid_event',
    says: 'data.status: must be "verified" in a customer_verified event',
  },
  {
    name: 'verified_at that is not a timestamp',
    send: () => postWebhook(receiver.url, verifiedEvent(live, 'x', { verified_at: 'yesterday' }), signed),
    status: 400,
    type: 'invalid_event',
    says: 'data.verified_at: must be an ISO 8601 timestamp',
  },
  {
    name: 'a JSON array body',
    send: () => postWebhook(receiver.url, [verifiedEvent(live, 'x')], signed),
    status: 400,
    type: 'invalid_event',
    says: 'body must be a JSON object with "event" and "data"',
  },
  {
    name: 'JSON null',
    send: () => postWebhook(receiver.url, 'null', signed),
    status: 400,
    type: 'invalid_event',
    says: 'body must be a JSON object with "event" and "data"',
  },
  {
    name: 'deeply nested JSON (20 000 levels of arrays)',
    send: () => postWebhook(receiver.url, nested(20_000), signed),
    status: 400,
    type: 'invalid_event',
    says: 'body must be a JSON object with "event" and "data"',
  },
  {
    // The extra field is tolerated (the partner may add fields), but must not break forwarding the event.
    name: 'a valid event with 20 000 levels of arrays in an extra data field',
    send: () => {
      const id = unknownCustomer();
      const event = JSON.stringify(verifiedEvent(id, 'deep')).replace(/}}$/, `,"extra":${nested(20_000)}}}`);
      return postWebhook(receiver.url, event, signed);
    },
    status: 404,
    type: 'customer_not_found',
    says: 'no KYC workflow for customer ckcust_nobody',
  },
  {
    name: 'a __proto__ key in data (prototype pollution attempt)',
    send: () =>
      postWebhook(
        receiver.url,
        `{"event":"customer_verified","data":{"object":"customer","id":"${unknownCustomer()}","customer_reference":"p","status":"verified","__proto__":{"polluted":"yes"}}}`,
        signed,
      ),
    status: 404,
    type: 'customer_not_found',
    says: 'no KYC workflow for customer ckcust_nobody',
  },
  {
    name: 'PUT instead of POST',
    send: () =>
      request(receiver.url, '/webhooks/technest', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    status: 405,
    type: 'method_not_allowed',
    says: 'PUT is not allowed on /webhooks/technest: use POST',
  },
];

describe('hostile input matrix — webhooks', () => {
  it(`has ${rows.length} rows`, () => {
    reportMatrix('webhooks', rows);
    expect(rows.length).toBeGreaterThanOrEqual(20);
  });

  // One after the other: the replay row moves the receiver's clock.
  it.for(rows)('$name', async (row, { expect }) => {
    const answer = await row.send();
    expect(answer.status).toBeLessThan(500);
    expect(answer.status).toBe(row.status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toEqual({ error: { type: row.type, message: expect.any(String) } });
    expect(answer.body.error.message).toContain(row.says);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('after the matrix', () => {
  it('the live run heard none of it, and one genuine delivery still ends it as verified', async () => {
    const handle = client.workflow.getHandle(`kyc-${live}`);
    const status = await handle.query(statusQuery);
    expect(status.stage).toBe('pending_review');
    expect(status.outcome).toBeUndefined();
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes) ?? []).toHaveLength(0);
    expect((await request(receiver.url, '/healthz')).status).toBe(200);

    const answer = await postWebhook(receiver.url, verifiedEvent(live, 'hostile-webhook-live'), signed);
    expect(answer).toMatchObject({ status: 200, body: { status: 'delivered' } });
    expect(await handle.result()).toMatchObject({ status: 'verified', customerId: live });
    expect((await h.rail.inspect(live)).submit_count).toBe(1);
  });
});
