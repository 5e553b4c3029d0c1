// uploadDocument and its source: the source is opened before any upload intent is requested, a URL source
// that stalls fails within the request timeout instead of hanging the activity, and a source that keeps
// failing ends the run clearly (DocumentSourceFailed) after a bounded number of attempts.
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server';
import type { KycDocument } from '../workflows/documents';
import { DocumentSourceFailed, InvalidKycInput, SourceChanged, SourceUnavailable } from '../workflows/failures';
import { activitiesFor, activityEnv, failureOf, run, startFakeServer, TEST_API_KEY } from './support/activities-env';
import { writeSampleDocuments, type SampleDocuments } from './support/fixtures';
import { Rail } from '../sandbox/control-client';

let sandbox: Sandbox;
let rail: Rail;
let dir: string;
let samples: SampleDocuments;
let pdf: Buffer;
let sourceServer: Awaited<ReturnType<typeof startFakeServer>>;
let served = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: TEST_API_KEY, review: { outcome: 'never' } });
  rail = new Rail(sandbox.url, TEST_API_KEY);
  dir = await mkdtemp(join(tmpdir(), 'kyc-sources-'));
  samples = await writeSampleDocuments(dir);
  pdf = await readFile(samples.pdf);
  sourceServer = await startFakeServer((req, res) => {
    const path = req.url.split('?')[0];
    if (path === '/down.pdf') return void res.writeHead(503).end();
    if (path === '/silent.pdf') return; // never answers
    if (path === '/stalls.pdf') {
      // Headers and a first chunk, no length, then nothing: only counting it would tell its size.
      res.writeHead(200, { 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' });
      return void res.write(pdf.subarray(0, 10));
    }
    if (path === '/growing.pdf') {
      // A file still being written: every read is longer than the last.
      served += 1;
      res.writeHead(200, { 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' });
      return void res.end(Buffer.concat([pdf, Buffer.alloc(served * 10, 0x20)]));
    }
    res.writeHead(404).end();
  });
});
afterAll(async () => {
  await sourceServer.close();
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

const pdfFrom = (source: string, filename = 'bill.pdf'): KycDocument => ({
  category: 'proof_of_address',
  filename,
  contentType: 'application/pdf',
  source,
});
const upload = (customerId: string, document: KycDocument, attempt = 1, overrides = {}) =>
  run(
    activitiesFor(sandbox.url, { requestTimeoutMs: 300, ...overrides }),
    'uploadDocument',
    { customerId, document },
    activityEnv({ attempt }),
  );

describe('the source is opened before the upload intent', () => {
  it('a missing file fails without costing the partner an intent', async () => {
    const customerId = await rail.createCustomer('source-missing');
    const failure = await failureOf(upload(customerId, pdfFrom(join(dir, 'gone.pdf'))));
    expect(failure.type).toBe(InvalidKycInput);
    expect(failure.message).toContain('ENOENT');
    expect((await rail.inspect(customerId)).intents).toEqual([]);
  });

  it('a URL source answering 503 fails, retryable, without an intent', async () => {
    const customerId = await rail.createCustomer('source-503');
    const failure = await failureOf(upload(customerId, pdfFrom(`${sourceServer.url}/down.pdf?sig=s3cr3t`)));
    expect(failure.type).toBe(SourceUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('GET answered 503');
    expect((await rail.inspect(customerId)).intents).toEqual([]);
  });
});

describe('URL sources have timeouts', () => {
  it('a source that never answers fails within the request timeout, without an intent', async () => {
    const customerId = await rail.createCustomer('source-silent');
    const failure = await failureOf(upload(customerId, pdfFrom(`${sourceServer.url}/silent.pdf`)));
    expect(failure.type).toBe(SourceUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('no answer within 300 ms');
    expect((await rail.inspect(customerId)).intents).toEqual([]);
  });

  it('a source that stalls mid-body fails once no data came for the request timeout', async () => {
    const customerId = await rail.createCustomer('source-stalls');
    const failure = await failureOf(upload(customerId, pdfFrom(`${sourceServer.url}/stalls.pdf`)));
    expect(failure.type).toBe(SourceUnavailable);
    expect(failure.message).toContain('no data for 300 ms');
    expect((await rail.inspect(customerId)).intents).toEqual([]);
  });

  it('the pre-flight check reports a stalled source as a problem instead of hanging', async () => {
    const activities = activitiesFor(sandbox.url, { requestTimeoutMs: 300 });
    const failure = await failureOf(run(activities, 'checkDocuments', [pdfFrom(`${sourceServer.url}/stalls.pdf`)]));
    expect(failure.type).toBe(InvalidKycInput);
    expect(failure.message).toContain('proof_of_address (bill.pdf): cannot read');
    expect(failure.message).toContain('no data for 300 ms');
  });
});

describe('a source that keeps failing ends the run clearly', () => {
  it('stays retryable before the last attempt, then becomes a final DocumentSourceFailed naming the document', async () => {
    const customerId = await rail.createCustomer('source-attempts');
    const document = pdfFrom(`${sourceServer.url}/down.pdf?X-Amz-Signature=s3cr3t`, 'march-bill.pdf');
    const fourth = await failureOf(upload(customerId, document, 4));
    expect(fourth.type).toBe(SourceUnavailable);
    expect(fourth.nonRetryable).toBe(false);

    const fifth = await failureOf(upload(customerId, document, 5));
    expect(fifth.type).toBe(DocumentSourceFailed);
    expect(fifth.nonRetryable).toBe(true);
    expect(fifth.message).toContain('proof_of_address (march-bill.pdf)');
    expect(fifth.message).toContain('stayed unavailable over 5 upload attempts');
    expect(fifth.message).toContain('GET answered 503');
    expect(fifth.message).toContain('/down.pdf');
    expect(fifth.message).not.toContain('s3cr3t');
    expect((await rail.inspect(customerId)).intents).toEqual([]);
  });

  it('the limit follows the worker setting', async () => {
    const customerId = await rail.createCustomer('source-attempts-2');
    const failure = await failureOf(
      upload(customerId, pdfFrom(`${sourceServer.url}/down.pdf`), 2, { sourceAttempts: 2 }),
    );
    expect(failure.type).toBe(DocumentSourceFailed);
    expect(failure.message).toContain('over 2 upload attempts');
  });

  it('a source that keeps changing while uploaded fails the same way, saying so', async () => {
    const customerId = await rail.createCustomer('source-growing');
    const document = pdfFrom(`${sourceServer.url}/growing.pdf`);
    const changed = await failureOf(upload(customerId, document, 1));
    expect(changed.type).toBe(SourceChanged);
    expect(changed.nonRetryable).toBe(false);
    const last = await failureOf(upload(customerId, document, 5));
    expect(last.type).toBe(DocumentSourceFailed);
    expect(last.message).toContain(
      'proof_of_address (bill.pdf): its source kept changing while it was uploaded over 5 upload attempts',
    );
    expect((await rail.inspect(customerId)).uploads).toEqual([]);
  });
});
