// /_sandbox: the simulator's own control and inspection API (no auth — it is a test fixture).
// Tests use it to set review plans and faults, force decisions, and read what the rail received.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { customerIdParam, parseBody, type SandboxContext } from '../context';
import {
  customerFaultsBody,
  decideBody,
  globalFaultsBody,
  reviewPlanBody,
  submittedCustomersBody,
  webhookTargetBody,
} from '../control-schemas';
import { sendError } from '../errors';
import { customerObject, inspectionRecord, type CustomerRecord } from '../records';

export function controlRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const withCustomer =
    (handler: (customer: CustomerRecord, request: FastifyRequest, reply: FastifyReply) => FastifyReply) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const customer = ctx.store.get(customerIdParam(request));
      if (!customer) return sendError(reply, 404, 'not_found', `No customer with id "${customerIdParam(request)}".`);
      return handler(customer, request, reply);
    };

  app.get('/health', async (_request, reply) => reply.send({ ok: true }));

  app.get('/customers', async (_request, reply) => reply.send({ customers: ctx.store.all().map(inspectionRecord) }));

  // As if each customer had gone through the five steps: the bench's fast way to a pending review (its KYC runs
  // then join with `kyc resume`'s path, which reads the customer and waits).
  app.post('/customers/submitted', async (request, reply) => {
    const body = parseBody(submittedCustomersBody, request.body, reply);
    if (!body) return reply;
    const taken = body.customer_references.filter((reference) => ctx.store.byReference(reference));
    if (taken.length)
      return sendError(reply, 409, 'conflict', `customer_reference already used: ${taken.slice(0, 5).join(', ')}`);
    const now = new Date();
    const customers = body.customer_references.map((reference) => {
      const customer = ctx.store.createCustomer(reference, null, now);
      customer.status = 'pending';
      customer.kyc_submitted_at = now.toISOString();
      customer.submit_count = 1;
      ctx.reviewer.schedule(customer);
      return { id: customer.id, customer_reference: reference };
    });
    return reply.code(201).send({ customers });
  });

  app.get(
    '/customers/:id',
    withCustomer((customer, _request, reply) => reply.send(inspectionRecord(customer))),
  );

  app.put(
    '/customers/:id/review',
    withCustomer((customer, request, reply) => {
      const body = parseBody(reviewPlanBody, request.body, reply);
      if (!body) return reply;
      customer.review = { outcome: body.outcome, afterMs: body.after_ms, reason: body.reason };
      // A pending customer restarts its review clock under the new plan.
      if (customer.status === 'pending') ctx.reviewer.schedule(customer);
      return reply.send(inspectionRecord(customer));
    }),
  );

  app.post(
    '/customers/:id/decide',
    withCustomer((customer, request, reply) => {
      const body = parseBody(decideBody, request.body, reply);
      if (!body) return reply;
      const reason = body.reason ?? ctx.reviewer.planFor(customer).reason;
      if (!ctx.reviewer.decide(customer, body.outcome, reason)) {
        return sendError(
          reply,
          409,
          'conflict',
          `Customer ${customer.id} is ${customer.status}, not pending: nothing to decide.`,
        );
      }
      return reply.send(customerObject(customer));
    }),
  );

  app.put(
    '/customers/:id/faults',
    withCustomer((customer, request, reply) => {
      const body = parseBody(customerFaultsBody, request.body, reply);
      if (!body) return reply;
      customer.faults = { ...body };
      return reply.send(inspectionRecord(customer));
    }),
  );

  app.post(
    '/customers/:id/redeliver',
    withCustomer((customer, _request, reply) => {
      if (!ctx.webhooks.currentTarget.url) {
        return sendError(reply, 409, 'conflict', 'No webhook URL configured: PUT /_sandbox/webhook first.');
      }
      if (!ctx.webhooks.redeliver(customer)) {
        return sendError(
          reply,
          409,
          'conflict',
          `Customer ${customer.id} has no event to redeliver yet (status ${customer.status}).`,
        );
      }
      return reply.code(202).send({ ok: true, event: customer.last_event?.event });
    }),
  );

  app.get('/faults', async (_request, reply) =>
    reply.send({ faults: ctx.faults.globalFaults, faults_injected_unattributed: ctx.faults.unattributedInjected }),
  );

  app.put('/faults', async (request, reply) => {
    const body = parseBody(globalFaultsBody, request.body, reply);
    if (!body) return reply;
    ctx.faults.setGlobal(body);
    return reply.send({ faults: ctx.faults.globalFaults });
  });

  app.put('/webhook', async (request, reply) => {
    const body = parseBody(webhookTargetBody, request.body, reply);
    if (!body) return reply;
    ctx.webhooks.setTarget({ url: body.url ?? undefined, secret: body.secret });
    // The secret is never echoed back: it is a credential even in a sandbox.
    return reply.send({ url: body.url });
  });
}
