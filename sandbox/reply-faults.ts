// Faults that change what a successful /v1 reply looks like rather than whether the call works: the
// shapes a real partner may send although docs/partner-api.md does not promise them (an interim status, a missing
// timestamp, fields added in a new API version) and a 2xx whose body got cut off. They apply after the
// route did its work, so the caller's view differs from what the rail recorded — that is the point.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decrement } from './faults';
import type { CustomerRecord } from './records';

/** Unknown fields a later API version could add: a scalar, an array and nested objects. */
export const EXTRA_REPLY_FIELDS = {
  livemode: false,
  risk: { score: 12, flags: [] as string[] },
  metadata: { source: 'sandbox', tags: ['extra'], nested: { level: 2 } },
};

export function installReplyFaults(
  app: FastifyInstance,
  customerOf: (request: FastifyRequest) => CustomerRecord | undefined,
): void {
  app.addHook('preSerialization', async (request, reply, payload) => {
    const customer = customerOf(request);
    if (!customer || !isOk(reply.statusCode) || !isPlainObject(payload)) return payload;
    return reshape(customer, payload);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const customer = customerOf(request);
    if (!customer || !isOk(reply.statusCode) || typeof payload !== 'string') return payload;
    if (!decrement(customer.faults, 'garbleReplies')) return payload;
    customer.faults_injected += 1;
    // Half a body, still labelled JSON: what a proxy cutting the connection short looks like to a client.
    return payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
  });
}

function reshape(customer: CustomerRecord, payload: Record<string, unknown>): Record<string, unknown> {
  const faults = customer.faults;
  let out = payload;
  if (out.object === 'customer') {
    if (out.status === 'pending' && faults.statusOverride) out = { ...out, status: faults.statusOverride };
    // Counted only when there is a timestamp to leave out, so a count set before submission hits the submit reply.
    if ('kyc_submitted_at' in out && decrement(faults, 'omitSubmittedAt')) {
      const { kyc_submitted_at: _omitted, ...rest } = out;
      out = rest;
      customer.faults_injected += 1;
    }
  }
  if (faults.extraReplyFields) out = { ...out, ...EXTRA_REPLY_FIELDS };
  return out;
}

const isOk = (status: number) => status >= 200 && status < 300;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
