// POST /webhooks/technest (contract §4): the exact bytes are verified before anything parses them, so a forged
// body never reaches the JSON parser; then the event is parsed and handed to its workflow as a signal.
import type { Client } from '@temporalio/client';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { delivered, ignoredClosed, refuse } from './answers';
import { deliverTechnestEvent, TemporalUnavailableError } from './delivery';
import { parseTechnestEvent } from './events';
import { signatureHeader, verifyWebhookSignature } from './signature';

export const webhookPath = '/webhooks/technest';

export interface TechnestEndpointOptions {
  client: Client;
  secrets: string[];
  now: () => number;
  temporalTimeoutMs: number;
}

/** Registers the endpoint in its own scope: the raw-bytes parser (and the absence of any other) stays there. */
export function registerTechnestEndpoint(app: FastifyInstance, options: TechnestEndpointOptions): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Any `application/json; charset=…` lands here; every other type is a 415 from fastify itself.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post(webhookPath, technestHandler(options));
  });
}

function technestHandler({ client, secrets, now, temporalTimeoutMs }: TechnestEndpointOptions): RouteHandlerMethod {
  return async (request, reply) => {
    const rawBody = request.body;
    // A POST with neither Content-Type nor body skips the parsers; it is not JSON either.
    if (!Buffer.isBuffer(rawBody)) return refuse(reply, 415, 'unsupported_media_type', 'Content-Type must be application/json');

    const header = request.headers[signatureHeader];
    const check = verifyWebhookSignature(
      Array.isArray(header) ? header.join(',') : header,
      rawBody,
      secrets,
      Math.floor(now() / 1000),
    );
    if (!check.ok) {
      request.log.warn({ outcome: 'bad_signature', reason: check.reason }, 'technest webhook refused');
      return refuse(reply, 401, 'invalid_signature', check.reason);
    }

    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      // The parser's own message quotes the body: repeated neither here nor in the log.
      request.log.warn({ outcome: 'invalid_json' }, 'technest webhook refused');
      return refuse(reply, 400, 'invalid_json', 'body is not valid JSON');
    }
    const parsed = parseTechnestEvent(json);
    if (!parsed.ok) {
      request.log.warn({ outcome: 'invalid_event' }, 'technest webhook refused');
      return refuse(reply, 400, 'invalid_event', parsed.message);
    }

    const { event } = parsed;
    const about = { event: event.event, customerId: event.data.id };
    try {
      const outcome = await deliverTechnestEvent(client, event, { timeoutMs: temporalTimeoutMs });
      request.log.info({ ...about, outcome }, 'technest webhook');
      if (outcome === 'delivered') return reply.code(200).send(delivered);
      if (outcome === 'workflow_closed') return reply.code(200).send(ignoredClosed);
      return refuse(reply, 404, 'customer_not_found', `no KYC workflow for customer ${event.data.id}`);
    } catch (err) {
      if (!(err instanceof TemporalUnavailableError)) throw err;
      const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
      request.log.error({ ...about, outcome: 'temporal_unavailable', cause }, 'technest webhook not delivered');
      reply.header('retry-after', '5');
      return refuse(reply, 503, 'temporal_unavailable', `${err.message}; the event was not delivered, retry later`);
    }
  };
}
