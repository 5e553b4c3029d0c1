// The Technest KYC rail simulator: the partner API (/v1), pre-signed uploads (/uploads) and the
// sandbox's own control API (/_sandbox), on one fastify server. Written from the partner's
// description (docs/partner-api.md) only: it imports nothing from the product, so the two sides cannot share a bug.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { SandboxContext } from './context';
import { sendError, typeForStatus } from './errors';
import { FaultInjector } from './faults';
import { bearerAuth, faultGate } from './guards';
import { resolveOptions, type SandboxOptions } from './options';
import { installReplyFaults } from './reply-faults';
import { Reviewer } from './review';
import { attachRoutes } from './routes/attach';
import { controlRoutes } from './routes/control';
import { customerRoutes } from './routes/customers';
import { intentRoutes } from './routes/intents';
import { kycRoutes } from './routes/kyc';
import { uploadRoutes } from './routes/uploads';
import { Store } from './store';
import { Timers } from './timers';
import { UploadUrlSigner } from './upload-url';
import { WebhookDispatcher } from './webhooks';

export type { Faults, ReviewPlan, SandboxOptions } from './options';
export type { CustomerFaults } from './records';

export interface Sandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const options = resolveOptions(opts);
  const timers = new Timers();
  const faults = new FaultInjector(options.faults, options.seed);
  const webhooks = new WebhookDispatcher(
    { url: options.webhookUrl, secret: options.webhookSecret },
    options.webhookRetry,
    faults,
    timers,
  );
  const ctx: SandboxContext = {
    options,
    store: new Store(),
    faults,
    signer: new UploadUrlSigner(),
    webhooks,
    reviewer: new Reviewer(options.review, timers, webhooks),
    timers,
  };

  const app = Fastify({ logger: options.logger, forceCloseConnections: true });
  installErrorHandling(app);
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', bearerAuth(options.apiKey));
      const customerOf = (request: FastifyRequest) => ctx.store.get((request.params as { id?: string }).id ?? '');
      v1.addHook('preHandler', faultGate(ctx, customerOf));
      installReplyFaults(v1, customerOf);
      customerRoutes(v1, ctx);
      intentRoutes(v1, ctx);
      attachRoutes(v1, ctx);
      kycRoutes(v1, ctx);
    },
    { prefix: '/v1' },
  );
  await app.register(async (uploads) => uploadRoutes(uploads, ctx));
  await app.register(async (control) => controlRoutes(control, ctx), { prefix: '/_sandbox' });

  const close = async () => {
    // Stop reviews and deliveries first, so nothing fires at a receiver after close resolves.
    timers.closeAll();
    await webhooks.idle();
    await app.close();
  };
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, port, close };
}

function installErrorHandling(app: FastifyInstance): void {
  // Every answer is the partner's JSON envelope, including fastify's own refusals (bad JSON, 415…).
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'sandbox internal error');
    const message = status >= 500 ? 'Internal error in the sandbox.' : error.message;
    return sendError(reply, status, typeForStatus(status), message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'not_found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`),
  );
}
