// Signals, update, query and result of kycWorkflow (docs/workflow.md): one module both the workflow and its callers
// import.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CustomerDecisionData } from './decision-data';
import type { AttachSlot, DocumentCategory } from './documents';
import type { KycEventType } from './events';

export type { CustomerDecisionData } from './decision-data';

/**
 * The partner's decision, as the webhook receiver forwards it: the webhook's `data` object. The workflow parses
 * it (decision-data.ts); a missing or malformed payload is refused and recorded in `status.refusedSignals`,
 * never failing the run.
 */
export const customerVerified = defineSignal<[CustomerDecisionData]>('customerVerified');
export const customerRejected = defineSignal<[CustomerDecisionData]>('customerRejected');

/** The partner's webhook event, whole: what the `customerDecision` update takes. */
export interface TechnestDecisionEvent {
  event: 'customer_verified' | 'customer_rejected';
  data: CustomerDecisionData;
}
/** How the run took a decision sent by update: the first one decides, later ones are recorded only. */
export type DecisionAck = { accepted: 'decided' } | { accepted: 'duplicate'; decidedAs: 'verified' | 'rejected' };
/**
 * The same decision as an Update, for callers who want to know it was taken: an invalid payload is refused by
 * the validator (the caller gets the problem; nothing is written to the history).
 */
export const customerDecision = defineUpdate<DecisionAck, [TechnestDecisionEvent]>('customerDecision');

export type KycStage =
  'validating' | 'uploading' | 'attaching' | 'submitting' | 'pending_review' | 'verified' | 'rejected';

/** Stages written to the KycStatus search attribute: the ones that last long enough to search for. */
export const searchableStages = [
  'validating',
  'uploading',
  'pending_review',
  'verified',
  'rejected',
] as const satisfies readonly KycStage[];

export interface FileStatus {
  category: DocumentCategory;
  filename: string;
  slot: AttachSlot;
  fileId?: string;
  uploaded: boolean;
  bytes?: number;
  sha256?: string;
  /** How many fresh upload intents were needed because a URL expired. */
  urlRefreshes: number;
}

export interface KycOutcome {
  status: 'verified' | 'rejected';
  decidedAt: string;
  /** How the decision reached us. */
  via: 'webhook' | 'poll';
}

/** The `status` query's answer (not to be confused with the KycStatus search attribute, which holds the stage). */
export interface KycStatusReply {
  stage: KycStage;
  customerId: string;
  customerReference: string;
  files: FileStatus[];
  submittedAt?: string;
  /** When the run started waiting for the review (workflow time). */
  pendingSince?: string;
  /** Poll attempts reported back to the run (the poller reports when it ends; between its attempts the Web UI
   *  shows the live attempt count of the pending activity). */
  polls: number;
  escalatedAt?: string;
  outcome?: KycOutcome;
  /** Decisions that arrived after the first one (duplicates, conflicts): recorded, never acted on. */
  ignoredDecisions: Array<{ status: string; via: 'webhook' | 'poll'; at: string }>;
  lastPollError?: string;
  /** Signals refused for a missing or malformed payload (the newest 20), each with what was wrong. */
  refusedSignals: Array<{ signal: string; at: string; problem: string }>;
  /** Events to the backend (KYC_EVENTS_URL): waiting in order, delivered, and refused by the backend. */
  events: {
    pending: KycEventType[];
    delivered: KycEventType[];
    refused: Array<{ type: KycEventType; at: string; error: string }>;
  };
  /** The partner's own customer_reference, when one of its replies carried it. */
  partnerCustomerReference?: string;
}

export const statusQuery = defineQuery<KycStatusReply>('status');

export interface KycResult {
  status: 'verified' | 'rejected';
  customerId: string;
  customerReference: string;
  verifiedAt?: string;
  rejectedAt?: string;
  /** The partner's raw reason, for audit. Never shown to the end user. */
  rejectionReason?: string;
  /** What to tell the end user. */
  userMessage?: string;
  /** The reference to create the retry customer with: `ref` → `ref-r2` → `ref-r3`. */
  retryCustomerReference?: string;
}

/**
 * The second argument of kycWorkflow when `kyc resume` starts a run again after one failed or was terminated:
 * the run reads the partner's customer first and continues at the step it is at (never a second submit).
 */
export interface KycResume {
  resume: 'from-partner';
}

export const kycWorkflowId = (customerId: string): string => `kyc-${customerId}`;
