// Every answer the receiver gives, in one place (docs/webhook-receiver.md, "Answers"). The partner reads the status
// code to decide whether to retry: 2xx never, 4xx means the delivery itself is wrong, 5xx (only ever our own fault:
// Temporal unreachable, or a run that ended without recording a decision and awaits `kyc resume`) means "try again".
import type { FastifyReply } from 'fastify';

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
  | 'internal_error';

export interface ErrorBody {
  error: { type: RefusalType; message: string };
}

export const delivered = { status: 'delivered' } as const;
/** Only for a run that completed with its decision: a late or conflicting duplicate changes nothing. */
export const ignoredClosed = { status: 'ignored', reason: 'workflow already closed' } as const;

/**
 * How long the partner should wait before sending again a verdict for a run that ended without one: long enough
 * for an operator to run `kyc resume`, short enough that the verdict lands soon after.
 */
export const resumeRetryAfterSeconds = 300;

export function refuse(reply: FastifyReply, statusCode: number, type: RefusalType, message: string): FastifyReply {
  const body: ErrorBody = { error: { type, message } };
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}
