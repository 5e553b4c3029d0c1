// The partner's customer as `kyc resume` needs it: whatever its status, so the resumed run can tell
// "never submitted" from "waiting" from "decided". Any status string is kept; the caller decides.
import { activityLog } from './activity-context';
import { decisionOf, showsSubmission } from './customer-status';
import type { PartnerClient } from './partner-client';
import type { PartnerCustomer } from './types';

export async function readCustomer(partner: PartnerClient, req: { customerId: string }): Promise<PartnerCustomer> {
  const c = await partner.getCustomer(req.customerId);
  activityLog.info('partner customer read', { customerId: req.customerId, status: c.status });
  return {
    status: c.status,
    submitted: showsSubmission(c.status),
    ...(decisionOf(c.status) ? { decision: decisionOf(c.status) } : {}),
    ...(c.customer_reference !== undefined ? { customerReference: c.customer_reference } : {}),
    ...(c.kyc_submitted_at !== undefined ? { submittedAt: c.kyc_submitted_at } : {}),
    ...(c.verified_at !== undefined ? { verifiedAt: c.verified_at } : {}),
    ...(c.rejected_at !== undefined ? { rejectedAt: c.rejected_at } : {}),
    ...(c.rejection_reason !== undefined ? { rejectionReason: c.rejection_reason } : {}),
  };
}
