// The Technest KYC rail over HTTP: Bearer auth, a timeout per call, every reply parsed with zod, every
// non-2xx mapped in one place (http-failures.ts). The key is only ever put in the Authorization header.
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { PartnerReplyInvalid } from '../workflows/failures';
import { activityLog, callSignal, cancellationSignal } from './activity-context';
import { ERROR_BODY_LIMIT, failureForAnswer, failureForNoAnswer, type HttpAnswer } from './http-failures';
import { attachReply, customerReply, describeIssues, uploadIntentReply, type CustomerReply, type UploadIntentReply } from './partner-replies';
import { scrubSecrets } from './redact';

export interface PartnerClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

/** Replies are small JSON documents; anything bigger is not the partner talking. */
const REPLY_LIMIT = 1024 * 1024;

export class PartnerClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: PartnerClientOptions) {
    this.base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Step 1: a pre-signed upload URL for one file. */
  async requestUploadIntent(
    customerId: string,
    body: { file_category: string; filename: string; content_type: string },
  ): Promise<UploadIntentReply> {
    const call = { method: 'POST', path: `v1/customers/${enc(customerId)}/files`, body } as const;
    return this.expect(call, await this.send(call), uploadIntentReply);
  }

  /** Step 3: the uploaded files into named slots. */
  async attachFiles(customerId: string, slots: Record<string, string>): Promise<void> {
    const call = { method: 'POST', path: `v1/customers/${enc(customerId)}/files/attach`, body: slots } as const;
    this.expect(call, await this.send(call), attachReply);
  }

  /**
   * Step 4. A 409 is returned, not thrown: the caller decides whether it means "already submitted"
   * (an earlier attempt whose answer was lost) or a real conflict.
   */
  async submitKyc(customerId: string): Promise<{ conflict: false; customer: CustomerReply } | { conflict: true; refusal: ApplicationFailure }> {
    const call = { method: 'POST', path: `v1/customers/${enc(customerId)}/kyc`, body: {} } as const;
    const answer = await this.send(call);
    if (answer.status === 409) return { conflict: true, refusal: this.failure(call, answer) };
    return { conflict: false, customer: this.expect(call, answer, customerReply) };
  }

  /** Step 5 (polling): the customer object with its status. */
  async getCustomer(customerId: string): Promise<CustomerReply> {
    const call = { method: 'GET', path: `v1/customers/${enc(customerId)}` } as const;
    return this.expect(call, await this.send(call), customerReply);
  }

  private async send(call: Call): Promise<HttpAnswer> {
    const url = new URL(call.path, this.base);
    const signal = callSignal(this.timeoutMs);
    try {
      const response = await fetch(url, {
        method: call.method,
        headers: {
          Authorization: `Bearer ${this.options.apiKey}`,
          Accept: 'application/json',
          ...(call.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        redirect: 'error',
        signal,
      });
      const limit = response.ok ? REPLY_LIMIT : ERROR_BODY_LIMIT;
      const bodyText = await readText(response, limit);
      activityLog.debug('technest call', { method: call.method, path: `/${call.path}`, status: response.status });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), bodyText };
    } catch (error) {
      throw this.scrubbed(failureForNoAnswer(describe(call), error, cancellationSignal(), this.timeoutMs));
    }
  }

  /** A 2xx parsed by `schema`, or the mapped failure. */
  private expect<T extends z.ZodType>(call: Call, answer: HttpAnswer, schema: T): z.infer<T> {
    if (answer.status < 200 || answer.status > 299) throw this.failure(call, answer);
    let json: unknown;
    try {
      json = answer.bodyText.trim() === '' ? {} : JSON.parse(answer.bodyText);
    } catch {
      throw this.invalidReply(call, 'the body is not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw this.invalidReply(call, describeIssues(parsed.error));
    return parsed.data;
  }

  private failure(call: Call, answer: HttpAnswer): ApplicationFailure {
    return failureForAnswer(describe(call), answer, (text) => scrubSecrets(text, [this.options.apiKey]));
  }

  private invalidReply(call: Call, what: string): ApplicationFailure {
    return ApplicationFailure.create({
      type: PartnerReplyInvalid,
      nonRetryable: true,
      message: scrubSecrets(`Technest's reply to ${describe(call)} is not what its guide describes: ${what}`, [this.options.apiKey]),
    });
  }

  private scrubbed(error: Error): Error {
    if (error instanceof ApplicationFailure) error.message = scrubSecrets(error.message, [this.options.apiKey]);
    return error;
  }
}

type Call = { method: 'GET' | 'POST'; path: string; body?: unknown };

function describe(call: Call): string {
  return `Technest ${call.method} /${call.path}`;
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

/** Reads at most `limit` bytes of the body as text, then stops the download. */
async function readText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
    if (total >= limit) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}
