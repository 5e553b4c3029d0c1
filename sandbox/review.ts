// The partner's review: scheduled at submission from the customer's plan (else the default),
// or forced through the control API. A decision sets the status and emits the webhook event.
import { DEFAULT_REJECTION_REASON, DEFAULT_REVIEW_AFTER_MS, type ReviewPlan } from './options';
import type { CustomerRecord, WebhookEvent } from './records';
import type { Timers } from './timers';
import type { WebhookDispatcher } from './webhooks';

export class Reviewer {
  constructor(
    private defaultPlan: ReviewPlan,
    private readonly timers: Timers,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  planFor(customer: CustomerRecord): ReviewPlan {
    return customer.review ?? this.defaultPlan;
  }

  /** (Re)starts the review clock of a pending customer; a plan of 'never' leaves it pending. */
  schedule(customer: CustomerRecord): void {
    customer.cancelReview?.();
    customer.cancelReview = undefined;
    if (customer.status !== 'pending') return;
    const plan = this.planFor(customer);
    if (plan.outcome === 'never') return;
    const outcome = plan.outcome;
    customer.cancelReview = this.timers.schedule(
      () => this.decide(customer, outcome, plan.reason),
      plan.afterMs ?? DEFAULT_REVIEW_AFTER_MS,
    );
  }

  /** Decides a pending customer now. Returns false when it is not pending. */
  decide(customer: CustomerRecord, outcome: 'verify' | 'reject', reason?: string): boolean {
    if (customer.status !== 'pending') return false;
    customer.cancelReview?.();
    customer.cancelReview = undefined;
    const now = new Date().toISOString();
    let event: WebhookEvent;
    if (outcome === 'verify') {
      customer.status = 'verified';
      customer.verified_at = now;
      event = { event: 'customer_verified', data: { ...eventBase(customer), verified_at: now } };
    } else {
      customer.status = 'rejected';
      customer.rejected_at = now;
      customer.rejection_reason = reason ?? DEFAULT_REJECTION_REASON;
      event = {
        event: 'customer_rejected',
        data: { ...eventBase(customer), rejected_at: now, rejection_reason: customer.rejection_reason },
      };
    }
    this.webhooks.emit(customer, event);
    return true;
  }
}

/** The fields every event's data carries, in the shape of docs/partner-api.md, Step 5. */
function eventBase(customer: CustomerRecord): Record<string, string> {
  return {
    object: 'customer',
    id: customer.id,
    customer_reference: customer.customer_reference,
    status: customer.status,
  };
}
