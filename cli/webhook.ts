// `kyc webhook`: sends the partner's decision event (docs/webhook-receiver.md, "Body") to a webhook receiver, signed as
// the partner signs it — to exercise a receiver, or to deliver a decision by hand when the partner's delivery was lost.
import { KycClient } from '../client/kyc-client';
import { signatureHeader, signWebhook } from '../common/webhook-signature';
import { customerIdFrom, onePositional, optionalString, requiredString, UsageError, type Values } from './args';
import type { Command } from './commands';

/** The partner's own example reason (as in docs/workflow.md, "Signals"), when the operator gives none. */
const defaultRejectionReason = 'ID document unreadable';

export function webhookUrl(values: Values, env: NodeJS.ProcessEnv): URL {
  const given = optionalString(values, 'url') ?? `http://127.0.0.1:${env.WEBHOOK_PORT || 3000}`;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`--url "${given}" is not a URL (e.g. http://127.0.0.1:3000/webhooks/technest)`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UsageError(`--url must be http(s) (got ${url.protocol})`);
  // A bare origin means our receiver's documented path.
  if (url.pathname === '/') url.pathname = '/webhooks/technest';
  return url;
}

/**
 * The partner's event body (docs/partner-api.md, Step 5): the customer object with its new status and when it changed.
 */
export function decisionEvent(
  decision: 'verified' | 'rejected',
  customer: { id: string; reference?: string; reason?: string },
  now = new Date(),
) {
  const base = {
    object: 'customer',
    id: customer.id,
    customer_reference: customer.reference,
    status: decision,
  };
  const at = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return decision === 'verified'
    ? { event: 'customer_verified', data: { ...base, verified_at: at } }
    : {
        event: 'customer_rejected',
        data: { ...base, rejected_at: at, rejection_reason: customer.reason ?? defaultRejectionReason },
      };
}

/** The partner always sends customer_reference; without --reference, the customer's KYC run knows it. */
async function referenceOf(customerId: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const kyc = await KycClient.connect(env);
    try {
      return (await kyc.status(customerId)).customerReference;
    } finally {
      await kyc.close();
    }
  } catch (err) {
    throw new UsageError(`missing --reference, and looking it up from the KYC run failed: ${(err as Error).message}`);
  }
}

export const webhook: Command = {
  name: 'webhook',
  summary: 'send a signed customer_verified / customer_rejected event to a webhook receiver',
  help: `Usage: kyc webhook verified|rejected --customer-id ID [--reference REF] [--reason TEXT]
                   [--url URL] [--secret S [--secret OLD]]

POSTs the partner's event, signed with Technest-Signature (t=…,v1=HMAC-SHA256), and prints the receiver's answer.
Exit 0 when the receiver answers 2xx, 1 otherwise.

  --url URL       the receiver (default http://127.0.0.1:$WEBHOOK_PORT/webhooks/technest, port 3000)
  --secret S      signing secret (default $WEBHOOK_SECRET); repeat it to sign with several keys, as during rotation
  --customer-id   the partner's customer id (ckcust_…)
  --reference     its customer_reference (default: asked of the customer's KYC run in Temporal)
  --reason TEXT   rejection_reason for "rejected" (default "${defaultRejectionReason}")

Examples:
  kyc webhook verified --customer-id ckcust_123 --reference pouch-user-12345 --secret "$WEBHOOK_SECRET"
  kyc webhook rejected --customer-id ckcust_123 --reason "ID document expired" --url http://localhost:3000 \\
      --secret new-secret --secret old-secret`,
  options: {
    url: { type: 'string' },
    secret: { type: 'string', multiple: true },
    'customer-id': { type: 'string' },
    reference: { type: 'string' },
    reason: { type: 'string' },
  },
  async run({ values, positionals, env }) {
    const decision = onePositional(positionals, 'the decision (verified or rejected)');
    if (decision !== 'verified' && decision !== 'rejected') {
      throw new UsageError(`the decision must be "verified" or "rejected" (got "${decision}")`);
    }
    const secrets = (values.secret as string[] | undefined) ?? (env.WEBHOOK_SECRET ? [env.WEBHOOK_SECRET] : []);
    if (secrets.length === 0 || secrets.some((s) => s === ''))
      throw new UsageError('missing --secret (or WEBHOOK_SECRET)');
    const url = webhookUrl(values, env);
    const id = customerIdFrom(requiredString(values, 'customer-id'), '--customer-id');
    const reference = optionalString(values, 'reference') ?? (await referenceOf(id, env));
    const event = decisionEvent(decision, { id, reference, reason: optionalString(values, 'reason') });
    const rawBody = JSON.stringify(event);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [signatureHeader]: signWebhook(secrets, rawBody) },
        body: rawBody,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause;
      throw new Error(`cannot reach the webhook receiver at ${url.href}: ${cause?.message ?? (err as Error).message}`);
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: shown as the receiver sent it.
    }
    return {
      json: { status: response.status, ok: response.ok, body, sent: event },
      human: `${response.status} ${response.statusText}${text ? `: ${text}` : ''}`,
      exitCode: response.ok ? 0 : 1,
    };
  },
};
