// Guide step 2 against the sandbox's pre-signed URLs: a streamed PUT with Content-Length, the sha256
// the partner received, expiry handled without sending, and the retry classification of each answer.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createNetServer } from 'node:net';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server';
import type { UploadIntent } from '../activities';
import type { ContentType, DocumentCategory } from '../workflows/documents';
import { InvalidKycInput, PartnerRequestRefused, PartnerUnavailable, UploadUrlExpired } from '../workflows/failures';
import {
  activitiesFor,
  activityEnv,
  failureOf,
  logText,
  run,
  startFakeServer,
  TEST_API_KEY,
} from './support/activities-env';
import { listenOnFreePort } from '../scripts/ports';
import { makeLargePdf, sha256File, writeSampleDocuments, type SampleDocuments } from './support/fixtures';
import { Rail } from '../sandbox/control-client';

const MiB = 1024 * 1024;
let sandbox: Sandbox;
let rail: Rail;
let dir: string;
let samples: SampleDocuments;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: TEST_API_KEY, review: { outcome: 'never' } });
  rail = new Rail(sandbox.url, TEST_API_KEY);
  dir = await mkdtemp(join(tmpdir(), 'kyc-upload-'));
  samples = await writeSampleDocuments(dir);
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * A young-generation collection (cheap, unlike a full one), via `gc` without restarting node with
 * --expose-gc: the stream's chunks die young, so this frees them and leaves what is retained.
 */
function exposeMinorGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
  return () => gc({ type: 'minor' });
}

async function intentFor(
  reference: string,
  category: DocumentCategory = 'id_document',
  contentType: ContentType = 'image/jpeg',
) {
  const customerId = await rail.createCustomer(reference);
  const intent = await run(activitiesFor(sandbox.url), 'requestUploadIntent', {
    customerId,
    category,
    filename: 'doc',
    contentType,
  });
  return { customerId, intent };
}

describe('putDocument (docs/partner-api.md, step 2)', () => {
  it('streams the file; the partner received exactly its bytes', async () => {
    const { customerId, intent } = await intentFor('upload-ok');
    const activity = activityEnv();
    const uploaded = await run(
      activitiesFor(sandbox.url, { sourceRoots: [dir] }),
      'putDocument',
      { source: samples.jpeg, intent },
      activity,
    );
    const inspected = await rail.inspect(customerId);
    expect(inspected.uploads).toEqual([
      expect.objectContaining({ file_id: intent.fileId, bytes: uploaded.bytes, sha256: uploaded.sha256, puts: 1 }),
    ]);
    expect(uploaded.sha256).toBe(await sha256File(samples.jpeg));
    // The upload URL's signature is a credential: logs show the path only.
    expect(logText(activity)).toContain('/uploads/');
    expect(logText(activity)).not.toContain('signature=');
  });

  it('sends exactly the required headers plus Content-Length: no bearer key, not chunked', async () => {
    const store = await startFakeServer((_req, res) => res.writeHead(200).end());
    try {
      const intent: UploadIntent = {
        fileId: 'file_h',
        uploadUrl: `${store.url}/bucket/file_h?X-Amz-Signature=s3cr3t`,
        expiresAt: new Date(Date.now() + 300_000).toISOString(),
        requiredHeaders: { 'Content-Type': 'image/jpeg', 'x-amz-meta-kyc': 'id_document' },
      };
      const uploaded = await run(activitiesFor(sandbox.url), 'putDocument', { source: samples.jpeg, intent });
      const [put] = store.requests;
      expect(put?.method).toBe('PUT');
      expect(put?.url).toBe('/bucket/file_h?X-Amz-Signature=s3cr3t');
      expect(put?.headers['content-type']).toBe('image/jpeg');
      expect(put?.headers['x-amz-meta-kyc']).toBe('id_document');
      expect(put?.headers['content-length']).toBe(String(uploaded.bytes));
      expect(put?.headers['transfer-encoding']).toBeUndefined();
      expect(put?.headers.authorization).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('a 403 on the PUT is non-retryable UploadUrlExpired', async () => {
    const customerId = await rail.createCustomer('upload-403');
    await rail.faults(customerId, { expireUploads: 1 });
    const intent = await run(activitiesFor(sandbox.url), 'requestUploadIntent', {
      customerId,
      category: 'id_document',
      filename: 'p.jpg',
      contentType: 'image/jpeg',
    });
    const failure = await failureOf(run(activitiesFor(sandbox.url), 'putDocument', { source: samples.jpeg, intent }));
    expect(failure.type).toBe(UploadUrlExpired);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('403');
    expect(failure.message).not.toContain('signature=');
  });

  it('an intent already past (or within 5 s of) expiresAt fails without any PUT', async () => {
    const { customerId, intent } = await intentFor('upload-past');
    for (const expiresAt of [new Date(Date.now() - 60_000).toISOString(), new Date(Date.now() + 2_000).toISOString()]) {
      const failure = await failureOf(
        run(activitiesFor(sandbox.url), 'putDocument', { source: samples.jpeg, intent: { ...intent, expiresAt } }),
      );
      expect(failure.type).toBe(UploadUrlExpired);
      expect(failure.nonRetryable).toBe(true);
    }
    const inspected = await rail.inspect(customerId);
    expect(inspected.uploads).toEqual([]);
    expect(inspected.upload_refusals).toEqual([]);
  });

  it('a Content-Type the URL was not signed for is refused, non-retryable, with the partner message', async () => {
    const { intent } = await intentFor('upload-type', 'id_document_back', 'image/png');
    const tampered: UploadIntent = { ...intent, requiredHeaders: { 'Content-Type': 'image/jpeg' } };
    const failure = await failureOf(
      run(activitiesFor(sandbox.url), 'putDocument', { source: samples.jpeg, intent: tampered }),
    );
    expect(failure.type).toBe(PartnerRequestRefused);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('400');
    expect(failure.message).toContain('does not match "image/png"');
  });

  it('a 429 is retryable with Retry-After as nextRetryDelay; a 5xx is retryable', async () => {
    const { customerId, intent } = await intentFor('upload-429');
    await rail.faults(customerId, { rateLimit: 1, retryAfterSeconds: 3 });
    const limited = await failureOf(run(activitiesFor(sandbox.url), 'putDocument', { source: samples.jpeg, intent }));
    expect(limited.type).toBe(PartnerUnavailable);
    expect(limited.nonRetryable).toBe(false);
    expect(limited.nextRetryDelay).toBe(3000);

    await rail.faults(customerId, { fail5xx: 1 });
    const unavailable = await failureOf(
      run(activitiesFor(sandbox.url), 'putDocument', { source: samples.jpeg, intent }),
    );
    expect(unavailable.type).toBe(PartnerUnavailable);
    expect(unavailable.nonRetryable).toBe(false);

    // And the retry goes through on the same intent.
    await run(activitiesFor(sandbox.url), 'putDocument', { source: samples.jpeg, intent });
    expect((await rail.inspect(customerId)).uploads).toHaveLength(1);
  });

  it('uploads a 20 MB file with bounded memory, heartbeating its progress', async () => {
    const big = await makeLargePdf(join(dir, 'statement.pdf'), 20 * 1000 * 1000);
    const { customerId, intent } = await intentFor('upload-big', 'proof_of_address', 'application/pdf');
    const activity = activityEnv();
    const gc = exposeMinorGc();
    gc();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakArrayBuffers = before.arrayBuffers;
    const sample = () => {
      gc(); // measure what is retained, not garbage a lazy collector has yet to free
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers);
    };
    const sampler = setInterval(sample, 10);
    activity.env.on('heartbeat', sample);
    try {
      const uploaded = await run(
        activitiesFor(sandbox.url, { maxFileBytes: 25 * MiB }),
        'putDocument',
        { source: big.path, intent },
        activity,
      );
      expect(uploaded).toEqual({ bytes: big.bytes, sha256: big.sha256 });
    } finally {
      clearInterval(sampler);
    }
    // Buffers (file chunks, socket writes) live outside the JS heap, in arrayBuffers: a buffered upload
    // would hold all 20 MB there at once. Both ends run in this process (the activity sending, the sandbox
    // receiving), and on a loaded machine each side's socket buffers fill before the other drains them: the
    // bound leaves room for that (measured up to 4.1 MiB under a full parallel suite) and still fails at 8 MiB,
    // well short of the 20 MB a buffered upload would hold. RSS is only a loose bound: it also counts allocator
    // pages that freed chunks leave behind.
    expect(peakArrayBuffers - before.arrayBuffers).toBeLessThan(8 * MiB);
    expect(peakRss - before.rss).toBeLessThan(2 * big.bytes);
    expect(activity.heartbeats.length).toBeGreaterThanOrEqual(1);
    expect(activity.heartbeats.at(-1)).toEqual({ bytesSent: big.bytes });
    const inspected = await rail.inspect(customerId);
    expect(inspected.uploads[0]).toMatchObject({ bytes: big.bytes, sha256: big.sha256 });
  });

  it('re-checks the source policy and the size limit before sending', async () => {
    const { customerId, intent } = await intentFor('upload-recheck');
    const outsideDir = await mkdtemp(join(tmpdir(), 'kyc-outside-'));
    try {
      const outsider = await writeSampleDocuments(outsideDir);
      const refused = await failureOf(
        run(activitiesFor(sandbox.url, { sourceRoots: [dir] }), 'putDocument', { source: outsider.jpeg, intent }),
      );
      expect(refused.type).toBe(InvalidKycInput);
      expect(refused.message).toContain('outside the allowed source roots');

      const grown = join(dir, 'grown.jpg');
      await writeFile(grown, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(4096)]));
      const tooBig = await failureOf(
        run(activitiesFor(sandbox.url, { maxFileBytes: 1024 }), 'putDocument', { source: grown, intent }),
      );
      expect(tooBig.type).toBe(InvalidKycInput);
      expect(tooBig.nonRetryable).toBe(true);
      expect(tooBig.message).toContain('4 KiB is over the 1 KiB limit');
    } finally {
      await rm(outsideDir, { recursive: true, force: true });
    }
    const inspected = await rail.inspect(customerId);
    expect(inspected.uploads).toEqual([]);
    expect(inspected.upload_refusals).toEqual([]);
  });

  it('uploads from an http(s) source, with or without its Content-Length', async () => {
    const bytes = Buffer.from(await import('node:fs/promises').then((fs) => fs.readFile(samples.pdf)));
    const source = await startFakeServer((req, res) => {
      if (req.url.startsWith('/chunked')) {
        res.writeHead(200, { 'transfer-encoding': 'chunked' });
        res.write(bytes.subarray(0, 10));
        return void res.end(bytes.subarray(10));
      }
      res.writeHead(200, { 'content-length': String(bytes.length) }).end(bytes);
    });
    try {
      for (const path of ['/sized.pdf?sig=abc', '/chunked.pdf?sig=abc']) {
        const { customerId, intent } = await intentFor(
          `upload-url${path.slice(0, 5)}`,
          'proof_of_address',
          'application/pdf',
        );
        const uploaded = await run(activitiesFor(sandbox.url, { sourceHosts: ['127.0.0.1'] }), 'putDocument', {
          source: `${source.url}${path}`,
          intent,
        });
        expect(uploaded.sha256).toBe(await sha256File(samples.pdf));
        expect((await rail.inspect(customerId)).uploads[0]).toMatchObject({
          bytes: bytes.length,
          sha256: uploaded.sha256,
        });
      }
    } finally {
      await source.close();
    }
  });

  it('aborts the PUT when the activity is cancelled', async () => {
    const big = await makeLargePdf(join(dir, 'slow.pdf'), 8 * MiB);
    const activity = activityEnv();
    // A store that reads the body but never answers: the upload waits until cancelled, which we do as
    // soon as the PUT is connected; the store then sees the connection closed by the worker.
    let connectionClosed!: Promise<void>;
    const server = createNetServer((socket) => {
      socket.resume();
      connectionClosed = new Promise((resolve) => socket.once('close', () => resolve()));
      activity.env.cancel();
    });
    const port = await listenOnFreePort(server);
    try {
      const intent: UploadIntent = {
        fileId: 'file_slow',
        uploadUrl: `http://127.0.0.1:${port}/uploads/file_slow?signature=s3cr3t`,
        expiresAt: new Date(Date.now() + 300_000).toISOString(),
        requiredHeaders: { 'Content-Type': 'application/pdf' },
      };
      const outcome = await run(
        activitiesFor(sandbox.url, { maxFileBytes: 25 * MiB }),
        'putDocument',
        { source: big.path, intent },
        activity,
      ).then(
        () => 'completed',
        (error: unknown) => error,
      );
      expect(outcome).toBeInstanceOf(CancelledFailure);
      await connectionClosed;
    } finally {
      server.close();
    }
  });
});

describe('uploadDocument (docs/partner-api.md, steps 1 and 2 in one activity)', () => {
  it('asks for a fresh intent and PUTs the file at once; the partner holds the bytes under that file id', async () => {
    const customerId = await rail.createCustomer('upload-composite');
    const uploaded = await run(activitiesFor(sandbox.url, { sourceRoots: [dir] }), 'uploadDocument', {
      customerId,
      document: {
        category: 'proof_of_address',
        filename: 'bill.pdf',
        contentType: 'application/pdf',
        source: samples.pdf,
      },
    });
    const inspected = await rail.inspect(customerId);
    expect(inspected.intents.map((i) => i.file_id)).toEqual([uploaded.fileId]);
    expect(inspected.uploads).toEqual([
      expect.objectContaining({
        file_id: uploaded.fileId,
        file_category: 'proof_of_address',
        sha256: await sha256File(samples.pdf),
      }),
    ]);
  });
});
