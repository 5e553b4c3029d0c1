// The `data` object of the partner's customer_verified / customer_rejected webhooks (docs: partner API, step 5),
// parsed with one schema wherever it crosses a boundary: the webhook receiver before it signals, and the
// workflow's signal handlers when the signal arrives (a hand-sent signal never went through the receiver).
import { z } from 'zod';
import { customerIdPattern, customerIdProblem } from './customer-id';

// The workflow records these as the decision time, so a value that is not a timestamp must not get through.
const partnerTimestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp' });

const customerFields = {
  object: z.literal('customer', { error: 'must be "customer"' }),
  id: z.string({ error: 'is required' }).regex(customerIdPattern, customerIdProblem),
  customer_reference: z.string({ error: 'is required' }).min(1, 'must not be empty').max(256),
};

// Unknown fields are dropped (still tolerated): whatever the partner adds never reaches Temporal.
export const customerVerifiedData = z.object({
  ...customerFields,
  status: z.literal('verified', { error: 'must be "verified" in a customer_verified event' }),
  verified_at: partnerTimestamp.optional(),
});

export const customerRejectedData = z.object({
  ...customerFields,
  status: z.literal('rejected', { error: 'must be "rejected" in a customer_rejected event' }),
  rejected_at: partnerTimestamp.optional(),
  rejection_reason: z.string().max(4096).optional(),
});

export type CustomerVerifiedData = z.output<typeof customerVerifiedData>;
export type CustomerRejectedData = z.output<typeof customerRejectedData>;
/** What a caller sends (the webhook's `data`, extra fields allowed). */
export type CustomerDecisionData = z.input<typeof customerVerifiedData> | z.input<typeof customerRejectedData>;

/** Every problem with a payload, one per field, e.g. `status: must be "verified" in a customer_verified event`. */
export function describeDataProblems(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || 'data'}: ${issue.message}`).join('; ');
}
