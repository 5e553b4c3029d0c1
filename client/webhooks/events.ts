// The partner's webhook events (contract §4), parsed at the boundary: past this file the receiver works on typed
// events only. Unknown fields are tolerated (the partner may add some); what we act on must be consistent.
import { z } from 'zod';

/** The events this endpoint subscribes to; anything else is refused so a misconfigured subscription is noticed. */
export const technestEventNames = ['customer_verified', 'customer_rejected'] as const;
export type TechnestEventName = (typeof technestEventNames)[number];

// The workflow records these as the decision time, so a value that is not a timestamp must not get through.
const partnerTimestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp' });

const customerFields = {
  object: z.literal('customer', { error: 'must be "customer"' }),
  id: z.string({ error: 'is required' }).regex(/^ckcust_[A-Za-z0-9_]+$/, 'must be a Technest customer id (ckcust_…)'),
  customer_reference: z.string({ error: 'is required' }).min(1, 'must not be empty'),
};

// `data` becomes the workflow's signal: unknown fields are dropped (still tolerated), so whatever the partner adds —
// even JSON nested too deep to serialise again — never reaches Temporal, nor turns into a 5xx.
export const customerVerifiedData = z.object({
  ...customerFields,
  status: z.literal('verified', { error: 'must be "verified" in a customer_verified event' }),
  verified_at: partnerTimestamp.optional(),
});

export const customerRejectedData = z.object({
  ...customerFields,
  status: z.literal('rejected', { error: 'must be "rejected" in a customer_rejected event' }),
  rejected_at: partnerTimestamp.optional(),
  rejection_reason: z.string().optional(),
});

export const customerVerifiedEvent = z.looseObject({
  event: z.literal('customer_verified'),
  data: customerVerifiedData,
});

export const customerRejectedEvent = z.looseObject({
  event: z.literal('customer_rejected'),
  data: customerRejectedData,
});

export const technestEvent = z.discriminatedUnion('event', [customerVerifiedEvent, customerRejectedEvent]);
export type TechnestEvent = z.output<typeof technestEvent>;

export type ParsedTechnestEvent = { ok: true; event: TechnestEvent } | { ok: false; message: string };

const accepted = technestEventNames.join(', ');

/** Parses an already JSON-decoded body; the message names every problem, field by field. */
export function parseTechnestEvent(json: unknown): ParsedTechnestEvent {
  // The event name first: a clear "we do not take that event" beats a list of union mismatches.
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, message: 'body must be a JSON object with "event" and "data"' };
  }
  const name = (json as { event?: unknown }).event;
  if (name === undefined) return { ok: false, message: `event is required: one of ${accepted}` };
  if (typeof name !== 'string' || !(technestEventNames as readonly string[]).includes(name)) {
    return { ok: false, message: `unknown event ${JSON.stringify(name)}: this endpoint accepts ${accepted}` };
  }
  const parsed = technestEvent.safeParse(json);
  if (parsed.success) return { ok: true, event: parsed.data };
  const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
  return { ok: false, message: `invalid ${name} event: ${problems.join('; ')}` };
}
