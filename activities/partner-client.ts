// The Technest KYC rail over HTTP: Bearer auth, a timeout per call, every reply parsed with zod, every
// non-2xx mapped in one place (http-failures.ts). The key is only ever put in the Authorization header.
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { readCappedText } from '../common/capped-body';
import { PartnerReplyInvalid, PartnerUnavailable } from '../workflows/failures';
import { activityLog, callSignal, cancellationSignal } from './activity-context';
import {
  ERROR_BODY_LIMIT,
  failureForAnswer,
  failureForNoAnswer,
  isRetryableStatus,
  type HttpAnswer,
} from './http-failures';
import {
  attachReply,
  customerReply,
  describeIssues,
  uploadIntentReply,
  type CustomerReply,
  type UploadIntentReply,
} from './partner-replies';
import { kycActivityMetrics, type PartnerOperation } from './metrics';
import { scrubSecrets } from './redact';

export interface PartnerClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Per call; default 10 s, so that two calls fit one 30 s activity attempt. */
  timeoutMs?: number;
}

/**
 * What a 2xx of the wrong shape means. `refuse`: the documented shape (docs/partner-api.md) is broken, retrying cannot
 * help (an upload intent). `retry`: a customer reply; the next attempt reads it again — after a submit, a misread
 * reply must never end the run. A body that is not JSON at all was cut short or garbled on the way: always read again.
 */
type Unreadable = 'refuse' | 'retry';

/** The submit's answer: accepted (2xx), or refused with a 4xx the caller checks against the customer. */
export type SubmitAnswer =
  { accepted: true; customer: CustomerReply } | { accepted: false; status: number; refusal: ApplicationFailure };

/** Replies are small JSON documents; anything bigger is not the partner talking. */
const REPLY_LIMIT = 1024 * 1024;

export class PartnerClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: PartnerClientOptions) {
    this.base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Step 1: a pre-signed upload URL for one file. */
  async requestUploadIntent(
    customerId: string,
    body: { file_category: string; filename: string; content_type: string },
  ): Promise<UploadIntentReply> {
    const call = { op: 'upload_intent', method: 'POST', path: `v1/customers/${enc(customerId)}/files`, body } as const;
    return this.expect(call, await this.send(call), uploadIntentReply);
  }

  /** Step 3: the uploaded files into named slots. */
  async attachFiles(customerId: string, slots: Record<string, string>): Promise<void> {
    const call = {
      op: 'attach',
      method: 'POST',
      path: `v1/customers/${enc(customerId)}/files/attach`,
      body: slots,
    } as const;
    this.expect(call, await this.send(call), attachReply);
  }

  /**
   * Step 4. Any 4xx is returned, not thrown: the partner does not say how the rail answers a repeated submit (409, 400,
   * 422 …; docs/partner-api.md, Step 4), so the caller reads the customer before deciding it was a real refusal.
   */
  async submitKyc(customerId: string): Promise<SubmitAnswer> {
    const call = { op: 'submit', method: 'POST', path: `v1/customers/${enc(customerId)}/kyc`, body: {} } as const;
    const answer = await this.send(call);
    if (answer.status >= 400 && answer.status <= 499 && !isRetryableStatus(answer.status)) {
      return { accepted: false, status: answer.status, refusal: this.failure(call, answer) };
    }
    return { accepted: true, customer: this.expect(call, answer, customerReply, 'retry') };
  }

  /** Step 5 (polling), submit's check and resume: the customer object with its status. */
  async getCustomer(customerId: string): Promise<CustomerReply> {
    const call = { op: 'get_customer', method: 'GET', path: `v1/customers/${enc(customerId)}` } as const;
    return this.expect(call, await this.send(call), customerReply, 'retry');
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
      const bodyText = response.body ? await readCappedText(response.body, limit) : '';
      activityLog.debug('technest call', { method: call.method, path: `/${call.path}`, status: response.status });
      if (!response.ok) kycActivityMetrics.partnerError(call.op, response.status);
      return { status: response.status, retryAfter: response.headers.get('retry-after'), bodyText };
    } catch (error) {
      // A cancelled activity is not a partner error.
      if (!cancellationSignal()?.aborted) kycActivityMetrics.partnerError(call.op, 'none');
      throw this.scrubbed(failureForNoAnswer(describe(call), error, cancellationSignal(), this.timeoutMs));
    }
  }

  /** A 2xx parsed by `schema`, or the mapped failure. */
  private expect<T extends z.ZodType>(
    call: Call,
    answer: HttpAnswer,
    schema: T,
    unreadable: Unreadable = 'refuse',
  ): z.output<T> {
    if (answer.status < 200 || answer.status > 299) throw this.failure(call, answer);
    let json: unknown;
    try {
      json = answer.bodyText.trim() === '' ? {} : JSON.parse(answer.bodyText);
    } catch {
      throw this.invalidReply(call, 'the body is not JSON', 'retry');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw this.invalidReply(call, describeIssues(parsed.error), unreadable);
    return parsed.data;
  }

  private failure(call: Call, answer: HttpAnswer): ApplicationFailure {
    return failureForAnswer(describe(call), answer, (text) => scrubSecrets(text, [this.options.apiKey]));
  }

  private invalidReply(call: Call, what: string, unreadable: Unreadable): ApplicationFailure {
    const message = `Technest's reply to ${describe(call)} is not what its guide describes: ${what}`;
    // A retried unreadable reply is typed as unavailability: no retry policy lists that type as final.
    return ApplicationFailure.create({
      type: unreadable === 'retry' ? PartnerUnavailable : PartnerReplyInvalid,
      nonRetryable: unreadable !== 'retry',
      message: scrubSecrets(unreadable === 'retry' ? `${message} (read again on the next attempt)` : message, [
        this.options.apiKey,
      ]),
    });
  }

  private scrubbed(error: Error): Error {
    if (error instanceof ApplicationFailure) error.message = scrubSecrets(error.message, [this.options.apiKey]);
    return error;
  }
}

type Call = { op: PartnerOperation; method: 'GET' | 'POST'; path: string; body?: unknown };

function describe(call: Call): string {
  return `Technest ${call.method} /${call.path}`;
}

function enc(id: string): string {
  return encodeURIComponent(id);
}
