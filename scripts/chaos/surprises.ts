// What the chaos does to single customers beside the global faults, decided up front from the seed (a PRNG of its own,
// so the review plan of each customer stays what it was): partner replies docs/partner-api.md does not promise (unknown
// fields, an interim status, a missing timestamp, an unreadable 2xx, a repeat submit refused with 400/422), our backend
// refusing one of the customer's events, and an operator sending malformed decision signals by hand.
import { mulberry32 } from '../../sandbox/prng';
import type { CustomerPlan } from './plan';

export interface Surprises {
  /** Per-customer sandbox faults (PUT /_sandbox/customers/{id}/faults), or none. */
  partnerFaults?: Record<string, number | boolean | string>;
  /** Which of the customer's events our backend refuses (422) the first time it arrives. */
  refuseEvent?: 'kyc.submitted' | 'decision';
  /** Malformed decision signals are sent to this customer's run before and after submission. */
  misuse: boolean;
}

/** The partner surprises, each with what it exercises in the worker. */
const partnerFaultMenu: Array<Record<string, number | boolean | string>> = [
  { extraReplyFields: true },
  { statusOverride: 'in_review' },
  { omitSubmittedAt: 2 },
  // Any 2xx may come back unreadable: an intent, the attach, the submit or a poll.
  { garbleReplies: 2 },
  // The submit's answer is lost, so the worker's retry meets the partner's refusal of a repeat — not a 409.
  { loseSubmitAnswer: 1, repeatSubmitStatus: 400 },
  { loseSubmitAnswer: 1, repeatSubmitStatus: 422 },
  // A garbled submit reply: the submission stands, and the retry is refused as a repeat.
  { garbleReplies: 1, repeatSubmitStatus: 422, extraReplyFields: true },
  { omitSubmittedAt: 1, statusOverride: 'under_review', extraReplyFields: true },
];

export function planSurprises(plans: CustomerPlan[], seed: number): Map<CustomerPlan, Surprises> {
  const random = mulberry32(seed ^ 0x5a7e);
  const out = new Map<CustomerPlan, Surprises>();
  for (const plan of plans) {
    const surprises: Surprises = { misuse: random() < 0.3 };
    if (random() < 0.4) surprises.partnerFaults = partnerFaultMenu[Math.floor(random() * partnerFaultMenu.length)]!;
    const refuse = random();
    if (refuse < 0.05) surprises.refuseEvent = 'kyc.submitted';
    else if (refuse < 0.1) surprises.refuseEvent = 'decision';
    out.set(plan, surprises);
  }
  return out;
}

/**
 * The Idempotency-Key the backend refuses once for this customer, per docs/workflow.md ("Events"):
 * `<workflowId>:<type>`.
 */
export function refusedKey(s: Surprises, plan: CustomerPlan, workflowId: string): string | undefined {
  if (!s.refuseEvent) return undefined;
  const type =
    s.refuseEvent === 'decision' ? (plan.review.outcome === 'verify' ? 'kyc.verified' : 'kyc.rejected') : s.refuseEvent;
  return `${workflowId}:${type}`;
}
