// The hostile input matrix, boundary 2 of 3: what the partner answers. A scripted fake partner (real HTTP) answers
// each row's call with something its guide never describes; the activity must turn it into the right typed failure
// with a specific message — PartnerReplyInvalid (non-retryable), PartnerRequestRefused with the partner's words, or
// a retryable PartnerUnavailable. The last rows run whole workflows through a real worker whose partner is the same
// fake, passing every unscripted call through to the sandbox; afterwards that worker still onboards a customer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { kycStartOptions } from '../client/start-options';
import { kycWorkflow } from '../workflows';
import {
  CustomerStillPending,
  PartnerReplyInvalid,
  PartnerRequestRefused,
  PartnerUnavailable,
  UploadUrlExpired,
} from '../workflows/failures';
import type { KycInput } from '../workflows/input';
import { customerVerified, statusQuery } from '../workflows/messages';
import {
  activitiesFor,
  failureOf,
  json,
  run,
  startFakeServer,
  TEST_API_KEY,
  type RecordedRequest,
} from './support/activities-env';
import { writeSampleDocuments, type SampleDocuments } from './support/fixtures';
import {
  goodDocuments,
  reportMatrix,
  runFailure,
  startHostileWorker,
  until,
  type HostileWorker,
} from './support/hostile-harness';
import { verifiedData } from './support/decisions';
import { devServerAddress } from './support/temporal';

type Reply = (res: ServerResponse, req: RecordedRequest) => void;
type Call = 'intent' | 'put' | 'attach' | 'submit' | 'poll';

/** Where each call lands at the partner, for a customer id. */
const routeOf: Record<Call, (id: string) => string> = {
  intent: (id) => `POST /v1/customers/${id}/files`,
  put: (id) => `PUT /upload/${id}`,
  attach: (id) => `POST /v1/customers/${id}/files/attach`,
  submit: (id) => `POST /v1/customers/${id}/kyc`,
  poll: (id) => `GET /v1/customers/${id}`,
};

// Scripted answers by "METHOD /path"; anything else is passed through to the sandbox.
const scripted = new Map<string, Reply>();
let sandboxUrl = '';
let partner: Awaited<ReturnType<typeof startFakeServer>>;
let samples: SampleDocuments;
let docsDir: string;
let native: NativeConnection;
let connection: Connection;
let client: Client;
let h: HostileWorker;

async function passThrough(req: RecordedRequest, res: ServerResponse): Promise<void> {
  const upstream = await forward(req);
  res
    .writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' })
    .end(await upstream.text());
}

beforeAll(async () => {
  docsDir = mkdtempSync(join(tmpdir(), 'kyc-hostile-partner-'));
  samples = await writeSampleDocuments(docsDir);
  partner = await startFakeServer((req, res) => {
    const reply = scripted.get(`${req.method} ${req.url.split('?')[0]}`);
    if (reply) return reply(res, req);
    passThrough(req, res).catch((error: unknown) => json(res, 502, { error: { message: String(error) } }));
  });
  native = await NativeConnection.connect({ address: devServerAddress() });
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
  h = await startHostileWorker(native, {
    partnerUrl: (sandbox) => {
      sandboxUrl = sandbox.url;
      return partner.url;
    },
    env: { KYC_SOURCE_ROOTS: docsDir },
  });
});

afterAll(async () => {
  await h?.close();
  await partner?.close();
  await connection?.close();
  await native?.close();
  rmSync(docsDir, { recursive: true, force: true });
});

const later = () => new Date(Date.now() + 5 * 60_000).toISOString();
const goodIntent = (id: string) => ({
  object: 'file_upload_intent',
  file_id: `file_${id}`,
  upload_url: `${partner.url}/upload/${id}`,
  expires_at: later(),
  required_headers: { 'Content-Type': 'image/jpeg' },
});
const htmlPage = (status: number) => (res: ServerResponse) =>
  void res
    .writeHead(status, { 'content-type': 'text/html' })
    .end(
      `<!DOCTYPE html><html><head><title>${status} Internal Server Error</title></head><body><h1>nginx</h1></body></html>`,
    );
const raw =
  (status: number, body: string, type = 'application/json') =>
  (res: ServerResponse) =>
    void res.writeHead(status, { 'content-type': type }).end(body);

/** Sends the request on to the sandbox, as it came. */
function forward(req: RecordedRequest): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type', 'accept']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return fetch(`${sandboxUrl}${req.url}`, {
    method: req.method,
    headers,
    ...(req.method === 'GET' ? {} : { body: req.body }),
  });
}

/** Runs `call` for customer `id` against the fake partner, as the worker would. */
function invoke(call: Call, id: string) {
  const activities = activitiesFor(partner.url, { sourceRoots: [docsDir] });
  switch (call) {
    case 'intent':
      return run(activities, 'requestUploadIntent', {
        customerId: id,
        category: 'id_document',
        filename: 'passport.jpg',
        contentType: 'image/jpeg',
      });
    case 'put':
      return run(activities, 'putDocument', {
        source: samples.jpeg,
        intent: {
          fileId: `file_${id}`,
          uploadUrl: `${partner.url}/upload/${id}`,
          expiresAt: later(),
          requiredHeaders: { 'Content-Type': 'image/jpeg' },
        },
      });
    case 'attach':
      return run(activities, 'attachDocuments', { customerId: id, slots: { id_file: `file_${id}` } });
    case 'submit':
      return run(activities, 'submitKyc', { customerId: id });
    case 'poll':
      return run(activities, 'pollCustomerDecision', { customerId: id });
  }
}

interface Row {
  name: string;
  call: Call;
  /** The hostile answer to `call`, plus any other call's answer the row needs. */
  replies: Partial<Record<Call, Reply>>;
  /** The failure expected, unless the row expects the activity to tolerate the answer (`returns`). */
  type?: string;
  nonRetryable?: boolean;
  /** What a tolerated answer makes the activity return. */
  returns?: Record<string, unknown>;
  says: string[];
  /** For a retryable 429: the delay the partner asked for, or undefined when it said nothing usable. */
  nextRetryDelay?: number | undefined;
}

const replyInvalid = { type: PartnerReplyInvalid, nonRetryable: true } as const;
const refused = { type: PartnerRequestRefused, nonRetryable: true } as const;
const unavailable = { type: PartnerUnavailable, nonRetryable: false } as const;
const stillPending = { type: CustomerStillPending, nonRetryable: false } as const;
const notAsDescribed = (call: string) => `Technest's reply to Technest ${call} is not what its guide describes:`;

const rows: Row[] = [
  {
    // Cut short or garbled on the way: read again on the next attempt (a fresh intent costs nothing).
    name: 'upload intent: malformed JSON with 200',
    call: 'intent',
    replies: { intent: raw(200, '{"object":"file_upload_intent","file_id":') },
    ...unavailable,
    says: [notAsDescribed('POST /v1/customers/ckcust_row0/files'), 'the body is not JSON'],
  },
  {
    name: 'upload intent: no upload_url',
    call: 'intent',
    replies: { intent: (res, req) => json(res, 200, { ...goodIntent(idOf(req)), upload_url: undefined }) },
    ...replyInvalid,
    says: ['upload_url: Invalid input: expected string, received undefined'],
  },
  {
    name: 'upload intent: fields of the wrong types',
    call: 'intent',
    replies: {
      intent: (res, req) =>
        json(res, 200, { ...goodIntent(idOf(req)), file_id: 42, expires_at: 'tomorrow', required_headers: 'none' }),
    },
    ...replyInvalid,
    says: [
      'file_id: Invalid input: expected string, received number',
      'expires_at: Invalid ISO datetime',
      'required_headers: Invalid input: expected record, received string',
    ],
  },
  {
    name: 'upload intent: an upload_url with a file:// scheme',
    call: 'intent',
    replies: { intent: (res, req) => json(res, 200, { ...goodIntent(idOf(req)), upload_url: 'file:///etc/passwd' }) },
    ...replyInvalid,
    says: ['upload_url: Invalid URL'],
  },
  {
    name: 'upload intent: an upload_url with a gopher:// scheme',
    call: 'intent',
    replies: {
      intent: (res, req) => json(res, 200, { ...goodIntent(idOf(req)), upload_url: 'gopher://169.254.169.254:70/_' }),
    },
    ...replyInvalid,
    says: ['upload_url: Invalid URL'],
  },
  {
    name: 'upload intent: a JSON array instead of an object',
    call: 'intent',
    replies: { intent: raw(200, '[{"object":"file_upload_intent"}]') },
    ...replyInvalid,
    says: ['reply: Invalid input: expected object, received array'],
  },
  {
    name: 'upload intent: a reply over 1 MiB',
    call: 'intent',
    replies: {
      intent: (res, req) => json(res, 200, { ...goodIntent(idOf(req)), padding: 'x'.repeat(2 * 1024 * 1024) }),
    },
    ...unavailable,
    says: ['the body is not JSON'],
  },
  {
    name: 'upload intent: an HTML error page with 500',
    call: 'intent',
    replies: { intent: htmlPage(500) },
    ...unavailable,
    says: ['Technest POST /v1/customers/ckcust_row7/files answered 500: <!DOCTYPE html>'],
  },
  {
    name: 'upload intent: 502 with no body',
    call: 'intent',
    replies: { intent: raw(502, '') },
    ...unavailable,
    says: ['Technest POST /v1/customers/ckcust_row8/files answered 502'],
  },
  {
    name: 'upload intent: the connection dropped before any answer',
    call: 'intent',
    replies: { intent: (res) => void res.socket?.destroy() },
    ...unavailable,
    says: ['Technest POST /v1/customers/ckcust_row9/files failed:'],
  },
  {
    name: 'upload intent: 429 with a Retry-After that is not a delay',
    call: 'intent',
    replies: {
      intent: (res) =>
        json(res, 429, { error: { type: 'rate_limited', message: 'slow down' } }, { 'retry-after': 'soon-ish' }),
    },
    ...unavailable,
    says: ['answered 429: slow down (rate_limited)'],
    nextRetryDelay: undefined,
  },
  {
    name: 'upload PUT: an HTML error page with 500',
    call: 'put',
    replies: { put: htmlPage(500) },
    ...unavailable,
    says: ['answered 500'],
  },
  {
    name: 'upload PUT: 403 (the URL expired)',
    call: 'put',
    replies: {
      put: raw(
        403,
        '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
        'application/xml',
      ),
    },
    type: UploadUrlExpired,
    nonRetryable: true,
    says: ['403'],
  },
  {
    name: 'attach: 400 with no body at all',
    call: 'attach',
    replies: { attach: raw(400, '') },
    ...refused,
    says: ['Technest POST /v1/customers/ckcust_row13/files/attach answered 400'],
  },
  {
    name: 'attach: 400 with a plain-text body',
    call: 'attach',
    replies: { attach: raw(400, 'id_file_back is not accepted for this country', 'text/plain') },
    ...refused,
    says: ['answered 400: id_file_back is not accepted for this country'],
  },
  {
    name: "attach: 422 with the partner's error envelope",
    call: 'attach',
    replies: {
      attach: (res) =>
        json(res, 422, { error: { type: 'invalid_request_error', message: 'id_file is not an uploaded file' } }),
    },
    ...refused,
    says: ['answered 422: id_file is not an uploaded file (invalid_request_error)'],
  },
  {
    name: 'attach: 200 with a JSON string instead of an envelope',
    call: 'attach',
    replies: { attach: raw(200, '"ok"') },
    ...replyInvalid,
    says: ['reply: Invalid input: expected object, received string'],
  },
  {
    // The partner accepted (2xx): a status its guide does not name is logged, never a failure.
    name: 'submit: an unexpected customer status ("frozen")',
    call: 'submit',
    replies: {
      submit: (res, req) =>
        json(res, 200, {
          object: 'customer',
          id: idOf(req),
          status: 'frozen',
          kyc_submitted_at: new Date().toISOString(),
        }),
    },
    returns: { alreadySubmitted: false, submittedAt: expect.any(String) },
    says: [],
  },
  {
    name: 'submit: pending without kyc_submitted_at',
    call: 'submit',
    replies: { submit: (res, req) => json(res, 200, { object: 'customer', id: idOf(req), status: 'pending' }) },
    returns: { alreadySubmitted: false },
    says: [],
  },
  {
    name: 'submit: 409, yet the customer was never submitted',
    call: 'submit',
    replies: {
      submit: (res) => json(res, 409, { error: { type: 'conflict', message: 'customer is locked' } }),
      poll: (res, req) => json(res, 200, { object: 'customer', id: idOf(req), status: 'created' }),
    },
    ...refused,
    says: ['answered 409: customer is locked (conflict)'],
  },
  {
    // After a submit only a decision ends a run: an unknown status waits on, as pending.
    name: 'poll: an unexpected customer status ("frozen")',
    call: 'poll',
    replies: { poll: (res, req) => json(res, 200, { object: 'customer', id: idOf(req), status: 'frozen' }) },
    ...stillPending,
    says: ['customer ckcust_row20 is still "frozen" (read as pending) review'],
  },
  {
    name: 'poll: a submitted customer back at "created"',
    call: 'poll',
    replies: { poll: (res, req) => json(res, 200, { object: 'customer', id: idOf(req), status: 'created' }) },
    ...stillPending,
    says: ['customer ckcust_row21 is still "created" (read as pending) review'],
  },
  {
    // Unreadable is retried, not final: the next poll reads again.
    name: 'poll: JSON null',
    call: 'poll',
    replies: { poll: raw(200, 'null') },
    ...unavailable,
    says: ['reply: Invalid input: expected object, received null', '(read again on the next attempt)'],
  },
  {
    name: 'poll: 401 echoing our API key back',
    call: 'poll',
    replies: {
      poll: (res) =>
        json(res, 401, { error: { type: 'authentication_error', message: `Invalid API key ${TEST_API_KEY}` } }),
    },
    ...refused,
    says: ['answered 401: Invalid API key', '(authentication_error)'],
  },
  {
    name: 'submit: 422 "already submitted" although the customer is pending (a lost first answer)',
    call: 'submit',
    replies: {
      submit: (res) => json(res, 422, { error: { type: 'invalid_request', message: 'KYC already submitted' } }),
      poll: (res, req) =>
        json(res, 200, {
          object: 'customer',
          id: idOf(req),
          status: 'pending',
          kyc_submitted_at: new Date().toISOString(),
        }),
    },
    returns: { alreadySubmitted: true, submittedAt: expect.any(String) },
    says: [],
  },
  {
    name: 'submit: 200 with an HTML page instead of the customer',
    call: 'submit',
    replies: { submit: htmlPage(200) },
    ...unavailable,
    says: ['the body is not JSON', '(read again on the next attempt)'],
  },
  {
    name: 'poll: a customer with fields the guide does not describe',
    call: 'poll',
    replies: {
      poll: (res, req) =>
        json(res, 200, { object: 'customer', id: idOf(req), status: 'verified', livemode: false, risk: { score: 3 } }),
    },
    returns: { status: 'verified' },
    says: [],
  },
];

/** Rows are addressed by customer id `ckcust_row<index>`; a reply finds its row's id in the request path. */
function idOf(req: RecordedRequest): string {
  return /\/(ckcust_[A-Za-z0-9_]+)/.exec(req.url)?.[1] ?? /\/upload\/([^/?]+)/.exec(req.url)?.[1] ?? 'unknown';
}

describe('hostile input matrix — partner replies (activities)', () => {
  it(`has ${rows.length} activity rows`, () => {
    reportMatrix('partner replies (activities)', rows);
    expect(rows.length).toBeGreaterThanOrEqual(20);
  });

  it.concurrent.for(rows.map((row, i) => ({ ...row, i })))('$name', async (row, { expect }) => {
    const id = `ckcust_row${row.i}`;
    for (const [call, reply] of Object.entries(row.replies) as Array<[Call, Reply]>)
      scripted.set(routeOf[call](id), reply);
    if (row.returns) {
      expect(await invoke(row.call, id)).toMatchObject(row.returns);
      return;
    }
    const failure = await failureOf(invoke(row.call, id));
    expect(failure.type).toBe(row.type);
    expect(failure.nonRetryable).toBe(row.nonRetryable);
    for (const text of row.says) expect(failure.message).toContain(text);
    expect(failure.message).not.toContain(TEST_API_KEY);
    if ('nextRetryDelay' in row) expect(failure.nextRetryDelay).toBe(row.nextRetryDelay);
  });
});

interface WorkflowRow {
  name: string;
  /** The scripted answers for this customer; every other call goes to the sandbox. */
  replies: Partial<Record<Call, Reply>>;
  type: string;
  says: string[];
  /** What the sandbox itself received for this customer by the end. */
  partnerSaw: { intents: number; uploads: number; attach_count: number; submit_count: number };
}

const workflowRows: WorkflowRow[] = [
  {
    name: 'run: the upload intent points at file:///etc/passwd',
    replies: { intent: (res, req) => json(res, 200, { ...goodIntent(idOf(req)), upload_url: 'file:///etc/passwd' }) },
    type: PartnerReplyInvalid,
    says: ['upload_url: Invalid URL'],
    partnerSaw: { intents: 0, uploads: 0, attach_count: 0, submit_count: 0 },
  },
  {
    name: 'run: attach answered 400 with no body',
    replies: { attach: raw(400, '') },
    type: PartnerRequestRefused,
    says: ['/files/attach answered 400'],
    partnerSaw: { intents: 3, uploads: 3, attach_count: 0, submit_count: 0 },
  },
];

describe('hostile input matrix — partner replies (whole runs through a real worker)', () => {
  it(`has ${workflowRows.length + 1} workflow rows`, () => {
    reportMatrix('partner replies (workflow runs)', [...workflowRows, 'retryable 500 page']);
  });

  it.concurrent.for(workflowRows.map((row, i) => ({ ...row, i })))('$name', async (row, { expect }) => {
    const reference = `hostile-partner-${row.i}`;
    const customerId = await h.rail.createCustomer(reference);
    for (const [call, reply] of Object.entries(row.replies) as Array<[Call, Reply]>)
      scripted.set(routeOf[call](customerId), reply);
    const input: KycInput = { customerId, customerReference: reference, documents: goodDocuments(samples) };
    await client.workflow.start(kycWorkflow, kycStartOptions(input, h.taskQueue));

    const { root } = await runFailure(client, `kyc-${customerId}`);
    expect(root.type).toBe(row.type);
    expect(root.nonRetryable).toBe(true);
    for (const text of row.says) expect(root.message).toContain(text);
    const saw = await h.rail.inspect(customerId);
    expect({
      intents: saw.intents.length,
      uploads: saw.uploads.length,
      attach_count: saw.attach_count,
      submit_count: saw.submit_count,
    }).toEqual(row.partnerSaw);
  });

  it.concurrent(
    'run: attach answered an HTML 500 page once — retried, then the run goes on to verified',
    async ({ expect }) => {
      const customerId = await h.rail.createCustomer('hostile-partner-retry');
      let pages = 0;
      scripted.set(routeOf.attach(customerId), (res, req) => {
        if (pages++ === 0) return htmlPage(500)(res);
        passThrough(req, res).catch(() => res.destroy());
      });
      const input: KycInput = {
        customerId,
        customerReference: 'hostile-partner-retry',
        documents: goodDocuments(samples),
      };
      const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, h.taskQueue));
      await until(
        'the run waits for the review',
        async () => (await handle.query(statusQuery)).stage === 'pending_review',
      );
      await handle.signal(customerVerified, verifiedData(customerId, input.customerReference));
      expect(await handle.result()).toMatchObject({ status: 'verified' });
      expect(pages).toBe(2);
      expect((await h.rail.inspect(customerId)).submit_count).toBe(1);
    },
  );
});

describe('replies the guide does not promise, after which the run goes on', () => {
  it.concurrent(
    'a garbled upload-intent reply is read again; a submit answering "frozen" with no kyc_submitted_at is taken',
    async ({ expect }) => {
      const reference = 'hostile-partner-surprises';
      const customerId = await h.rail.createCustomer(reference);
      let garbled = 0;
      scripted.set(routeOf.intent(customerId), (res, req) => {
        if (garbled++ === 0) return raw(200, '{"object":')(res);
        passThrough(req, res).catch(() => res.destroy());
      });
      let submitted = 0;
      scripted.set(routeOf.submit(customerId), (res, req) => {
        submitted++;
        // The submit really reaches the partner; only its answer is odd.
        forward(req).then(
          () => json(res, 200, { object: 'customer', id: idOf(req), status: 'frozen', risk: { score: 3 } }),
          () => res.destroy(),
        );
      });
      const input: KycInput = { customerId, customerReference: reference, documents: goodDocuments(samples) };
      const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, h.taskQueue));
      await until(
        'the run waits for the review',
        async () => (await handle.query(statusQuery)).stage === 'pending_review',
      );
      await handle.signal(customerVerified, verifiedData(customerId, reference));
      expect(await handle.result()).toMatchObject({ status: 'verified' });
      expect(garbled).toBeGreaterThanOrEqual(2);
      expect(submitted).toBe(1);
      expect((await h.rail.inspect(customerId)).submit_count).toBe(1);
    },
  );
});

describe('after the matrix', () => {
  it('the same worker, through the same partner, still serves a normal onboarding to verified', async () => {
    const customerId = await h.rail.createCustomer('hostile-partner-normal');
    const input: KycInput = {
      customerId,
      customerReference: 'hostile-partner-normal',
      documents: goodDocuments(samples),
    };
    const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, h.taskQueue));
    await until(
      'the run waits for the review',
      async () => (await handle.query(statusQuery)).stage === 'pending_review',
    );
    await h.rail.decide(customerId, 'verify');
    await handle.signal(customerVerified, verifiedData(customerId, input.customerReference));
    expect(await handle.result()).toMatchObject({ status: 'verified', customerId });
    const saw = await h.rail.inspect(customerId);
    expect(saw.uploads).toHaveLength(3);
    expect(saw.submit_count).toBe(1);
  });
});
