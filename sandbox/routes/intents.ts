// POST /v1/customers/{id}/files: issue a pre-signed upload URL for one file.
import type { FastifyInstance } from 'fastify';
import { customerIdParam, parseBody, type SandboxContext } from '../context';
import { sendError } from '../errors';
import { lockedReason } from '../guards';
import { fileIntentBody } from '../partner-schemas';
import type { UploadIntent } from '../records';

export function intentRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/customers/:id/files', async (request, reply) => {
    const customer = ctx.store.get(customerIdParam(request));
    if (!customer) return sendError(reply, 404, 'not_found', `No customer with id "${customerIdParam(request)}".`);
    const body = parseBody(fileIntentBody, request.body, reply);
    if (!body) return reply;
    const locked = lockedReason(customer);
    if (locked) return sendError(reply, 409, 'conflict', `Cannot request an upload URL: ${locked}`);

    const issued = Date.now();
    const expiresMs = issued + ctx.options.uploadUrlTtlMs;
    const intent: UploadIntent = {
      file_id: ctx.store.newFileId(),
      customer_id: customer.id,
      file_category: body.file_category,
      filename: body.filename,
      content_type: body.content_type,
      issued_at: new Date(issued).toISOString(),
      expires_at: new Date(expiresMs).toISOString(),
      expires_ms: expiresMs,
      forced_expiry: ctx.faults.takeForcedExpiry(customer, body.file_category),
    };
    ctx.store.addIntent(customer, intent);
    // The URL points back at whatever host the caller reached us on, so it also works behind
    // a port mapping (docker) where our own listen address would not.
    const baseUrl = `${request.protocol}://${request.host}`;
    return reply.send({
      object: 'file_upload_intent',
      file_id: intent.file_id,
      upload_url: ctx.signer.build(baseUrl, intent.file_id, expiresMs),
      expires_at: intent.expires_at,
      required_headers: { 'Content-Type': intent.content_type },
    });
  });
}
