// Hooks that run before any partner route does its work: the bearer key check, then injected
// latency and faults ("before doing anything": a faulted call has no effect).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from './context';
import { sendError } from './errors';
import { sendFault } from './faults';
import type { CustomerRecord } from './records';

export function bearerAuth(apiKey: string) {
  // Compare digests so the constant-time compare works whatever the presented key's length.
  const expected = createHash('sha256').update(apiKey).digest();
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const challenge = { 'www-authenticate': 'Bearer realm="technest"' };
    if (!header) {
      await sendError(
        reply,
        401,
        'unauthorized',
        'Missing Authorization header: send "Authorization: Bearer <api key>".',
        challenge,
      );
      return;
    }
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const presented = createHash('sha256')
      .update(match?.[1] ?? '')
      .digest();
    if (!match || !timingSafeEqual(expected, presented)) {
      await sendError(
        reply,
        401,
        'unauthorized',
        'Invalid API key: check the bearer token for this environment.',
        challenge,
      );
    }
  };
}

/** preHandler: delay, then maybe answer with a fault, charged to the customer the call is about. */
export function faultGate(ctx: SandboxContext, customerOf: (request: FastifyRequest) => CustomerRecord | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const customer = customerOf(request);
    const latency = ctx.faults.latencyMs(customer);
    if (latency > 0) await ctx.timers.sleep(latency);
    const fault = ctx.faults.take(customer);
    if (!fault) return;
    // Calls about no known customer (e.g. creating one) are counted on the sandbox instead.
    if (!customer) ctx.faults.unattributedInjected += 1;
    await sendFault(reply, fault, customer);
  };
}

/** Why a customer's documents can no longer change, or undefined while it is still open. */
export function lockedReason(customer: CustomerRecord): string | undefined {
  switch (customer.status) {
    case 'created':
      return undefined;
    case 'pending':
      return `Customer ${customer.id} has submitted KYC and is pending review: it is locked until verified or rejected.`;
    case 'verified':
      return `Customer ${customer.id} is verified: its KYC record is closed.`;
    case 'rejected':
      return `Customer ${customer.id} was rejected: rejected records are closed. Create a new customer with a new customer_reference to retry.`;
  }
}
