// POST /v1/customers/{id}/kyc: submit the attached package for review; the customer is then locked.
import type { FastifyInstance } from 'fastify';
import { customerIdParam, parseBody, type SandboxContext } from '../context';
import { sendError } from '../errors';
import { sendFault } from '../faults';
import { lockedReason } from '../guards';
import { submitBody } from '../partner-schemas';
import { customerObject } from '../records';

export function kycRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/customers/:id/kyc', async (request, reply) => {
    const customer = ctx.store.get(customerIdParam(request));
    if (!customer) return sendError(reply, 404, 'not_found', `No customer with id "${customerIdParam(request)}".`);
    const locked = lockedReason(customer);
    if (locked) {
      customer.submit_refusals += 1;
      // The partner does not say how a repeat is refused (docs/partner-api.md, Step 4); a fault picks another status to
      // test that.
      const status = customer.faults.repeatSubmitStatus ?? 409;
      return sendError(
        reply,
        status,
        status === 409 ? 'conflict' : 'invalid_request',
        `KYC already submitted: ${locked}`,
      );
    }
    if (!parseBody(submitBody, request.body, reply)) {
      customer.submit_refusals += 1;
      return reply;
    }
    if (!customer.attached.id_file) {
      customer.submit_refusals += 1;
      return sendError(
        reply,
        400,
        'invalid_request',
        'No id_file attached: partial submissions get rejected. Attach the uploaded id_document as id_file first.',
      );
    }

    customer.status = 'pending';
    customer.kyc_submitted_at = new Date().toISOString();
    customer.submit_count += 1;
    ctx.reviewer.schedule(customer);
    // The submission stands even when the answer is lost: the caller's retry must see 409, not submit twice.
    if (ctx.faults.takeLostSubmitAnswer(customer)) return sendFault(reply, { kind: 'unavailable' }, customer);
    return reply.send(customerObject(customer));
  });
}
