// PUT /uploads/{file_id}?expires=…&signature=…: the pre-signed storage endpoint (S3-like, no bearer).
// Checks run in the order a storage service would: signature, expiry, then the request itself.
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context';
import { sendError, type ErrorType } from '../errors';
import { faultGate, lockedReason } from '../guards';
import type { CustomerRecord } from '../records';
import { hashUpload } from '../upload-body';

type UploadRequest = FastifyRequest<{
  Params: { fileId: string };
  Querystring: { expires?: string; signature?: string };
}>;

export async function uploadRoutes(app: FastifyInstance, ctx: SandboxContext): Promise<void> {
  // Any body type is the raw stream here, hashed by the handler; JSON and text parsing are for /v1 only.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.addHook(
    'preHandler',
    faultGate(ctx, (request) => ctx.store.findFile((request.params as { fileId?: string }).fileId ?? '')?.customer),
  );

  app.put('/uploads/:fileId', async (request: UploadRequest, reply) => {
    const { fileId } = request.params;
    const found = ctx.store.findFile(fileId);
    const refuse = (status: number, type: ErrorType, message: string, customer?: CustomerRecord): FastifyReply => {
      customer?.upload_refusals.push({ file_id: fileId, status, reason: message });
      return sendError(reply, status, type, message);
    };

    if (!ctx.signer.verify(fileId, request.query.expires, request.query.signature)) {
      return refuse(
        403,
        'signature_does_not_match',
        'SignatureDoesNotMatch: the request signature does not match this upload URL; use upload_url exactly as returned.',
        found?.customer,
      );
    }
    if (!found) return sendError(reply, 404, 'not_found', `No upload intent "${fileId}".`);
    const { customer, intent } = found;

    if (Date.now() > Number(request.query.expires)) {
      return refuse(
        403,
        'expired',
        `The upload URL expired at ${intent.expires_at}: request a fresh URL with POST /v1/customers/${customer.id}/files.`,
        customer,
      );
    }
    if (intent.forced_expiry) {
      customer.faults_injected += 1;
      return refuse(
        403,
        'expired',
        `The upload URL has expired (early expiry, sandbox fault injection): request a fresh URL with POST /v1/customers/${customer.id}/files.`,
        customer,
      );
    }
    const locked = lockedReason(customer);
    if (locked) return refuse(409, 'conflict', `Cannot upload: ${locked}`, customer);

    const contentType = request.headers['content-type'];
    if (contentType !== intent.content_type) {
      return refuse(
        400,
        'invalid_request',
        contentType === undefined
          ? `Missing Content-Type header: this upload URL was signed for "${intent.content_type}".`
          : `Content-Type "${contentType}" does not match "${intent.content_type}", the type this upload URL was signed for.`,
        customer,
      );
    }
    const tooLarge = `Upload exceeds the maximum of ${ctx.options.maxUploadBytes} bytes.`;
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (declared > ctx.options.maxUploadBytes) return refuse(413, 'payload_too_large', tooLarge, customer);

    const body = isReadable(request.body) ? request.body : request.raw;
    const read = await hashUpload(body, ctx.options.maxUploadBytes);
    if (read.kind === 'too_large') return refuse(413, 'payload_too_large', tooLarge, customer);
    if (read.kind === 'aborted') return refuse(400, 'invalid_request', `Upload interrupted: ${read.reason}.`, customer);
    if (read.bytes === 0) return refuse(400, 'invalid_request', 'Empty body: PUT the file bytes.', customer);

    // Re-checked after the (possibly long) read: a submit may have locked the customer meanwhile.
    const lockedNow = lockedReason(customer);
    if (lockedNow) return refuse(409, 'conflict', `Cannot upload: ${lockedNow}`, customer);
    const previous = customer.uploads.get(fileId);
    customer.uploads.set(fileId, {
      file_id: fileId,
      file_category: intent.file_category,
      content_type: intent.content_type,
      bytes: read.bytes,
      sha256: read.sha256,
      puts: (previous?.puts ?? 0) + 1,
    });
    return reply.send({ ok: true });
  });
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function';
}
