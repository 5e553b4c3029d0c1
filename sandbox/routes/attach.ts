// POST /v1/customers/{id}/files/attach: put uploaded files into the customer's named slots.
import type { FastifyInstance } from 'fastify';
import { customerIdParam, parseBody, type SandboxContext } from '../context';
import { sendError } from '../errors';
import { sendFault } from '../faults';
import { lockedReason } from '../guards';
import { attachBody } from '../partner-schemas';
import { SLOT_CATEGORY, type CustomerRecord, type Slot } from '../records';

export function attachRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/customers/:id/files/attach', async (request, reply) => {
    const customer = ctx.store.get(customerIdParam(request));
    if (!customer) return sendError(reply, 404, 'not_found', `No customer with id "${customerIdParam(request)}".`);
    const body = parseBody(attachBody, request.body, reply);
    if (!body) return reply;
    const locked = lockedReason(customer);
    if (locked) return sendError(reply, 409, 'conflict', `Cannot attach files: ${locked}`);

    const slots = Object.entries(body).filter((entry): entry is [Slot, string] => entry[1] !== undefined);
    const problems = slots.flatMap(([slot, fileId]) => slotProblem(ctx, customer, slot, fileId) ?? []);
    if (problems.length > 0) return sendError(reply, 400, 'invalid_request', problems.join('; '));

    // Attaching again before submit replaces every slot: the last attach is what gets reviewed.
    customer.attached = Object.fromEntries(slots);
    customer.attach_count += 1;
    if (ctx.faults.takeCommitThenFail(customer)) return sendFault(reply, { kind: 'unavailable' }, customer);
    return reply.send({ object: 'customer_files', customer_id: customer.id, attached: { ...customer.attached } });
  });
}

function slotProblem(ctx: SandboxContext, customer: CustomerRecord, slot: Slot, fileId: string): string | undefined {
  const found = ctx.store.findFile(fileId);
  if (!found) return `${slot}: file "${fileId}" does not exist`;
  if (found.customer.id !== customer.id) {
    return `${slot}: file "${fileId}" was issued for another customer, not ${customer.id}`;
  }
  if (!customer.uploads.has(fileId)) {
    return `${slot}: file "${fileId}" was never uploaded; PUT its bytes to the upload_url before attaching`;
  }
  const wanted = SLOT_CATEGORY[slot];
  if (found.intent.file_category !== wanted) {
    return `${slot}: file "${fileId}" is a ${found.intent.file_category} file, but ${slot} takes ${wanted}`;
  }
  return undefined;
}
