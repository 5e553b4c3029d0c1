// Step 5 by polling. One GET per activity attempt: a still-pending customer is a retryable failure, so
// the workflow's retry policy is the poller (each attempt is one action, no history growth) and the
// attempt number is the poll count. Polling starts only after the partner accepted our submit, so nothing
// the partner answers may end the run except a decision: a status docs/partner-api.md does not name counts as still
// pending (and is logged), an unreadable reply is read again on the next attempt (partner-client.ts).
import { ApplicationFailure } from '@temporalio/common';
import { CustomerStillPending } from '../workflows/failures';
import { activityLog, attempt } from './activity-context';
import { decisionOf } from './customer-status';
import type { PartnerClient } from './partner-client';
import type { PolledDecision } from './types';

export async function pollCustomerDecision(
  partner: PartnerClient,
  req: { customerId: string },
): Promise<PolledDecision> {
  const customer = await partner.getCustomer(req.customerId);
  const polls = attempt();
  const reference = customer.customer_reference !== undefined ? { customerReference: customer.customer_reference } : {};
  const decision = decisionOf(customer.status);
  if (decision === 'verified') {
    activityLog.info('KYC decision seen by polling', { customerId: req.customerId, status: 'verified', polls });
    return {
      status: 'verified',
      ...(customer.verified_at ? { verifiedAt: customer.verified_at } : {}),
      ...reference,
      polls,
    };
  }
  if (decision === 'rejected') {
    activityLog.info('KYC decision seen by polling', { customerId: req.customerId, status: 'rejected', polls });
    return {
      status: 'rejected',
      ...(customer.rejected_at ? { rejectedAt: customer.rejected_at } : {}),
      ...(customer.rejection_reason !== undefined ? { rejectionReason: customer.rejection_reason } : {}),
      ...reference,
      polls,
    };
  }
  const unexpected = customer.status !== 'pending';
  if (unexpected) {
    // `created` after our submit, or a state the partner's guide never names (docs/partner-api.md, "What we
    // tolerate"; the log line's "guide" is that one): a human may want to look, the run waits on.
    activityLog.warn(`customer status "${customer.status}" is not one the guide names; treated as still pending`, {
      customerId: req.customerId,
      status: customer.status,
      polls,
    });
  }
  throw ApplicationFailure.create({
    type: CustomerStillPending,
    nonRetryable: false,
    message: `customer ${req.customerId} is still ${unexpected ? `"${customer.status}" (read as pending)` : 'pending'} review (poll ${polls})`,
    details: [{ polls, status: customer.status, submittedAt: customer.kyc_submitted_at }],
  });
}
