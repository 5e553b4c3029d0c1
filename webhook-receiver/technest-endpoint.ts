// POST /webhooks/technest (docs/webhook-receiver.md): the exact bytes are verified before anything parses them, so a
// forged body never reaches the JSON parser; then the event is parsed and handed to its workflow as a signal.
import type { Client } from '@temporalio/client';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { delivered, ignoredClosed, refuse, resumeRetryAfterSeconds } from './answers';
import { deliverTechnestEvent, TemporalUnavailableError } from './delivery';
import { parseTechnestEvent } from './events';
import type { ReceiverMetrics } from './metrics';
import type { RecentDeliveries } from './recent-deliveries';
import { signatureHeader, verifyWebhookSignature } from '../common/webhook-signature';

export const webhookPath = '/webhooks/technest';

export interface TechnestEndpointOptions {
  client: Client;
  secrets: string[];
  now: () => number;
  temporalTimeoutMs: number;
  metrics?: ReceiverMetrics;
  /** Duplicates answered without a Temporal call; unset = every event goes to Temporal. */
  recent?: RecentDeliveries;
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

function technestHandler({
  client,
  secrets,
  now,
  temporalTimeoutMs,
  metrics,
  recent,
}: TechnestEndpointOptions): RouteHandlerMethod {
  return async (request, reply) => {
    const rawBody = request.body;
    // A POST with neither Content-Type nor body skips the parsers; it is not JSON either.
    if (!Buffer.isBuffer(rawBody))
      return refuse(reply, 415, 'unsupported_media_type', 'Content-Type must be application/json');

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
    // The customer id is the only personal datum logged: it names the run, nothing about the person.
    const about = { event: event.event, customerId: event.data.id };
    const count = (answer: string) => metrics?.deliveries.inc({ event: event.event, answer });
    try {
      const delivery = await deliverTechnestEvent(client, event, {
        timeoutMs: temporalTimeoutMs,
        ...(recent ? { recent } : {}),
      });
      switch (delivery.outcome) {
        case 'delivered':
          request.log.info({ ...about, outcome: 'delivered' }, 'technest webhook');
          count('delivered');
          return reply.code(200).send(delivered);
        case 'duplicate':
          // The run took this very event moments ago; another signal would only lengthen its history.
          request.log.info({ ...about, outcome: 'duplicate' }, 'technest webhook');
          count('duplicate');
          return reply.code(200).send(delivered);
        case 'workflow_completed':
          // The run holds its decision already: a late duplicate (or a conflicting one) changes nothing.
          request.log.info({ ...about, outcome: 'ignored_completed' }, 'technest webhook');
          count('ignored_completed');
          return reply.code(200).send(ignoredClosed);
        case 'run_needs_resume': {
          // A 200 here would make the partner stop sending a verdict nobody recorded. A 503 keeps it retrying
          // until an operator resumes the run, whose new run then takes the verdict (or reads it from the partner).
          const { workflowId, runId, ending } = delivery;
          request.log.error(
            { ...about, workflowId, runId, ending, outcome: 'run_needs_resume' },
            `technest webhook not delivered: ${workflowId} ended ${ending} without a decision; run \`kyc resume ${event.data.id}\``,
          );
          count('run_needs_resume');
          reply.header('retry-after', String(resumeRetryAfterSeconds));
          return refuse(
            reply,
            503,
            'run_needs_resume',
            `the KYC run ${workflowId} ended (${ending.toLowerCase().replace(/_/g, ' ')}) without recording a decision; ` +
              `an operator must run \`kyc resume ${event.data.id}\`; retry this event later`,
          );
        }
        case 'no_workflow':
          request.log.info({ ...about, outcome: 'no_workflow' }, 'technest webhook');
          count('customer_not_found');
          return refuse(reply, 404, 'customer_not_found', `no KYC workflow for customer ${event.data.id}`);
      }
    } catch (err) {
      if (!(err instanceof TemporalUnavailableError)) throw err;
      const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
      request.log.error({ ...about, outcome: 'temporal_unavailable', cause }, 'technest webhook not delivered');
      count('temporal_unavailable');
      reply.header('retry-after', '5');
      return refuse(reply, 503, 'temporal_unavailable', `${err.message}; the event was not delivered, retry later`);
    }
  };
}
