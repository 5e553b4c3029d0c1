// Step 5 by polling. One GET per activity attempt: a still-pending customer is a retryable failure, so
// the workflow's retry policy is the poller (each attempt is one action, no history growth) and the
// attempt number is the poll count.
import { ApplicationFailure } from '@temporalio/common';
import { CustomerStillPending, PartnerReplyInvalid } from '../workflows/failures';
import { activityLog, attempt } from './activity-context';
import type { PartnerClient } from './partner-client';
import type { PolledDecision } from './types';

export async function pollCustomerDecision(partner: PartnerClient, req: { customerId: string }): Promise<PolledDecision> {
  const customer = await partner.getCustomer(req.customerId);
  const polls = attempt();
  switch (customer.status) {
    case 'pending':
      throw ApplicationFailure.create({
        type: CustomerStillPending,
        nonRetryable: false,
        message: `customer ${req.customerId} is still pending review (poll ${polls})`,
        details: [{ polls, submittedAt: customer.kyc_submitted_at }],
      });
    case 'verified':
      activityLog.info('KYC decision seen by polling', { customerId: req.customerId, status: 'verified', polls });
      return { status: 'verified', ...(customer.verified_at ? { verifiedAt: customer.verified_at } : {}), polls };
    case 'rejected':
      activityLog.info('KYC decision seen by polling', { customerId: req.customerId, status: 'rejected', polls });
      return {
        status: 'rejected',
        ...(customer.rejected_at ? { rejectedAt: customer.rejected_at } : {}),
        ...(customer.rejection_reason !== undefined ? { rejectionReason: customer.rejection_reason } : {}),
        polls,
      };
    default:
      // `created` after a submit means the rail lost our submission or we misread it: a human must look.
      throw ApplicationFailure.create({
        type: PartnerReplyInvalid,
        nonRetryable: true,
        message: `customer ${req.customerId} has status "${customer.status}" while we wait for its review decision`,
      });
  }
}
