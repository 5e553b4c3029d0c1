// Test-side partner for the webhook receiver: builds the partner's events, signs them as the partner does, posts
// them over real HTTP (every request with a deadline), and runs `npm run webhooks`'s entry point as a process.
import { spawn, type ChildProcess } from 'node:child_process';
import { signWebhook } from '../../common/webhook-signature';
import { projectRoot } from '../../scripts/toolchain';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function verifiedEvent(customerId: string, reference: string, data: Record<string, unknown> = {}) {
  return {
    event: 'customer_verified',
    data: {
      object: 'customer',
      id: customerId,
      customer_reference: reference,
      status: 'verified',
      verified_at: new Date().toISOString(),
      ...data,
    },
  };
}

export function rejectedEvent(
  customerId: string,
  reference: string,
  reason: string,
  data: Record<string, unknown> = {},
) {
  return {
    event: 'customer_rejected',
    data: {
      object: 'customer',
      id: customerId,
      customer_reference: reference,
      status: 'rejected',
      rejected_at: new Date().toISOString(),
      rejection_reason: reason,
      ...data,
    },
  };
}

export interface PostOptions {
  /** Signs with these secrets (one v1 entry each); omit with `signature` to send a header verbatim. */
  secrets?: string | string[];
  /** The signature's t (unix seconds). */
  t?: number;
  /** A verbatim Technest-Signature header; `null` sends none. */
  signature?: string | null;
  contentType?: string;
  method?: string;
  path?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Posts `body` (an object is JSON-encoded; a string is sent as is) to the receiver and reads the JSON answer. */
export async function postWebhook(baseUrl: string, body: unknown, options: PostOptions = {}): Promise<Answer> {
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const signature =
    options.signature !== undefined
      ? options.signature
      : signWebhook(options.secrets ?? [], raw, options.t ?? nowSeconds());
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (signature !== null) headers['technest-signature'] = signature;
  return request(baseUrl, options.path ?? '/webhooks/technest', {
    method: options.method ?? 'POST',
    headers,
    body: raw,
  });
}

export async function request(baseUrl: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the test's assertion on the body will say so.
  }
  return { status: res.status, headers: res.headers, body };
}

/** Rejects when `promise` has not settled within `ms`: no test waits forever. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export interface ReceiverProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** The URL it printed once listening, or undefined if it exited first. */
  url: string | undefined;
}

/** Spawns `webhook-receiver/main.ts`; resolves once it prints its URL or exits, whichever comes first. */
export async function spawnReceiver(env: Record<string, string>, readyTimeoutMs = 30_000): Promise<ReceiverProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'webhook-receiver/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+?)\/webhooks\/technest/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  const url = await within(
    Promise.race([listening, exited.then(() => undefined)]),
    readyTimeoutMs,
    'webhook receiver start',
  ).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${output}`);
  });
  return { child, output: () => output, exited, url };
}
