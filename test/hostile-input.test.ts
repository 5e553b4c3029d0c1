// The hostile input matrix, boundary 1 of 3: the workflow input, through a real KYC worker on the dev server.
// Every row is one hostile input and the exact words it must fail with: a non-retryable InvalidKycInput naming the
// problem, before any partner call (the sandbox saw no intent, no upload, no attach, no submit for that customer).
// Boundary 2 (partner replies) is hostile-partner.test.ts, boundary 3 (webhooks) hostile-webhooks.test.ts.
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { kycStartOptions } from '../client/start-options';
import { kycWorkflow } from '../workflows';
import type { KycInput } from '../workflows/input';
import { customerVerified, statusQuery } from '../workflows/messages';
import { json, startFakeServer } from './support/activities-env';
import {
  goodDocuments,
  reportMatrix,
  runFailure,
  startHostileWorker,
  until,
  writeHostileFiles,
  type HostileFiles,
  type HostileWorker,
} from './support/hostile-harness';
import { devServerAddress } from './support/temporal';
import { verifiedData } from './support/decisions';
import { SAMPLE_JPEG, SAMPLE_PDF } from './support/fixtures';

const MAX_FILE_BYTES = 64 * 1024;

let native: NativeConnection;
let connection: Connection;
let client: Client;
let h: HostileWorker;
let files: HostileFiles;
let docHost: Awaited<ReturnType<typeof startFakeServer>>;

beforeAll(async () => {
  files = await writeHostileFiles(MAX_FILE_BYTES);
  // The one host documents may come from (KYC_SOURCE_HOSTS names it with its port): it serves a good file, a
  // redirect to the cloud metadata address, a file with no Content-Length over the limit, and a 404.
  docHost = await startFakeServer((req, res) => {
    if (req.url === '/passport.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(SAMPLE_JPEG);
    if (req.url === '/redirect.pdf')
      return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/endless.pdf') {
      res.writeHead(200, { 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' });
      res.write(SAMPLE_PDF);
      return void res.end(Buffer.alloc(MAX_FILE_BYTES, 0x20));
    }
    json(res, 404, { error: 'no such object' });
  });
  native = await NativeConnection.connect({ address: devServerAddress() });
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
  h = await startHostileWorker(native, {
    env: {
      KYC_SOURCE_ROOTS: files.roots.join(','),
      KYC_SOURCE_HOSTS: `127.0.0.1:${docHost.port}`,
      KYC_MAX_FILE_BYTES: String(MAX_FILE_BYTES),
    },
  });
});

afterAll(async () => {
  await h?.close();
  await docHost?.close();
  await connection?.close();
  await native?.close();
  files?.close();
});

type Doc = KycInput['documents'][number];

interface Ctx {
  files: HostileFiles;
  /** The document host's base URL (allowed) and its port. */
  host: string;
  port: number;
}

interface Row {
  name: string;
  /** Turns a valid input (one good id_document, no country) into the hostile one. */
  input: (valid: KycInput, c: Ctx) => unknown;
  /** Every one of these must appear in the failure's message. */
  says: string[] | ((c: Ctx) => string[]);
  /** Nor may the message show this (a secret the input carried). */
  never?: string;
}

const id = (valid: KycInput): Doc => valid.documents[0]!;
/** The valid input with its only document replaced by `doc`. */
const withDoc = (valid: KycInput, doc: Partial<Doc>): KycInput => ({ ...valid, documents: [{ ...id(valid), ...doc }] });
const source = (valid: KycInput, src: string): KycInput => withDoc(valid, { source: src });
const problem = (doc: string, text: string) => `documents[0] id_document (${doc}): ${text}`;

const rows: Row[] = [
  // Schema: the input object itself.
  {
    name: 'missing customerId',
    input: ({ customerId: _, ...rest }) => rest,
    says: ['Invalid KYC input:', 'customerId: Invalid input: expected string, received undefined'],
  },
  {
    name: 'customerId of the wrong type (a number)',
    input: (valid) => ({ ...valid, customerId: 42 }),
    says: ['customerId: Invalid input: expected string, received number'],
  },
  {
    name: 'customerId smuggling a path into partner URLs',
    input: (valid) => ({ ...valid, customerId: `${valid.customerId}/../../ckcust_other` }),
    says: ['customerId: must be a Technest customer id'],
  },
  {
    name: 'not an object at all (null)',
    input: () => null,
    says: ['input: Invalid input: expected object, received null'],
  },
  {
    name: 'an extra timing field',
    input: (valid) => ({ ...valid, timing: { firstPollAfter: '15m', pollEvery: '1s' } }),
    says: ['timing: Unrecognized key: "pollEvery"'],
  },
  {
    name: 'a duration that is not one ("tomorrow")',
    input: (valid) => ({ ...valid, timing: { escalateAfter: 'tomorrow' } }),
    says: ['timing.escalateAfter: "tomorrow" is not a positive duration (e.g. "15m", "2h", 90000)'],
  },
  {
    name: 'a negative duration ("-5m")',
    input: (valid) => ({ ...valid, timing: { firstPollAfter: '-5m' } }),
    says: ['timing.firstPollAfter: "-5m" is not a positive duration'],
  },
  {
    name: 'a content type the partner does not take (image/gif)',
    input: (valid) => withDoc(valid, { contentType: 'image/gif' as never }),
    says: ['documents.0.contentType: Invalid option: expected one of "image/jpeg"|"image/png"|"application/pdf"'],
  },
  {
    name: 'a country that is not ISO 3166-1 alpha-2 ("gb")',
    input: (valid) => ({ ...valid, country: 'gb' }),
    says: ['country: must be an ISO 3166-1 alpha-2 code such as "GB"'],
  },
  // Categories.
  {
    name: 'two id_documents',
    input: (valid) => ({ ...valid, documents: [id(valid), { ...id(valid), filename: 'passport-2.jpg' }] }),
    says: ['documents.1.category: more than one id_document'],
  },
  {
    name: 'no id_document',
    input: (valid, c) => ({
      ...valid,
      documents: [
        {
          category: 'proof_of_address',
          filename: 'bill.pdf',
          contentType: 'application/pdf',
          source: c.files.good.pdf,
        },
      ],
    }),
    says: ['documents: an id_document document is required'],
  },
  {
    name: 'country US without its proof_of_address',
    input: (valid) => ({ ...valid, country: 'US' }),
    says: ['documents: a proof_of_address document is required for country US'],
  },
  {
    name: 'an unknown category ("selfie")',
    input: (valid) => ({ ...valid, documents: [id(valid), { ...id(valid), category: 'selfie' }] }),
    says: [
      'documents.1.category: Invalid option: expected one of "id_document"|"id_document_back"|"proof_of_address"|"liveness_check"',
    ],
  },
  // Sizes.
  {
    name: 'an empty file',
    input: (valid, c) =>
      withDoc(valid, { filename: 'empty.pdf', contentType: 'application/pdf', source: c.files.empty }),
    says: ['1 problem with the KYC documents:', problem('empty.pdf', 'file is empty')],
  },
  {
    name: 'a file one byte over KYC_MAX_FILE_BYTES',
    input: (valid, c) =>
      withDoc(valid, { filename: 'big.pdf', contentType: 'application/pdf', source: c.files.oversized }),
    says: [problem('big.pdf', '64 KiB is over the 64 KiB limit')],
  },
  {
    name: 'a URL without Content-Length that streams past the limit',
    input: (valid, c) =>
      withDoc(valid, { filename: 'endless.pdf', contentType: 'application/pdf', source: `${c.host}/endless.pdf` }),
    says: [problem('endless.pdf', 'more than 64 KiB: over the 64 KiB limit (stopped reading)')],
  },
  // Spoofed types.
  {
    name: 'PNG bytes declared image/jpeg',
    input: (valid, c) => source(valid, c.files.pngNamedJpeg),
    says: [problem('passport.jpg', 'bytes are PNG but contentType says image/jpeg')],
  },
  {
    name: 'a text file named .pdf, declared application/pdf',
    input: (valid, c) =>
      withDoc(valid, { filename: 'notes.pdf', contentType: 'application/pdf', source: c.files.textNamedPdf }),
    says: [problem('notes.pdf', 'bytes are not PDF (application/pdf); they start with 6a 75 73 74 20 73 6f 6d')],
  },
  // Unreadable sources.
  {
    name: 'a missing file inside the root',
    input: (valid, c) => source(valid, `${c.files.root}/nowhere.jpg`),
    says: [problem('passport.jpg', 'cannot read: ENOENT no such file or directory')],
  },
  {
    name: 'a directory',
    input: (valid, c) => source(valid, c.files.directory),
    says: [problem('passport.jpg', 'cannot read: not a regular file')],
  },
  {
    name: 'a file we may not read (permission denied)',
    input: (valid, c) => source(valid, c.files.unreadable),
    says: [problem('passport.jpg', 'cannot read: EACCES permission denied')],
  },
  {
    // Opening a FIFO for reading blocks until a writer comes: the check must not wait for one (it would hold a
    // libuv thread forever, and with it the worker's shutdown).
    name: 'a named pipe (FIFO) inside the root',
    input: (valid, c) => source(valid, c.files.fifo),
    says: [problem('passport.jpg', 'cannot read: not a regular file')],
  },
  {
    name: 'a relative path',
    input: (valid) => source(valid, 'passport.jpg'),
    says: [problem('passport.jpg', 'source must be an absolute path, a file:// URL or an http(s):// URL')],
  },
  {
    name: 'a scheme that is neither file nor http(s) (ftp://)',
    input: (valid) => source(valid, 'ftp://127.0.0.1/passport.jpg'),
    says: [problem('passport.jpg', 'source must be an absolute path, a file:// URL or an http(s):// URL')],
  },
  // Path tricks.
  {
    name: '.. escaping KYC_SOURCE_ROOTS',
    input: (valid, c) => source(valid, `${c.files.root}/../elsewhere/secret.pdf`),
    says: (c) => [
      problem(
        'passport.jpg',
        `${c.files.root}/../elsewhere/secret.pdf is outside the allowed source roots (KYC_SOURCE_ROOTS)`,
      ),
    ],
  },
  {
    name: 'a symlink inside the root pointing outside',
    input: (valid, c) => source(valid, c.files.symlinkOutside),
    says: (c) => [
      problem(
        'passport.jpg',
        `${c.files.symlinkOutside} resolves to ${c.files.secretOutside}, which is outside the allowed source roots (KYC_SOURCE_ROOTS)`,
      ),
    ],
  },
  {
    name: 'a file:// URL outside the roots',
    input: (valid) => source(valid, 'file:///etc/passwd'),
    says: [problem('passport.jpg', '/etc/passwd is outside the allowed source roots (KYC_SOURCE_ROOTS)')],
  },
  {
    name: 'a file:// URL escaping through percent-encoded dots (%2e%2e)',
    input: (valid, c) => source(valid, `${pathToFileURL(c.files.root).href}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`),
    says: [problem('passport.jpg', '/etc/passwd is outside the allowed source roots (KYC_SOURCE_ROOTS)')],
  },
  {
    name: 'a file:// URL naming another host',
    input: (valid) => source(valid, 'file://fileserver.internal/etc/passwd'),
    says: [
      problem(
        'passport.jpg',
        'source is not a usable file:// URL (File URL host must be "localhost" or empty on linux)',
      ),
    ],
  },
  {
    name: 'an http URL to the cloud metadata address 169.254.169.254',
    input: (valid) => source(valid, 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'),
    says: [problem('passport.jpg', 'host 169.254.169.254 is not in KYC_SOURCE_HOSTS')],
  },
  {
    name: 'an http URL to 127.0.0.1 on a port KYC_SOURCE_HOSTS does not name',
    input: (valid, c) => source(valid, `http://127.0.0.1:${c.port + 1}/admin`),
    says: [problem('passport.jpg', 'host 127.0.0.1 is not in KYC_SOURCE_HOSTS')],
  },
  {
    name: 'an allowed host:port in the userinfo, the real host elsewhere',
    input: (valid, c) => source(valid, `http://127.0.0.1:${c.port}@169.254.169.254/passport.jpg`),
    says: [problem('passport.jpg', 'host 169.254.169.254 is not in KYC_SOURCE_HOSTS')],
  },
  {
    name: 'localhost instead of the allowed 127.0.0.1',
    input: (valid, c) => source(valid, `http://localhost:${c.port}/passport.jpg`),
    says: [problem('passport.jpg', 'host localhost is not in KYC_SOURCE_HOSTS')],
  },
  {
    name: 'an allowed host redirecting to 169.254.169.254',
    input: (valid, c) => source(valid, `${c.host}/redirect.pdf`),
    says: (c) => [
      problem('passport.jpg', `cannot read ${c.host}/redirect.pdf: it answered a redirect, which is not followed`),
    ],
  },
  {
    name: 'an allowed host answering 404, with a pre-signed query that must not be shown',
    input: (valid, c) => source(valid, `${c.host}/gone.jpg?X-Amz-Signature=s3cr3t`),
    says: (c) => [problem('passport.jpg', `cannot read ${c.host}/gone.jpg: GET answered 404`)],
    never: 's3cr3t',
  },
];

describe('hostile input matrix — workflow input', () => {
  it(`has ${rows.length} rows`, () => {
    reportMatrix('workflow input', rows);
    expect(rows.length).toBeGreaterThanOrEqual(25);
  });

  it.concurrent.for(rows.map((row, i) => ({ ...row, i })))('$name', async ({ input, says, never, i }, { expect }) => {
    const reference = `hostile-input-${i}`;
    const customerId = await h.rail.createCustomer(reference);
    const valid: KycInput = {
      customerId,
      customerReference: reference,
      documents: [
        { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: files.good.jpeg },
      ],
    };
    const ctx: Ctx = { files, host: docHost.url, port: docHost.port };
    // The run's id stays the customer's even when the input lost or mangled customerId.
    await client.workflow.start(kycWorkflow, {
      ...kycStartOptions(valid, h.taskQueue),
      args: [input(valid, ctx) as KycInput],
    });

    const { root } = await runFailure(client, `kyc-${customerId}`);
    expect(root.type).toBe('InvalidKycInput');
    expect(root.nonRetryable).toBe(true);
    for (const text of typeof says === 'function' ? says(ctx) : says) expect(root.message).toContain(text);
    if (never) expect(root.message).not.toContain(never);

    const partner = await h.rail.inspect(customerId);
    expect({
      intents: partner.intents,
      uploads: partner.uploads,
      attach_count: partner.attach_count,
      submit_count: partner.submit_count,
    }).toEqual({ intents: [], uploads: [], attach_count: 0, submit_count: 0 });
  });
});

describe('after the matrix', () => {
  it('the same worker still serves a normal onboarding to verified', async () => {
    const customerId = await h.rail.createCustomer('hostile-input-normal');
    const input: KycInput = {
      customerId,
      customerReference: 'hostile-input-normal',
      documents: goodDocuments(files.good),
    };
    const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, h.taskQueue));
    await until(
      'the run waits for the review',
      async () => (await handle.query(statusQuery)).stage === 'pending_review',
    );
    await handle.signal(customerVerified, verifiedData(customerId, 'hostile-input-normal'));
    expect(await handle.result()).toMatchObject({ status: 'verified', customerId });
    const partner = await h.rail.inspect(customerId);
    expect(partner.uploads).toHaveLength(3);
    expect(partner.submit_count).toBe(1);
  });
});
