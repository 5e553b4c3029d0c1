// The Technest webhook, framework-free (docs/webhook-receiver.md): raw body → signature → JSON → event → signal →
// answer. The exact bytes are verified before anything parses them, so a forged body never reaches the JSON parser;
// then the event is handed to its workflow as a signal. The adapters (node-http.ts, express.ts, fastify.ts) only
// read the request and write the WebhookAnswer back.
import type { Client } from '@temporalio/client';
import {
  accepted,
  delivered,
  ignoredClosed,
  payloadTooLarge,
  refusal,
  resumeRetryAfterSeconds,
  temporalRetryAfterSeconds,
  unsupportedMediaType,
  type WebhookAnswer,
} from './answers';
import { deliverTechnestEvent, TemporalUnavailableError } from './delivery';
import { RecentDeliveries, type RecentDeliveriesOptions } from './recent-deliveries';
import { parseTechnestEvent } from './events';
import { webhookBodyLimit } from './raw-body';
import { signatureHeader, verifyWebhookSignature } from '../common/webhook-signature';

/** The path our receiver serves and the README mounts the adapters on; the partner is configured with it. */
export const webhookPath = '/webhooks/technest';

/** The header the adapters read the signature from (lower case, as Node hands headers over). */
export { signatureHeader };

/** pino's shape (fastify's `request.log` is one); any logger with these three methods will do. */
export interface WebhookLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** prom-client's Counter fits; labels are the event name and what became of it, never a customer id. */
export interface WebhookMetrics {
  deliveries: { inc(labels: { event: string; answer: string }): void };
}

export interface TechnestWebhookOptions {
  /** A Temporal client on the namespace the KYC runs live in (`KycClient.client` is one). */
  client: Client;
  /** Every secret currently accepted, newest first (several while the partner rotates keys). */
  secrets: readonly string[];
  /** Milliseconds since the epoch; the signature's replay window is measured against it. */
  now?: () => number;
  /** How long a Temporal call may take before the partner gets a 503 and retries later (default 10 s). */
  temporalTimeoutMs?: number;
  /** Where outcome lines go; unset: the framework's request logger where there is one (Fastify), else nowhere. */
  logger?: WebhookLogger;
  metrics?: WebhookMetrics;
  /**
   * The partner's duplicates answered from a short memory of what Temporal took, without another signal
   * (./recent-deliveries.ts; docs/webhook-receiver.md, "Duplicates"). On by default; `false` sends every event.
   */
  recentDeliveries?: RecentDeliveriesOptions | false;
}

/** What decides an answer before any body is read: the request line and headers. */
export interface WebhookRequestHead {
  method: string;
  /** The path the request came in on, for the 405 message. */
  path?: string;
  contentType?: string | undefined;
  /** The declared Content-Length, when there is one. */
  contentLength?: number | undefined;
}

export interface WebhookRequest extends WebhookRequestHead {
  /** The body exactly as received (empty when there was none). */
  rawBody: Buffer;
  /** The Technest-Signature header's value as the server hands it over (a repeated header as an array). */
  signatureHeader: string | string[] | undefined;
}

export interface TechnestWebhookHandler {
  /** The largest body accepted: adapters that read the stream themselves stop there (readRawBody). */
  readonly bodyLimit: number;
  /** 405, 415 or 413 (by Content-Length) when the head alone decides; then no body needs reading. */
  refuseBeforeBody(head: WebhookRequestHead): WebhookAnswer | undefined;
  /** Every answer of the contract; never throws (an unexpected error is a logged 500). */
  handle(request: WebhookRequest, requestLogger?: WebhookLogger): Promise<WebhookAnswer>;
  /**
   * The answer when the server consumed the body before the handler ran (a JSON body parser mounted first): the
   * signature covers bytes that are gone, so every delivery fails until the mounting is fixed. A 5xx, so the partner
   * retries once it is; logged as an error. `fix` says what to change.
   */
  bodyAlreadyConsumed(fix: string, requestLogger?: WebhookLogger): WebhookAnswer;
}

const silent: WebhookLogger = { info() {}, warn() {}, error() {} };

const isJson = (contentType: string | undefined) =>
  contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';

export function createTechnestWebhookHandler(options: TechnestWebhookOptions): TechnestWebhookHandler {
  const secrets = options.secrets.map((secret) => secret.trim()).filter(Boolean);
  if (secrets.length === 0) {
    throw new Error('the Technest webhook handler needs at least one signing secret (the partner signs with it)');
  }
  const { client, metrics } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.temporalTimeoutMs ?? 10_000;
  const recent =
    options.recentDeliveries === false ? undefined : new RecentDeliveries({ now, ...options.recentDeliveries });

  function refuseBeforeBody({ method, path, contentType, contentLength }: WebhookRequestHead) {
    // The method alone decides, whatever the body.
    if (method !== 'POST') {
      return refusal(405, 'method_not_allowed', `${method} is not allowed on ${path ?? 'this endpoint'}: use POST`, {
        allow: 'POST',
      });
    }
    // A POST with neither Content-Type nor body is not JSON either.
    if (!isJson(contentType)) return unsupportedMediaType();
    if (contentLength !== undefined && contentLength > webhookBodyLimit) return payloadTooLarge();
    return undefined;
  }

  async function handle(request: WebhookRequest, requestLogger?: WebhookLogger): Promise<WebhookAnswer> {
    const log = options.logger ?? requestLogger ?? silent;
    const early = refuseBeforeBody({ ...request, contentLength: request.rawBody.length });
    if (early) return early;
    try {
      return await verifyParseDeliver(request.rawBody, request.signatureHeader, log);
    } catch (err) {
      log.error({ err }, 'unexpected error in the technest webhook handler');
      return refusal(500, 'internal_error', 'unexpected error in the webhook handler');
    }
  }

  async function verifyParseDeliver(
    rawBody: Buffer,
    header: string | string[] | undefined,
    log: WebhookLogger,
  ): Promise<WebhookAnswer> {
    const check = verifyWebhookSignature(
      Array.isArray(header) ? header.join(',') : header,
      rawBody,
      secrets,
      Math.floor(now() / 1000),
    );
    if (!check.ok) {
      log.warn({ outcome: 'bad_signature', reason: check.reason }, 'technest webhook refused');
      return refusal(401, 'invalid_signature', check.reason);
    }

    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      // The parser's own message quotes the body: repeated neither here nor in the log.
      log.warn({ outcome: 'invalid_json' }, 'technest webhook refused');
      return refusal(400, 'invalid_json', 'body is not valid JSON');
    }
    const parsed = parseTechnestEvent(json);
    if (!parsed.ok) {
      log.warn({ outcome: 'invalid_event' }, 'technest webhook refused');
      return refusal(400, 'invalid_event', parsed.message);
    }

    const { event } = parsed;
    // The customer id is the only personal datum logged: it names the run, nothing about the person.
    const about = { event: event.event, customerId: event.data.id };
    const count = (answer: string) => metrics?.deliveries.inc({ event: event.event, answer });
    try {
      const delivery = await deliverTechnestEvent(client, event, { timeoutMs, ...(recent ? { recent } : {}) });
      switch (delivery.outcome) {
        case 'delivered':
          log.info({ ...about, outcome: 'delivered' }, 'technest webhook');
          count('delivered');
          return accepted(delivered);
        case 'duplicate':
          // The run took this very event moments ago; another signal would only lengthen its history.
          log.info({ ...about, outcome: 'duplicate' }, 'technest webhook');
          count('duplicate');
          return accepted(delivered);
        case 'workflow_completed':
          // The run holds its decision already: a late duplicate (or a conflicting one) changes nothing.
          log.info({ ...about, outcome: 'ignored_completed' }, 'technest webhook');
          count('ignored_completed');
          return accepted(ignoredClosed);
        case 'run_needs_resume': {
          // A 200 here would make the partner stop sending a verdict nobody recorded. A 503 keeps it retrying
          // until an operator resumes the run, whose new run then takes the verdict (or reads it from the partner).
          const { workflowId, runId, ending } = delivery;
          log.error(
            { ...about, workflowId, runId, ending, outcome: 'run_needs_resume' },
            `technest webhook not delivered: ${workflowId} ended ${ending} without a decision; run \`kyc resume ${event.data.id}\``,
          );
          count('run_needs_resume');
          return refusal(
            503,
            'run_needs_resume',
            `the KYC run ${workflowId} ended (${ending.toLowerCase().replace(/_/g, ' ')}) without recording a decision; ` +
              `an operator must run \`kyc resume ${event.data.id}\`; retry this event later`,
            { 'retry-after': String(resumeRetryAfterSeconds) },
          );
        }
        case 'no_workflow':
          log.info({ ...about, outcome: 'no_workflow' }, 'technest webhook');
          count('customer_not_found');
          return refusal(404, 'customer_not_found', `no KYC workflow for customer ${event.data.id}`);
      }
    } catch (err) {
      if (!(err instanceof TemporalUnavailableError)) throw err;
      const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
      log.error({ ...about, outcome: 'temporal_unavailable', cause }, 'technest webhook not delivered');
      count('temporal_unavailable');
      return refusal(503, 'temporal_unavailable', `${err.message}; the event was not delivered, retry later`, {
        'retry-after': String(temporalRetryAfterSeconds),
      });
    }
  }

  function bodyAlreadyConsumed(fix: string, requestLogger?: WebhookLogger): WebhookAnswer {
    const message = `the request body was read before the Technest webhook handler ran, so its signature cannot be checked: ${fix}`;
    (options.logger ?? requestLogger ?? silent).error({ outcome: 'webhook_misconfigured' }, message);
    return refusal(500, 'webhook_misconfigured', message);
  }

  return { bodyLimit: webhookBodyLimit, refuseBeforeBody, handle, bodyAlreadyConsumed };
}
