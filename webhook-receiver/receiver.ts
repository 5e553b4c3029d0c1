// The webhook receiver (docs/webhook-receiver.md) as a fastify app: the partner's endpoint (the webhook/ core through
// its Fastify adapter), health checks, and JSON answers for everything else. `buildWebhookReceiver` does not listen
// (tests may inject); `startWebhookReceiver` does, for `main.ts` and the one-command demo.
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AddressInfo } from 'node:net';
import { frameworkRefusal, refusal, temporalRetryAfterSeconds } from '../webhook/answers';
import { sendAnswer, technestFastifyPlugin } from '../webhook/fastify';
import { createTechnestWebhookHandler, webhookPath } from '../webhook/handler';
import { webhookBodyLimit } from '../webhook/raw-body';
import type { RecentDeliveriesOptions } from '../webhook/recent-deliveries';
import type { ReceiverMetrics } from './metrics';

export { webhookBodyLimit, webhookPath };

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
   * The memory of recent deliveries (webhook/recent-deliveries.ts): duplicates and events for completed runs answered
   * without a Temporal call. On by default; `false` sends every event to Temporal (the bench's before/after).
   */
  recentDeliveries?: RecentDeliveriesOptions | false;
}

// Our logs must never carry what lets someone forge or replay a delivery, whatever serializers a caller adds.
const redact = ['req.headers["technest-signature"]', 'req.headers.authorization', 'req.body'];

export function buildWebhookReceiver(options: WebhookReceiverOptions): FastifyInstance {
  // No logger of its own: its lines go to fastify's request logger, redacted as above.
  const { client, secrets, now, temporalTimeoutMs, metrics, recentDeliveries } = options;
  const handler = createTechnestWebhookHandler({
    client,
    secrets,
    now,
    temporalTimeoutMs,
    metrics,
    ...(recentDeliveries !== undefined ? { recentDeliveries } : {}),
  });
  const logger = options.logger === true ? { redact } : options.logger ? { redact, ...options.logger } : false;

  const app = Fastify({ logger, bodyLimit: webhookBodyLimit });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    if ((error.statusCode ?? 500) >= 500) request.log.error({ err: error }, 'unexpected error in the webhook receiver');
    return sendAnswer(reply, frameworkRefusal(error.statusCode, error.message));
  });
  app.setNotFoundHandler((request, reply) =>
    sendAnswer(
      reply,
      refusal(
        404,
        'not_found',
        `no route ${request.method} ${request.url.split('?')[0]}; the partner posts to ${webhookPath}`,
      ),
    ),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Ready = Temporal answers: a receiver that cannot signal would only turn deliveries into 503s.
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.client.withDeadline(Date.now() + 2_000, () => options.client.workflowService.getSystemInfo({}));
      return { status: 'ready' };
    } catch (err) {
      return sendAnswer(
        reply,
        refusal(503, 'temporal_unavailable', `Temporal is not answering: ${(err as Error).message}`, {
          'retry-after': String(temporalRetryAfterSeconds),
        }),
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

  void app.register(technestFastifyPlugin, { handler, path: webhookPath });
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
