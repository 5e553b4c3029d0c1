// What every route needs, built once per sandbox in server.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { describeZodError, sendError } from './errors';
import type { FaultInjector } from './faults';
import type { ResolvedOptions } from './options';
import type { Reviewer } from './review';
import type { Store } from './store';
import type { Timers } from './timers';
import type { UploadUrlSigner } from './upload-url';
import type { WebhookDispatcher } from './webhooks';

export interface SandboxContext {
  options: ResolvedOptions;
  store: Store;
  faults: FaultInjector;
  signer: UploadUrlSigner;
  webhooks: WebhookDispatcher;
  reviewer: Reviewer;
  timers: Timers;
}

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** Parses a body or answers 400 naming every bad field; undefined means "already answered". */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, reply: FastifyReply): z.infer<T> | undefined {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  sendError(reply, 400, 'invalid_request', describeZodError(parsed.error));
  return undefined;
}

/** The :id route parameter, which every customer route has. */
export function customerIdParam(request: FastifyRequest): string {
  return (request.params as { id?: string }).id ?? '';
}
