// Helpers for the sandbox tests: real HTTP against an in-process sandbox, a tiny webhook receiver,
// and an independent Technest-Signature verifier (deliberately not the sandbox's own code).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenOnFreePort } from '../../scripts/ports';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

export const API_KEY = 'sk_test_harness_key';
export const SECRET = 'whsec_test_secret';

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // JSON under test: assertions check its shape
}

export async function call(
  sb: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = API_KEY,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sb.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export const control = (sb: Sandbox, method: string, path: string, body?: unknown) =>
  call(sb, method, `/_sandbox${path}`, body, null);

export const inspect = async (sb: Sandbox, id: string) => (await control(sb, 'GET', `/customers/${id}`)).body;

export async function startTestSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  // Review 'never' by default: a test decides when a decision happens, nothing fires on its own.
  return startSandbox({ apiKey: API_KEY, review: { outcome: 'never' }, ...opts });
}

let refCounter = 0;
export const uniqueRef = (prefix = 'user') => `${prefix}-${process.pid}-${++refCounter}`;

export async function createCustomer(sb: Sandbox, reference = uniqueRef(), country?: string): Promise<string> {
  const reply = await call(sb, 'POST', '/v1/customers', { customer_reference: reference, country });
  if (reply.status !== 201) throw new Error(`create customer: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.id as string;
}

export async function requestIntent(
  sb: Sandbox,
  customerId: string,
  file_category = 'id_document',
  content_type = 'image/jpeg',
  filename = 'passport.jpg',
): Promise<Reply> {
  return call(sb, 'POST', `/v1/customers/${customerId}/files`, { file_category, filename, content_type });
}

export async function putBytes(url: string, bytes: Uint8Array, contentType?: string): Promise<Reply> {
  const response = await fetch(url, {
    method: 'PUT',
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    body: bytes,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Intent + successful PUT; returns the file id. */
export async function uploadFile(
  sb: Sandbox,
  customerId: string,
  category = 'id_document',
  bytes: Uint8Array = Buffer.from('fake jpeg bytes'),
): Promise<string> {
  const intent = await requestIntent(sb, customerId, category);
  if (intent.status !== 200) throw new Error(`intent: ${intent.status} ${JSON.stringify(intent.body)}`);
  const put = await putBytes(intent.body.upload_url, bytes, intent.body.required_headers['Content-Type']);
  if (put.status !== 200) throw new Error(`put: ${put.status} ${JSON.stringify(put.body)}`);
  return intent.body.file_id as string;
}

/** A customer with an uploaded and attached id_file: one call away from submission. */
export async function readyCustomer(sb: Sandbox, reference = uniqueRef()): Promise<string> {
  const id = await createCustomer(sb, reference);
  const fileId = await uploadFile(sb, id);
  const attach = await call(sb, 'POST', `/v1/customers/${id}/files/attach`, { id_file: fileId });
  if (attach.status !== 200) throw new Error(`attach: ${attach.status} ${JSON.stringify(attach.body)}`);
  return id;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Polls a condition until it holds or the deadline passes (no fixed sleeps). */
export async function waitUntil<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: string;
  status: number;
}

/** A webhook receiver answering statuses in turn (then 200), resolving waiters as events arrive. */
export async function startReceiver(statuses: number[] = []) {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = statuses[received.length] ?? 200;
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
    });
  });
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}/webhooks/technest`,
    received,
    /** Resolves once `count` requests have arrived in total. */
    waitFor(count: number): Promise<ReceivedWebhook[]> {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve) => waiters.push({ count, resolve: () => resolve(received) }));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Contract §4, verified from scratch: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>. */
export function signatureIsValid(header: string | undefined, raw: string, secret: string): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const candidates = parts.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
  if (!t || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  return candidates.some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
