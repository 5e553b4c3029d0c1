// prepareRun, a run's first step: the input parsed (every problem listed in one InvalidKycInput), the sources
// checked before any partner call, and the worker's settings handed to the run — all recorded in its history.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedRun } from '../activities';
import { InvalidKycInput } from '../workflows/failures';
import { activitiesFor, activityEnv, failureOf, run } from './support/activities-env';
import { sha256File, writeSampleDocuments, type SampleDocuments } from './support/fixtures';

// No partner is involved in preparing a run: a URL nobody listens on proves it.
const NO_PARTNER = 'http://127.0.0.1:9';
let dir: string;
let samples: SampleDocuments;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kyc-prepare-'));
  samples = await writeSampleDocuments(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const input = (overrides: Record<string, unknown> = {}) => ({
  customerId: 'ckcust_prep1',
  customerReference: 'pouch-user-1',
  documents: [{ category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg }],
  ...overrides,
});

describe('prepareRun', () => {
  it('returns the parsed input with its defaults, the checked documents and the default settings', async () => {
    const prepared = await run(activitiesFor(NO_PARTNER, { sourceRoots: [dir] }), 'prepareRun', input());
    expect(prepared.input).toMatchObject({
      customerId: 'ckcust_prep1',
      customerReference: 'pouch-user-1',
      timing: { firstPollAfter: 15 * 60_000, maxPollInterval: 2 * 3_600_000, escalateAfter: 24 * 3_600_000 },
    });
    expect(prepared.documents).toEqual([
      { category: 'id_document', bytes: expect.any(Number), sha256: await sha256File(samples.jpeg) },
    ]);
    expect(prepared.settings).toEqual({
      minPollIntervalMs: 60_000,
      maxUrlRefreshes: 3,
      uploadConcurrency: 3,
      rejectionReasonGraceMs: 15 * 60_000,
    });
  });

  it("hands out the worker's settings where it overrides them", async () => {
    const activities = activitiesFor(NO_PARTNER, { runSettings: { minPollIntervalMs: 1, uploadConcurrency: 1 } });
    const { settings } = await run(activities, 'prepareRun', input());
    expect(settings).toEqual({
      minPollIntervalMs: 1,
      maxUrlRefreshes: 3,
      uploadConcurrency: 1,
      rejectionReasonGraceMs: 15 * 60_000,
    });
  });

  it('an invalid input fails with InvalidKycInput listing every problem, one a line, before reading any source', async () => {
    const raw = input({
      customerId: 'cust_42',
      documents: [
        { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'text/plain', source: '/nowhere/bill.pdf' },
        {
          category: 'proof_of_address',
          filename: 'bill2.pdf',
          contentType: 'application/pdf',
          source: '/nowhere/bill2.pdf',
        },
      ],
    });
    const failure = await failureOf(run(activitiesFor(NO_PARTNER), 'prepareRun', raw));
    expect(failure.type).toBe(InvalidKycInput);
    expect(failure.nonRetryable).toBe(true);
    const [header, ...lines] = failure.message.split('\n');
    expect(header).toBe('Invalid KYC input:');
    expect(lines).toEqual(failure.details);
    expect(lines.some((l) => l.startsWith('customerId:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('documents.0.contentType:'))).toBe(true);
    expect(lines).toContain('documents.1.category: more than one proof_of_address');
    expect(lines).toContain('documents: an id_document document is required');
    // Only the input's own problems: the missing files were never looked at.
    expect(failure.message).not.toContain('ENOENT');
  });

  it('a source that cannot be used is InvalidKycInput naming the document', async () => {
    const raw = input({
      documents: [
        { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: join(dir, 'gone.jpg') },
      ],
    });
    const failure = await failureOf(run(activitiesFor(NO_PARTNER), 'prepareRun', raw));
    expect(failure.type).toBe(InvalidKycInput);
    expect(failure.message).toContain('documents[0] id_document (passport.jpg): cannot read: ENOENT');
  });

  it('with checkSources false (a resumed run the partner already holds) the sources are not read', async () => {
    const raw = input({
      documents: [
        {
          category: 'id_document',
          filename: 'passport.jpg',
          contentType: 'image/jpeg',
          source: join(dir, 'deleted-since.jpg'),
        },
      ],
    });
    const activities = activitiesFor(NO_PARTNER);
    const resumed: PreparedRun = await activityEnv().env.run(
      (r: unknown, o: { checkSources?: boolean }) => activities.prepareRun(r, o),
      raw,
      {
        checkSources: false,
      },
    );
    expect(resumed.documents).toEqual([]);
    expect(resumed.input.documents[0]?.filename).toBe('passport.jpg');
  });
});
