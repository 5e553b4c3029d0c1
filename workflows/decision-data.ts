// The `data` object of the partner's customer_verified / customer_rejected webhooks (docs: partner API, step 5),
// parsed by this one function wherever it crosses a boundary: the webhook receiver before it signals, and the
// workflow's signal and update handlers when the decision arrives (a hand-sent signal never went through the
// receiver).
//
// Written out by hand rather than with zod, on purpose: this runs inside the workflow sandbox, where every run that
// is replayed after a cache eviction evaluates its modules again. zod cost each such run about 670 KiB of module
// state and 20–70 ms of CPU (docs/operations.md, "Memory"), more than the rest of the workflow together; the shape
// here is six fields. test/decision-data.test.ts holds the cases, the receiver's tests the answers they give.
import { customerIdPattern, customerIdProblem } from './customer-id';

interface CustomerFields {
  object: 'customer';
  id: string;
  customer_reference: string;
}

export interface CustomerVerifiedData extends CustomerFields {
  status: 'verified';
  verified_at?: string;
}

export interface CustomerRejectedData extends CustomerFields {
  status: 'rejected';
  rejected_at?: string;
  rejection_reason?: string;
}

/** What a caller sends (the webhook's `data`; extra fields are allowed and dropped). */
export type CustomerDecisionData = CustomerVerifiedData | CustomerRejectedData;

export type ParsedDecisionData<S extends 'verified' | 'rejected'> =
  | { ok: true; data: S extends 'verified' ? CustomerVerifiedData : CustomerRejectedData }
  /** One problem per field, each `field: what is wrong`, e.g. `status: must be "verified" in a customer_verified event`. */
  | { ok: false; problems: string[] };

// An ISO 8601 date-time with its offset (the workflow records it as the decision time), and a real date.
const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const isTimestamp = (value: unknown) =>
  typeof value === 'string' && timestamp.test(value) && !Number.isNaN(Date.parse(value));

const maxReference = 256;
const maxReason = 4096;

/**
 * Parses the `data` of a `customer_<status>` event. Unknown fields are dropped: only what is read here is kept.
 * @param where `prefixFields` for a webhook body, whose fields then read `data.status: …` rather than `status: …`.
 */
export function parseDecisionData<S extends 'verified' | 'rejected'>(
  status: S,
  data: unknown,
  where: { prefixFields: boolean } = { prefixFields: false },
): ParsedDecisionData<S> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, problems: ['data: must be an object (the webhook\'s "data")'] };
  }
  const d = data as Record<string, unknown>;
  const problems: string[] = [];
  const problem = (field: string, says: string) =>
    problems.push(`${where.prefixFields ? 'data.' : ''}${field}: ${says}`);
  if (d.object !== 'customer') problem('object', 'must be "customer"');
  if (typeof d.id !== 'string') problem('id', 'is required');
  else if (!customerIdPattern.test(d.id)) problem('id', customerIdProblem);
  if (typeof d.customer_reference !== 'string') problem('customer_reference', 'is required');
  else if (d.customer_reference.length === 0) problem('customer_reference', 'must not be empty');
  else if (d.customer_reference.length > maxReference)
    problem('customer_reference', `must be at most ${maxReference} characters`);
  if (d.status !== status) problem('status', `must be "${status}" in a customer_${status} event`);
  const at = status === 'verified' ? 'verified_at' : 'rejected_at';
  if (d[at] !== undefined && !isTimestamp(d[at])) problem(at, 'must be an ISO 8601 timestamp');
  if (status === 'rejected' && d.rejection_reason !== undefined) {
    if (typeof d.rejection_reason !== 'string') problem('rejection_reason', 'must be a string');
    else if (d.rejection_reason.length > maxReason)
      problem('rejection_reason', `must be at most ${maxReason} characters`);
  }
  if (problems.length) return { ok: false, problems };

  const fields = {
    object: 'customer' as const,
    id: d.id as string,
    customer_reference: d.customer_reference as string,
  };
  const parsed: CustomerVerifiedData | CustomerRejectedData =
    status === 'verified'
      ? {
          ...fields,
          status: 'verified',
          ...(d.verified_at !== undefined ? { verified_at: d.verified_at as string } : {}),
        }
      : {
          ...fields,
          status: 'rejected',
          ...(d.rejected_at !== undefined ? { rejected_at: d.rejected_at as string } : {}),
          ...(d.rejection_reason !== undefined ? { rejection_reason: d.rejection_reason as string } : {}),
        };
  return { ok: true, data: parsed } as ParsedDecisionData<S>;
}
