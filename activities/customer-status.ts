// What a customer's status says about our submission, in one place for submit, poll and resume. The partner's guide
// (docs/partner-api.md, Step 4 and Step 5) names `pending`, `verified` and `rejected` after a submit, and implies
// `created` before it; a status it does not name is read as "submitted": the partner only invents states for a package
// it is handling, and taking it for "not submitted" would risk the one thing that can never be undone, a second
// submission.

/** Statuses of a customer whose KYC has not been submitted yet. */
const preSubmitStatuses = new Set(['created']);

export type Decided = 'verified' | 'rejected';

function normalise(status: string): string {
  return status.trim().toLowerCase();
}

/** True unless the status clearly says the customer was never submitted. */
export function showsSubmission(status: string): boolean {
  return !preSubmitStatuses.has(normalise(status));
}

/** The decision a status carries, if any. */
export function decisionOf(status: string): Decided | undefined {
  const s = normalise(status);
  return s === 'verified' || s === 'rejected' ? s : undefined;
}

/** Whether the partner's guide names this status at all (docs/partner-api.md; others are tolerated, and logged). */
export function isGuideStatus(status: string): boolean {
  return ['created', 'pending', 'verified', 'rejected'].includes(normalise(status));
}
