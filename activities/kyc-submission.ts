// Steps 3 and 4 of the guide: attach the uploaded files to their slots, then submit for review.
// Submitting is made safe to retry: the partner may have accepted an earlier attempt whose answer was
// lost, and a second submit on a locked customer is refused with 409 — which then means "done".
import { ApplicationFailure } from '@temporalio/common';
import type { AttachSlot } from '../workflows/documents';
import { InvalidKycInput, PartnerReplyInvalid } from '../workflows/failures';
import { activityLog } from './activity-context';
import type { PartnerClient } from './partner-client';
import type { SubmittedKyc } from './types';

export async function attachDocuments(
  partner: PartnerClient,
  req: { customerId: string; slots: Partial<Record<AttachSlot, string>> },
): Promise<void> {
  const slots: Record<string, string> = {};
  for (const [slot, fileId] of Object.entries(req.slots)) {
    if (typeof fileId === 'string' && fileId !== '') slots[slot] = fileId;
  }
  if (slots.id_file === undefined) {
    // The guide: without id_file "the verification flow won't trigger" — refuse rather than attach a dud.
    throw ApplicationFailure.create({
      type: InvalidKycInput,
      nonRetryable: true,
      message: `attach for customer ${req.customerId} has no id_file (the id_document's file): the partner's review would never start`,
    });
  }
  await partner.attachFiles(req.customerId, slots);
  activityLog.info('KYC documents attached', { customerId: req.customerId, slots: Object.keys(slots) });
}

/** Statuses a customer only reaches through a submit: a 409 with one of these means ours went through. */
const submittedStatuses = new Set(['pending', 'verified', 'rejected']);

export async function submitKyc(partner: PartnerClient, req: { customerId: string }): Promise<SubmittedKyc> {
  const answer = await partner.submitKyc(req.customerId);
  if (!answer.conflict) {
    const submittedAt = answer.customer.kyc_submitted_at;
    if (submittedAt === undefined) throw missingSubmittedAt(req.customerId);
    activityLog.info('KYC submitted', { customerId: req.customerId, submittedAt });
    return { submittedAt, alreadySubmitted: false };
  }
  // Never a second submit: read the customer and decide from its status.
  const customer = await partner.getCustomer(req.customerId);
  if (!submittedStatuses.has(customer.status)) throw answer.refusal;
  if (customer.kyc_submitted_at === undefined) throw missingSubmittedAt(req.customerId);
  activityLog.info('KYC was already submitted (an earlier attempt went through)', {
    customerId: req.customerId,
    status: customer.status,
    submittedAt: customer.kyc_submitted_at,
  });
  return { submittedAt: customer.kyc_submitted_at, alreadySubmitted: true };
}

function missingSubmittedAt(customerId: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: PartnerReplyInvalid,
    nonRetryable: true,
    message: `Technest's customer ${customerId} is submitted but its reply has no kyc_submitted_at`,
  });
}
