// The webhook receiver (docs/webhook-receiver.md) as a fastify app: the partner's endpoint, a health check, and JSON
// answers for everything else. `buildWebhookReceiver` does not listen (tests may inject); `startWebhookReceiver` does,
// for `main.ts` and the one-command demo.
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AddressInfo } from 'node:net';
import { refuse } from './answers';
import type { ReceiverMetrics } from './metrics';
import { RecentDeliveries, type RecentDeliveriesOptions } from './recent-deliveries';
import { registerTechnestEndpoint, webhookPath } from './technest-endpoint';

export { webhookPath };
/** The partner's events are a few hundred bytes; anything this big is not one of them. */
export const webhookBodyLimit = 64 * 1024;

export interface WebhookReceiverOptions {
  client: Client;
  /** Every secret currently accepted, newest first (several while the partner rotates keys). */
  secrets: string[];
  logger?: FastifyServerOptions['logger'];
  /** Milliseconds since the epoch; the signature's replay window is measured against it. */
  now?: () => number;
  /** How long a Temporal call may take before the partner gets a 503 and retries later. */
  temporalTimeoutMs?: number;
  /** Requests by answer code (./metrics.ts); unset = not counted. */
  metrics?: ReceiverMetrics;
  /**
   * The memory of recent deliveries (./recent-deliveries.ts): duplicates and events for completed runs answered
   * without a Temporal call. On by default; `false` sends every event to Temporal (the bench's before/after).
   */
  recentDeliveries?: RecentDeliveriesOptions | false;
}

// Our logs must never carry what lets someone forge or replay a delivery, whatever serializers a caller adds.
const redact = ['req.headers["technest-signature"]', 'req.headers.authorization', 'req.body'];

export function buildWebhookReceiver(options: WebhookReceiverOptions): FastifyInstance {
  const secrets = options.secrets.map((secret) => secret.trim()).filter(Boolean);
  if (secrets.length === 0) throw new Error('the webhook receiver needs at least one signing secret (WEBHOOK_SECRET)');
  const logger = options.logger === true ? { redact } : options.logger ? { redact, ...options.logger } : false;

  const app = Fastify({ logger, bodyLimit: webhookBodyLimit });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return refuse(reply, 413, 'payload_too_large', `body is larger than ${webhookBodyLimit} bytes`);
    if (status === 415) return refuse(reply, 415, 'unsupported_media_type', 'Content-Type must be application/json');
    if (status >= 400 && status < 500) return refuse(reply, status, 'bad_request', error.message);
    request.log.error({ err: error }, 'unexpected error in the webhook receiver');
    return refuse(reply, 500, 'internal_error', 'unexpected error in the webhook receiver');
  });
  app.setNotFoundHandler((request, reply) =>
    refuse(
      reply,
      404,
      'not_found',
      `no route ${request.method} ${request.url.split('?')[0]}; the partner posts to ${webhookPath}`,
    ),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Ready = Temporal answers: a receiver that cannot signal would only turn deliveries into 503s.
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.client.withDeadline(Date.now() + 2_000, () => options.client.workflowService.getSystemInfo({}));
      return { status: 'ready' };
    } catch (err) {
      return refuse(
        reply.header('retry-after', '5'),
        503,
        'temporal_unavailable',
        `Temporal is not answering: ${(err as Error).message}`,
      );
    }
  });

  if (options.metrics) {
    const { requests, duration } = options.metrics;
    app.addHook('onResponse', async (request, reply) => {
      // The route template, never the raw URL: a scanner's random paths must not mint new series.
      const route = request.routeOptions.url ?? 'unmatched';
      requests.inc({ route, method: request.method, code: String(reply.statusCode) });
      duration.observe({ route }, reply.elapsedTime / 1000);
    });
  }

  // Refused before any body is read or parsed: the method alone decides.
  app.route({
    method: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: webhookPath,
    onRequest: async (request, reply) => {
      reply.header('allow', 'POST');
      return refuse(reply, 405, 'method_not_allowed', `${request.method} is not allowed on ${webhookPath}: use POST`);
    },
    handler: async () => undefined,
  });

  registerTechnestEndpoint(app, {
    client: options.client,
    secrets,
    now: options.now ?? Date.now,
    temporalTimeoutMs: options.temporalTimeoutMs ?? 10_000,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.recentDeliveries === false
      ? {}
      : { recent: new RecentDeliveries({ now: options.now ?? Date.now, ...options.recentDeliveries }) }),
  });
  return app;
}

export interface StartWebhookReceiverOptions extends WebhookReceiverOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
}

export interface RunningWebhookReceiver {
  /** Base URL, e.g. http://127.0.0.1:3000; the partner posts to `webhookUrl`. */
  url: string;
  webhookUrl: string;
  /** Stops accepting, lets in-flight requests finish. The Temporal client stays the caller's to close. */
  close(): Promise<void>;
}

/** The port is taken. Carries `code` like the system error, so callers that check for EADDRINUSE keep working. */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`port ${port} on ${host} is already in use`);
  }
}

export async function startWebhookReceiver(options: StartWebhookReceiverOptions): Promise<RunningWebhookReceiver> {
  const { port, host = '127.0.0.1', ...receiverOptions } = options;
  const app = buildWebhookReceiver(receiverOptions);
  try {
    await app.listen({ port, host });
  } catch (err) {
    await app.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, port);
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return { url, webhookUrl: `${url}${webhookPath}`, close: () => app.close() };
}
