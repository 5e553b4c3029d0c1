// The rail's error envelope: { error: { type, message } }. Messages are specific human text, because
// the worker surfaces them verbatim for non-retryable 4xx answers.
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

export type ErrorType =
  | 'invalid_request'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'rate_limited'
  | 'server_error'
  | 'expired'
  | 'signature_does_not_match'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed';

export function sendError(
  reply: FastifyReply,
  status: number,
  type: ErrorType,
  message: string,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply.code(status).headers(headers).type('application/json').send({ error: { type, message } });
}

/** One line per problem, each naming the field, e.g. "file_category: must be one of …". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
      if (issue.code === 'unrecognized_keys') {
        return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
      }
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Maps fastify's own errors (bad JSON, wrong media type, body limit) onto the envelope. */
export function typeForStatus(status: number): ErrorType {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 401:
      return 'unauthorized';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'server_error' : 'invalid_request';
  }
}
