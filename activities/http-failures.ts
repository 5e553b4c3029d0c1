// The one place an HTTP answer (or its absence) becomes a typed failure: partner calls, upload PUTs and backend events
// all retry on the same conditions (docs/partner-api.md, "Which answers are retried"), so they share this mapping. Only
// the failure names differ: our own backend's outage must never read as the partner's (FailureNames).
import { ApplicationFailure } from '@temporalio/common';
import { PartnerRequestRefused, PartnerUnavailable } from '../workflows/failures';

/** The `type` of a retryable and of a refused answer. */
export interface FailureNames {
  retryable: string;
  refused: string;
}

export const partnerFailureNames: FailureNames = { retryable: PartnerUnavailable, refused: PartnerRequestRefused };

/** What we keep of an HTTP answer to explain it: never the request, so never its credentials. */
export interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  bodyText: string;
}

/** Error answers are read for their message only; a huge body is not worth holding. */
export const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Statuses worth retrying: the server may answer differently later (docs/partner-api.md, "Which answers are retried").
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * A non-2xx answer as a failure. `what` names the call ("POST /v1/customers/x/kyc") and must not hold
 * secrets; `scrub` removes any that a server might echo back in its message.
 */
export function failureForAnswer(
  what: string,
  answer: HttpAnswer,
  scrub: (text: string) => string = (t) => t,
  names: FailureNames = partnerFailureNames,
): ApplicationFailure {
  const said = describeErrorBody(answer.bodyText);
  const message = scrub(`${what} answered ${answer.status}${said ? `: ${said}` : ''}`);
  if (isRetryableStatus(answer.status)) {
    // RFC 9110 gives Retry-After to 429 and 503 alike: a server that says when to come back is believed.
    const nextRetryDelay = answer.status === 429 || answer.status === 503 ? retryAfterMs(answer.retryAfter) : undefined;
    return ApplicationFailure.create({
      type: names.retryable,
      message,
      nonRetryable: false,
      details: [{ status: answer.status }],
      ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
    });
  }
  return ApplicationFailure.create({
    type: names.refused,
    message,
    nonRetryable: true,
    details: [{ status: answer.status }],
  });
}

/**
 * The request never got an answer. A cancelled activity rethrows the SDK's own cancellation (so the worker
 * reports "cancelled", not "failed"); timeouts and network errors are worth another attempt.
 */
export function failureForNoAnswer(
  what: string,
  error: unknown,
  cancellation: AbortSignal | undefined,
  timeoutMs?: number,
  names: FailureNames = partnerFailureNames,
): Error {
  if (cancellation?.aborted) {
    return cancellation.reason instanceof Error ? cancellation.reason : new Error(`${what} cancelled`);
  }
  const reason = isTimeout(error)
    ? `timed out${timeoutMs !== undefined ? ` after ${timeoutMs} ms` : ''}`
    : networkReason(error);
  return ApplicationFailure.create({
    type: names.retryable,
    message: `${what} failed: ${reason}`,
    nonRetryable: false,
  });
}

/** `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The partner's envelope is `{ error: { type, message } }`; anything else is shown as short text. */
export function describeErrorBody(bodyText: string): string {
  const text = bodyText.trim();
  if (text === '') return '';
  try {
    const parsed: unknown = JSON.parse(text);
    const error = (parsed as { error?: unknown } | null)?.error;
    if (error && typeof error === 'object') {
      const { message, type } = error as { message?: unknown; type?: unknown };
      if (typeof message === 'string') return typeof type === 'string' ? `${message} (${type})` : message;
    }
    if (typeof error === 'string') return error;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'TimeoutError' || (error.cause instanceof Error && error.cause.name === 'TimeoutError'))
  );
}

/** fetch wraps the interesting part (ECONNREFUSED …) in `cause`; show that, not "fetch failed". */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} ${cause.message}` : cause.message;
  }
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
}
