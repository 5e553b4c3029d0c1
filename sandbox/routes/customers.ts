// POST /v1/customers and GET /v1/customers/{id}.
import type { FastifyInstance } from 'fastify';
import { customerIdParam, parseBody, type SandboxContext } from '../context';
import { sendError } from '../errors';
import { createCustomerBody } from '../partner-schemas';
import { customerObject } from '../records';

export function customerRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/customers', async (request, reply) => {
    const body = parseBody(createCustomerBody, request.body, reply);
    if (!body) return reply;
    const existing = ctx.store.byReference(body.customer_reference);
    if (existing?.status === 'rejected') {
      // The rail's rule: a rejected reference is burnt for good; the retry is a new reference.
      return sendError(
        reply,
        409,
        'conflict',
        `customer_reference "${body.customer_reference}" belongs to rejected customer ${existing.id}: ` +
          'the rail never accepts a rejected reference again. Create the customer with a new customer_reference ' +
          `(e.g. "${body.customer_reference}-r2").`,
      );
    }
    if (existing) {
      return sendError(
        reply,
        409,
        'conflict',
        `customer_reference "${body.customer_reference}" is already used by customer ${existing.id}.`,
      );
    }
    const customer = ctx.store.createCustomer(body.customer_reference, body.country ?? null, new Date());
    return reply.code(201).send(customerObject(customer));
  });

  app.get('/customers/:id', async (request, reply) => {
    const customer = ctx.store.get(customerIdParam(request));
    if (!customer) return sendError(reply, 404, 'not_found', `No customer with id "${customerIdParam(request)}".`);
    customer.status_reads++;
    return reply.send(customerObject(customer));
  });
}
