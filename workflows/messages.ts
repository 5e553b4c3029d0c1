// Signals, query and result of kycWorkflow (contract §2): one module both the workflow and its callers import.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AttachSlot, DocumentCategory } from './documents';

/** The webhook's `data` object, as the receiver forwards it. Only `status` and the timestamps are relied on. */
export interface CustomerDecisionData {
  object?: string;
  id?: string;
  customer_reference?: string;
  status?: string;
  verified_at?: string;
  rejected_at?: string;
  rejection_reason?: string;
}

export const customerVerified = defineSignal<[CustomerDecisionData]>('customerVerified');
export const customerRejected = defineSignal<[CustomerDecisionData]>('customerRejected');

export type KycStage =
  | 'validating'
  | 'uploading'
  | 'attaching'
  | 'submitting'
  | 'pending_review'
  | 'verified'
  | 'rejected';

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

export interface KycStatus {
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
}

export const statusQuery = defineQuery<KycStatus>('status');

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

export const kycWorkflowId = (customerId: string): string => `kyc-${customerId}`;
