// checkDocuments: every problem with the input documents, found before any partner call, in one failure.
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KycDocument } from '../workflows/documents';
import { InvalidKycInput } from '../workflows/failures';
import { activitiesFor, failureOf, json, run, startFakeServer } from './support/activities-env';
import {
  SAMPLE_JPEG,
  SAMPLE_PDF,
  SAMPLE_PNG,
  sha256File,
  writeSampleDocuments,
  type SampleDocuments,
} from './support/fixtures';

// No partner is involved in the check: a URL nobody listens on proves it.
const NO_PARTNER = 'http://127.0.0.1:9';

let base: string;
let root: string;
let outside: string;
let samples: SampleDocuments;
let fileServer: Awaited<ReturnType<typeof startFakeServer>>;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kyc-check-'));
  root = join(base, 'uploads');
  outside = join(base, 'elsewhere');
  await mkdir(root);
  await mkdir(outside);
  samples = await writeSampleDocuments(root);
  await writeFile(join(outside, 'secret.pdf'), SAMPLE_PDF);
  fileServer = await startFakeServer((req, res) => {
    if (req.url.startsWith('/passport.jpg'))
      return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(SAMPLE_JPEG);
    if (req.url === '/redirect') return void res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end();
    if (req.url === '/big') {
      // No Content-Length: the size is only known by counting while reading.
      res.writeHead(200, { 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' });
      res.write(Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(2048, 0x20)]));
      return void res.end(Buffer.alloc(2048, 0x20));
    }
    json(res, 404, { error: 'no such object' });
  });
});

afterAll(async () => {
  await fileServer.close();
  await rm(base, { recursive: true, force: true });
});

const doc = (
  category: KycDocument['category'],
  filename: string,
  contentType: KycDocument['contentType'],
  source: string,
): KycDocument => ({
  category,
  filename,
  contentType,
  source,
});

describe('checkDocuments', () => {
  it('measures and hashes good documents from paths, file:// URLs and allowed hosts', async () => {
    const activities = activitiesFor(NO_PARTNER, { sourceRoots: [root], sourceHosts: ['127.0.0.1'] });
    const checked = await run(activities, 'checkDocuments', [
      doc('id_document', 'passport.jpg', 'image/jpeg', samples.jpeg),
      doc('id_document_back', 'back.png', 'image/png', pathToFileURL(samples.png).href),
      doc('proof_of_address', 'bill.pdf', 'application/pdf', samples.pdf),
      doc('liveness_check', 'selfie.jpg', 'image/jpeg', `${fileServer.url}/passport.jpg?X-Amz-Signature=s3cr3t`),
    ]);
    expect(checked).toEqual([
      { category: 'id_document', bytes: SAMPLE_JPEG.length, sha256: await sha256File(samples.jpeg) },
      { category: 'id_document_back', bytes: SAMPLE_PNG.length, sha256: await sha256File(samples.png) },
      { category: 'proof_of_address', bytes: SAMPLE_PDF.length, sha256: await sha256File(samples.pdf) },
      { category: 'liveness_check', bytes: SAMPLE_JPEG.length, sha256: await sha256File(samples.jpeg) },
    ]);
  });

  it('reports a missing file', async () => {
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER), 'checkDocuments', [
        doc('id_document', 'p.jpg', 'image/jpeg', join(root, 'nope.jpg')),
      ]),
    );
    expect(failure.type).toBe(InvalidKycInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('documents[0] id_document (p.jpg): cannot read: ENOENT');
  });

  it('reports an empty file', async () => {
    const empty = join(root, 'empty.pdf');
    await writeFile(empty, '');
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER), 'checkDocuments', [doc('proof_of_address', 'bill.pdf', 'application/pdf', empty)]),
    );
    expect(failure.message).toContain('documents[0] proof_of_address (bill.pdf): file is empty');
  });

  it('reports a file over the size limit, with both sizes', async () => {
    const big = join(root, 'big.pdf');
    await writeFile(big, Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(Math.round(12.3 * 1024 * 1024) - 5, 0x20)]));
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER), 'checkDocuments', [doc('proof_of_address', 'bill.pdf', 'application/pdf', big)]),
    );
    expect(failure.message).toContain('documents[0] proof_of_address (bill.pdf): 12.3 MiB is over the 10 MiB limit');
  });

  it('stops reading a URL without Content-Length once past the limit', async () => {
    const activities = activitiesFor(NO_PARTNER, { maxFileBytes: 1024 });
    const failure = await failureOf(
      run(activities, 'checkDocuments', [
        doc('proof_of_address', 'bill.pdf', 'application/pdf', `${fileServer.url}/big`),
      ]),
    );
    expect(failure.message).toContain('over the 1 KiB limit (stopped reading)');
  });

  it('reports bytes that are not the declared type', async () => {
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER), 'checkDocuments', [doc('id_document', 'passport.jpg', 'image/jpeg', samples.png)]),
    );
    expect(failure.message).toContain(
      'documents[0] id_document (passport.jpg): bytes are PNG but contentType says image/jpeg',
    );
  });

  it('refuses a path escaping its root through ..', async () => {
    const sneaky = `${root}/../elsewhere/secret.pdf`;
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER, { sourceRoots: [root] }), 'checkDocuments', [
        doc('proof_of_address', 'bill.pdf', 'application/pdf', sneaky),
      ]),
    );
    expect(failure.message).toContain(`${sneaky} is outside the allowed source roots`);
  });

  it('refuses a path outside the roots without revealing whether it exists', async () => {
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER, { sourceRoots: [root] }), 'checkDocuments', [
        doc('id_document', 'p.jpg', 'image/jpeg', '/etc/no-such-file'),
      ]),
    );
    expect(failure.message).toContain('/etc/no-such-file is outside the allowed source roots');
    expect(failure.message).not.toContain('ENOENT');
  });

  it('refuses a symlink inside the root that points outside it', async () => {
    const link = join(root, 'innocent.pdf');
    await symlink(join(outside, 'secret.pdf'), link);
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER, { sourceRoots: [root] }), 'checkDocuments', [
        doc('proof_of_address', 'bill.pdf', 'application/pdf', link),
      ]),
    );
    expect(failure.message).toContain(`${link} resolves to`);
    expect(failure.message).toContain('outside the allowed source roots');
  });

  it('refuses a URL whose host is not allowed, without fetching it', async () => {
    const before = fileServer.requests.length;
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER, { sourceHosts: ['uploads.example.com'] }), 'checkDocuments', [
        doc('id_document', 'p.jpg', 'image/jpeg', `${fileServer.url}/passport.jpg`),
      ]),
    );
    expect(failure.message).toContain('host 127.0.0.1 is not in KYC_SOURCE_HOSTS');
    expect(fileServer.requests.length).toBe(before);
  });

  it('does not follow redirects and never shows a URL query string', async () => {
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER), 'checkDocuments', [
        doc('id_document', 'p.jpg', 'image/jpeg', `${fileServer.url}/redirect?X-Amz-Signature=s3cr3t`),
        doc('proof_of_address', 'bill.pdf', 'application/pdf', `${fileServer.url}/missing.pdf?token=s3cr3t`),
      ]),
    );
    expect(failure.message).toMatch(/documents\[0\] id_document \(p\.jpg\): cannot read .*redirect/);
    expect(failure.message).toContain('documents[1] proof_of_address (bill.pdf): cannot read');
    expect(failure.message).toContain('GET answered 404');
    expect(failure.message).not.toContain('s3cr3t');
  });

  it('refuses a relative path', async () => {
    const failure = await failureOf(
      run(activitiesFor(NO_PARTNER), 'checkDocuments', [doc('id_document', 'p.jpg', 'image/jpeg', 'uploads/p.jpg')]),
    );
    expect(failure.message).toContain('source must be an absolute path, a file:// URL or an http(s):// URL');
  });

  it('reports every problem across all documents together, one line each', async () => {
    const empty = join(root, 'empty2.pdf');
    await writeFile(empty, '');
    const activities = activitiesFor(NO_PARTNER, { sourceRoots: [root], sourceHosts: ['uploads.example.com'] });
    const failure = await failureOf(
      run(activities, 'checkDocuments', [
        doc('id_document', 'passport.jpg', 'image/jpeg', samples.png),
        doc('proof_of_address', 'bill.pdf', 'application/pdf', empty),
        doc('id_document_back', 'back.png', 'image/png', join(outside, 'secret.pdf')),
        doc('liveness_check', 'selfie.jpg', 'image/jpeg', 'http://10.0.0.5/selfie.jpg'),
        doc('liveness_check', 'fine.jpg', 'image/jpeg', samples.jpeg),
      ]),
    );
    const lines = failure.message.split('\n');
    expect(lines[0]).toBe('4 problems with the KYC documents:');
    expect(lines.slice(1)).toEqual([
      'documents[0] id_document (passport.jpg): bytes are PNG but contentType says image/jpeg',
      'documents[1] proof_of_address (bill.pdf): file is empty',
      `documents[2] id_document_back (back.png): ${join(outside, 'secret.pdf')} is outside the allowed source roots (KYC_SOURCE_ROOTS)`,
      'documents[3] liveness_check (selfie.jpg): host 10.0.0.5 is not in KYC_SOURCE_HOSTS',
    ]);
    expect(failure.details?.[0]).toHaveLength(4);
  });
});
