// Every answer the Technest webhook gives, in one place (docs/webhook-receiver.md, "Answers"), as plain data: each
// adapter (node:http, Express, Fastify) only writes a WebhookAnswer to its own response object. The partner reads the
// status code to decide whether to retry: 2xx never, 4xx means the delivery itself is wrong, 5xx (only ever our own
// fault: Temporal unreachable, a run that ended without recording a decision and awaits `kyc resume`, a server that
// consumed the body before the handler saw it) means "try again".
import { webhookBodyLimit } from './raw-body';

export type RefusalType =
  | 'invalid_json'
  | 'invalid_event'
  | 'invalid_signature'
  | 'customer_not_found'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'bad_request'
  | 'temporal_unavailable'
  | 'run_needs_resume'
  | 'webhook_misconfigured'
  | 'internal_error';

export interface ErrorBody {
  error: { type: RefusalType; message: string };
}

export const delivered = { status: 'delivered' } as const;
/** Only for a run that completed with its decision: a late or conflicting duplicate changes nothing. */
export const ignoredClosed = { status: 'ignored', reason: 'workflow already closed' } as const;

export interface WebhookAnswer {
  status: number;
  /** Lower-case header names; always a JSON content type. */
  headers: Record<string, string>;
  body: typeof delivered | typeof ignoredClosed | ErrorBody;
}

/**
 * How long the partner should wait before sending again a verdict for a run that ended without one: long enough
 * for an operator to run `kyc resume`, short enough that the verdict lands soon after.
 */
export const resumeRetryAfterSeconds = 300;
/** Temporal did not answer: a short outage (a restart, a failover) is over in seconds. */
export const temporalRetryAfterSeconds = 5;

const json = { 'content-type': 'application/json; charset=utf-8' };

export function accepted(body: typeof delivered | typeof ignoredClosed): WebhookAnswer {
  return { status: 200, headers: { ...json }, body };
}

export function refusal(
  status: number,
  type: RefusalType,
  message: string,
  headers: Record<string, string> = {},
): WebhookAnswer {
  return { status, headers: { ...json, ...headers }, body: { error: { type, message } } };
}

export const unsupportedMediaType = (): WebhookAnswer =>
  refusal(415, 'unsupported_media_type', 'Content-Type must be application/json');

export const payloadTooLarge = (): WebhookAnswer =>
  refusal(413, 'payload_too_large', `body is larger than ${webhookBodyLimit} bytes`);

/**
 * A server framework's own refusal (its body limit, a broken request) in our vocabulary, so the partner reads one
 * error shape whoever answered. 5xx only for what is not the sender's fault.
 */
export function frameworkRefusal(statusCode: number | undefined, message: string): WebhookAnswer {
  const status = statusCode ?? 500;
  if (status === 413) return payloadTooLarge();
  if (status === 415) return unsupportedMediaType();
  if (status >= 400 && status < 500) return refusal(status, 'bad_request', message);
  return refusal(500, 'internal_error', 'unexpected error in the webhook handler');
}
