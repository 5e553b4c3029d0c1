// The webhook `data` objects the receiver forwards as signals (docs/partner-api.md, step 5), for tests that signal
// a run directly as the receiver would.
import type { CustomerRejectedData, CustomerVerifiedData } from '../../workflows/decision-data';

export const verifiedData = (
  id: string,
  reference: string,
  verifiedAt = new Date().toISOString(),
): CustomerVerifiedData => ({
  object: 'customer',
  id,
  customer_reference: reference,
  status: 'verified',
  verified_at: verifiedAt,
});

export const rejectedData = (
  id: string,
  reference: string,
  reason?: string,
  rejectedAt?: string,
): CustomerRejectedData => ({
  object: 'customer',
  id,
  customer_reference: reference,
  status: 'rejected',
  ...(rejectedAt !== undefined ? { rejected_at: rejectedAt } : {}),
  ...(reason !== undefined ? { rejection_reason: reason } : {}),
});
