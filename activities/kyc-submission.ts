// Steps 3 and 4 of docs/partner-api.md: attach the uploaded files to their slots, then submit for review.
// Submitting is made safe to retry without ever submitting twice: an earlier attempt may have gone through
// with its answer lost, and the partner does not say how the rail refuses a repeat (docs/partner-api.md, Step 4).
// So a retry reads the customer before posting, and any 4xx is checked against the customer's status before it
// counts as refused.
import { ApplicationFailure } from '@temporalio/common';
import type { AttachSlot } from '../workflows/documents';
import { InvalidKycInput } from '../workflows/failures';
import { activityLog, attempt } from './activity-context';
import { isGuideStatus, showsSubmission } from './customer-status';
import type { PartnerClient } from './partner-client';
import type { CustomerReply } from './partner-replies';
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
    // Without id_file the partner never starts a review (docs/partner-api.md, Step 3): refuse rather than attach a dud.
    throw ApplicationFailure.create({
      type: InvalidKycInput,
      nonRetryable: true,
      message: `attach for customer ${req.customerId} has no id_file (the id_document's file): the partner's review would never start`,
    });
  }
  await partner.attachFiles(req.customerId, slots);
  activityLog.info('KYC documents attached', { customerId: req.customerId, slots: Object.keys(slots) });
}

export async function submitKyc(partner: PartnerClient, req: { customerId: string }): Promise<SubmittedKyc> {
  const { customerId } = req;
  // Each attempt makes at most two calls (GET + POST, or POST + GET): with 10 s per call an attempt ends before
  // the activity's 30 s, so two attempts never overlap.
  let before: CustomerReply | undefined;
  if (attempt() > 1) {
    before = await partner.getCustomer(customerId);
    if (showsSubmission(before.status)) return alreadySubmitted(customerId, before);
  }
  const answer = await partner.submitKyc(customerId);
  if (answer.accepted) return submitted(customerId, answer.customer);

  // Refused (any 4xx): the earlier attempt's submit may be why. Decide from the customer, read now unless
  // this attempt read it a moment ago, before its own POST.
  const customer = before ?? (await readAfterRefusal(partner, customerId, answer.refusal));
  if (showsSubmission(customer.status)) return alreadySubmitted(customerId, customer, answer.status);
  throw answer.refusal;
}

function submitted(customerId: string, customer: CustomerReply): SubmittedKyc {
  warnOddities('KYC submit reply', customerId, customer);
  activityLog.info('KYC submitted', { customerId, submittedAt: customer.kyc_submitted_at });
  return result(customer, false);
}

function alreadySubmitted(customerId: string, customer: CustomerReply, refusedWith?: number): SubmittedKyc {
  warnOddities('customer read to check a submit', customerId, customer);
  activityLog.info('KYC was already submitted (an earlier attempt went through)', {
    customerId,
    status: customer.status,
    submittedAt: customer.kyc_submitted_at,
    ...(refusedWith !== undefined ? { refusedWith } : {}),
  });
  return result(customer, true);
}

function result(customer: CustomerReply, already: boolean): SubmittedKyc {
  return {
    alreadySubmitted: already,
    ...(customer.kyc_submitted_at !== undefined ? { submittedAt: customer.kyc_submitted_at } : {}),
    ...(customer.customer_reference !== undefined ? { customerReference: customer.customer_reference } : {}),
  };
}

/** A GET that itself is refused (an unknown customer, a revoked key) explains less than the submit's refusal. */
async function readAfterRefusal(
  partner: PartnerClient,
  customerId: string,
  refusal: ApplicationFailure,
): Promise<CustomerReply> {
  try {
    return await partner.getCustomer(customerId);
  } catch (error) {
    if (error instanceof ApplicationFailure && error.nonRetryable) throw refusal;
    throw error;
  }
}

/** The partner accepted: surprises in its reply are worth a warning for whoever maintains us, never a failure. */
function warnOddities(what: string, customerId: string, customer: CustomerReply): void {
  const oddities: string[] = [];
  if (customer.kyc_submitted_at === undefined) oddities.push('no kyc_submitted_at');
  if (!isGuideStatus(customer.status) || !showsSubmission(customer.status))
    oddities.push(`status "${customer.status}"`);
  // "The guide" in these log lines is the partner's, as docs/partner-api.md describes it.
  if (customer.extraFields.length > 0)
    oddities.push(`fields the guide does not describe: ${customer.extraFields.join(', ')}`);
  if (oddities.length > 0)
    activityLog.warn(`${what} differs from the partner's guide (tolerated)`, { customerId, oddities });
}
