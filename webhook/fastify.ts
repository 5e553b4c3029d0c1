// The webhook in a Fastify app: `app.register(technestFastifyPlugin, { handler })`. The route lives in a scope of
// its own, whose only body parser hands over the raw bytes (the signature covers them exactly), so the app's JSON
// parser and error handler elsewhere stay as they are. Fastify is imported for its types only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { frameworkRefusal, type WebhookAnswer } from './answers';
import { signatureHeader, webhookPath, type TechnestWebhookHandler, type WebhookRequestHead } from './handler';
import { declaredLength } from './raw-body';

export interface TechnestFastifyOptions {
  handler: TechnestWebhookHandler;
  /** Default `/webhooks/technest`. */
  path?: string;
}

/** Every method the route answers: POST is the delivery, the others earn the contract's 405 (not a 404). */
const methods = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

export async function technestFastifyPlugin(
  scope: FastifyInstance,
  { handler, path = webhookPath }: TechnestFastifyOptions,
): Promise<void> {
  scope.removeAllContentTypeParsers();
  // Any `application/json; charset=…` lands here; every other type was refused on the request's head already.
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: handler.bodyLimit },
    (_request, body, done) => done(null, body),
  );
  // Fastify's own refusals in this scope (a streamed body over the limit, a broken request) in the contract's words.
  scope.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    if ((error.statusCode ?? 500) >= 500) request.log.error({ err: error }, 'unexpected error in the technest webhook');
    return sendAnswer(reply, frameworkRefusal(error.statusCode, error.message));
  });

  const head = (request: FastifyRequest): WebhookRequestHead => ({
    method: request.method,
    path,
    contentType: request.headers['content-type'],
    contentLength: declaredLength(request.headers['content-length']),
  });
  scope.route({
    method: methods,
    url: path,
    // Refused before any body is read or parsed: the method, the type and the declared length alone decide.
    onRequest: async (request, reply) => {
      const early = handler.refuseBeforeBody(head(request));
      if (early) return sendAnswer(reply, early);
    },
    handler: async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers[signatureHeader];
      const answer = await handler.handle({ ...head(request), rawBody, signatureHeader: signature }, request.log);
      return sendAnswer(reply, answer);
    },
  });
}

/** Writes a core answer with Fastify's reply (the receiver's own routes answer in the same shape). */
export function sendAnswer(reply: FastifyReply, answer: WebhookAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}
