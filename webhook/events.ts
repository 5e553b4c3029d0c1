// The partner's webhook events (docs/webhook-receiver.md, "Body"), parsed at the boundary: past this file the receiver
// works on typed events only. Unknown fields are tolerated (the partner may add some); what we act on must be
// consistent.
import { parseDecisionData, type CustomerRejectedData, type CustomerVerifiedData } from '../workflows/decision-data';

/** The events this endpoint subscribes to; anything else is refused so a misconfigured subscription is noticed. */
export const technestEventNames = ['customer_verified', 'customer_rejected'] as const;
export type TechnestEventName = (typeof technestEventNames)[number];

// `data` becomes the workflow's signal. It is parsed by the workflow's own parser (workflows/decision-data.ts): one
// customer-id grammar and one notion of a valid decision on both sides of the signal, so an event we accept is one
// the run accepts too. Unknown fields are dropped there (still tolerated), so whatever the partner adds — even JSON
// nested too deep to serialise again — never reaches Temporal, nor turns into a 5xx.
export type TechnestEvent =
  | { event: 'customer_verified'; data: CustomerVerifiedData }
  | { event: 'customer_rejected'; data: CustomerRejectedData };

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
  const status = name === 'customer_verified' ? 'verified' : 'rejected';
  const parsed = parseDecisionData(status, (json as { data?: unknown }).data, { prefixFields: true });
  if (parsed.ok) return { ok: true, event: { event: name, data: parsed.data } as TechnestEvent };
  return { ok: false, message: `invalid ${name} event: ${parsed.problems.join('; ')}` };
}
