// What Temporal stores when the payload keys are on: runs go through the real worker (codec + encoded failures) on
// the dev server, then their raw histories are read by a client WITHOUT the codec, as anyone with access to the
// cluster (or its database) would read them. No customer reference, filename, source path or rejection reason may
// appear in any payload, failure or user-metadata byte. By design, the CustomerReference search attribute stays
// plain (operators filter by it; search attributes cannot be encrypted), so search-attribute fields are skipped.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { kycStartOptions } from '../client/start-options';
import { dataConverterFromEnv } from '../common/data-converter';
import { kycWorkflow } from '../workflows';
import { customerRejected } from '../workflows/messages';
import { CustomerReference } from '../workflows/search-attributes';
import { startKyc, startKycHarness, waitForStage, type KycHarness } from './support/kyc-harness';
import { devServerAddress } from './support/temporal';

const payloadKeys = `pii-test:${randomBytes(32).toString('base64')}`;
const dataConverter = dataConverterFromEnv({ KYC_PAYLOAD_KEYS: payloadKeys });
const tag = randomBytes(4).toString('hex');

let nativeConnection: NativeConnection;
let connection: Connection;
/** The backend's client: same keys as the worker. */
let client: Client;
/** Someone reading Temporal directly: no keys. */
let raw: Client;
let h: KycHarness;

beforeAll(async () => {
  nativeConnection = await NativeConnection.connect({ address: devServerAddress() });
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection, dataConverter });
  raw = new Client({ connection });
  h = await startKycHarness(nativeConnection, {}, { dataConverter });
});
afterAll(async () => {
  await h?.close();
  await connection?.close();
  await nativeConnection?.close();
});

/** Every string and byte array of a history, with the path it was found at; search-attribute fields skipped. */
function recordedTexts(history: unknown): Array<{ path: string; text: string }> {
  const found: Array<{ path: string; text: string }> = [];
  const walk = (value: unknown, path: string) => {
    if (value instanceof Uint8Array) found.push({ path, text: Buffer.from(value).toString('latin1') });
    else if (typeof value === 'string') found.push({ path, text: value });
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'searchAttributes') continue; // the documented exception (README, security notes)
        walk(inner, `${path}.${key}`);
      }
    }
  };
  walk(history, 'history');
  return found;
}

function leaks(history: unknown, secrets: string[]): string[] {
  return recordedTexts(history).flatMap(({ path, text }) =>
    secrets.filter((secret) => text.includes(secret)).map((secret) => `"${secret}" in plain text at ${path}`),
  );
}

describe('PII protection: raw history read without the codec', () => {
  it('a rejected run: no customer reference, filename, source path or rejection reason in the clear', async () => {
    const reference = `pii-ref-${tag}`;
    const reason = `PII-REASON-${tag}: blurry scan of the passport`;
    const { customerId, handle } = await startKyc(client, h, reference);
    await waitForStage(handle, 'pending_review');
    await h.rail.decide(customerId, 'reject', reason);
    await handle.signal(customerRejected, {
      object: 'customer',
      id: customerId,
      customer_reference: reference,
      status: 'rejected',
      rejection_reason: reason,
    });
    // With the keys, the backend reads everything: the run really carried these values.
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'rejected', customerReference: reference, rejectionReason: reason });
    expect(result.retryCustomerReference).toBe(`${reference}-r2`);

    const history = await raw.workflow.getHandle(handle.workflowId).fetchHistory();
    const secrets = [
      reference,
      reason,
      `PII-REASON-${tag}`,
      h.docsDir,
      ...h.documents.flatMap((d) => [d.filename, d.source]),
    ];
    expect(leaks(history, secrets)).toEqual([]);
    // The scan did read the payloads: they are there, encrypted under the key id.
    const texts = recordedTexts(history).map((t) => t.text);
    expect(texts.filter((t) => t === 'binary/encrypted').length).toBeGreaterThan(5);
    expect(texts).toContain('pii-test');
    // Without the codec, the result cannot be read as JSON.
    await expect(raw.workflow.getHandle(handle.workflowId).result()).rejects.toThrow();
    // The documented exception: the reference stays searchable.
    expect(
      (await raw.workflow.getHandle(handle.workflowId).describe()).typedSearchAttributes.get(CustomerReference),
    ).toBe(reference);
  });

  it('a run failing with InvalidKycInput for a file path: the message and path are encrypted too', async () => {
    const reference = `pii-bad-${tag}`;
    const missing = `${h.docsDir}/private-${tag}-scan.jpg`;
    const customerId = await h.rail.createCustomer(reference);
    const handle = await client.workflow.start(
      kycWorkflow,
      kycStartOptions(
        {
          customerId,
          customerReference: reference,
          documents: [{ ...h.documents[0]!, filename: `private-${tag}-scan.jpg`, source: missing }],
        },
        h.taskQueue,
      ),
    );
    const failure = (await handle.result().catch((err: unknown) => err)) as WorkflowFailedError;
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    // With the keys, the failure reads as usual.
    expect(failure.cause).toBeInstanceOf(ApplicationFailure);
    expect((failure.cause as ApplicationFailure).type).toBe('InvalidKycInput');
    expect(failure.cause?.message).toContain(`private-${tag}-scan.jpg`);

    const history = await raw.workflow.getHandle(handle.workflowId).fetchHistory();
    expect(leaks(history, [reference, missing, `private-${tag}`, h.docsDir])).toEqual([]);
    const failed = history.events?.find(
      (e) => e.workflowExecutionFailedEventAttributes,
    )?.workflowExecutionFailedEventAttributes;
    expect(failed?.failure?.message).toBe('Encoded failure');
    expect(failed?.failure?.applicationFailureInfo?.type).toBe('InvalidKycInput');
  });
});
