// FROZEN (release 0.1.0): the state of 0.1's runs; see kyc-workflow.ts in this folder.
// What the run knows about itself: the `status` query's answer, the stage (mirrored into the KycStatus
// search attribute and the Web UI's current details), and the first decision to arrive.
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { attachSlotFor } from '../documents';
import type { ParsedKycInput } from './input';
import type { FileStatus, KycOutcome, KycStage, KycStatusReply as StatusReply } from '../messages';
import { kycMetrics } from '../metrics';
import { CustomerReference, KycEscalated, KycStatus } from '../search-attributes';

export interface Decision {
  status: 'verified' | 'rejected';
  via: 'webhook' | 'poll';
  /** When the partner decided, if it said; otherwise when we learnt of it. */
  at?: string;
  rejectionReason?: string;
}

/** What continue-as-new carries into the next run: everything the waiting phase needs. */
export interface WaitingState {
  files: FileStatus[];
  submittedAt?: string;
  pendingSince?: string;
  polls: number;
  escalatedAt?: string;
  ignoredDecisions: StatusReply['ignoredDecisions'];
  decision?: Decision;
}

/**
 * Stages mirrored into KycStatus. `attaching` and `submitting` last a second or two; the `status` query and the
 * Web UI's current details show them, but an upsert each would cost two actions per onboarding for nothing.
 */
const searchableStages = new Set<KycStage>(['validating', 'uploading', 'pending_review', 'verified', 'rejected']);

export class KycState {
  stage: KycStage = 'validating';
  readonly customerId: string;
  readonly customerReference: string;
  files: FileStatus[];
  /** The partner's kyc_submitted_at. */
  submittedAt?: string;
  /** Workflow time at submission: the escalation clock (the partner's clock is not ours to schedule by). */
  pendingSince?: string;
  polls = 0;
  escalatedAt?: string;
  decision?: Decision;
  ignoredDecisions: StatusReply['ignoredDecisions'] = [];
  lastPollError?: string;
  lastEventError?: string;
  /** A continued run re-enters pending_review: that is not a new run entering it, for the metrics. */
  private readonly resumedRun: boolean;

  /** `raw` serves the query even when the input failed to parse. */
  constructor(input: ParsedKycInput | undefined, raw: Partial<ParsedKycInput>, resumed?: WaitingState) {
    this.customerId = String(input?.customerId ?? raw?.customerId ?? '');
    this.customerReference = String(input?.customerReference ?? raw?.customerReference ?? '');
    this.files = (input?.documents ?? []).map((doc) => ({
      category: doc.category,
      filename: doc.filename,
      slot: attachSlotFor[doc.category],
      uploaded: false,
      urlRefreshes: 0,
    }));
    if (resumed) Object.assign(this, resumed);
    this.resumedRun = resumed !== undefined;
  }

  /** The first decision wins; every later one (duplicate or conflicting) is only recorded. */
  decide(decision: Decision): void {
    const at = decision.at ?? new Date().toISOString();
    if (this.decision) {
      this.ignoredDecisions.push({ status: decision.status, via: decision.via, at });
      return;
    }
    this.decision = { ...decision, at };
    this.refreshDetails();
  }

  setStage(stage: KycStage): void {
    this.stage = stage;
    if (!(this.resumedRun && stage === 'pending_review')) kycMetrics.stageEntered(stage);
    const current = workflowInfo().typedSearchAttributes;
    // Each upsert is a billable action: only send what changed (the starter may have set both already),
    // and only for the stages that last long enough for anyone to search for them.
    const updates = [];
    if (searchableStages.has(stage) && current.get(KycStatus) !== stage) updates.push({ key: KycStatus, value: stage });
    if (current.get(CustomerReference) === undefined && this.customerReference) {
      updates.push({ key: CustomerReference, value: this.customerReference });
    }
    if (updates.length) upsertSearchAttributes(updates);
    this.refreshDetails();
  }

  markEscalated(): void {
    this.escalatedAt = new Date().toISOString();
    upsertSearchAttributes([{ key: KycEscalated, value: true }]);
    kycMetrics.escalated();
    this.refreshDetails();
  }

  /** The Web UI's "current details": a few plain lines about where the run is. */
  refreshDetails(): void {
    const uploaded = this.files.filter((f) => f.uploaded).length;
    const lines = [`**${this.stage}**`, `documents uploaded: ${uploaded}/${this.files.length}`];
    if (this.pendingSince) lines.push(`pending review since ${this.pendingSince}`, `polls so far: ${this.polls}`);
    lines.push(`escalated: ${this.escalatedAt ? `yes, at ${this.escalatedAt}` : 'no'}`);
    if (this.decision) lines.push(`decision: ${this.decision.status} (via ${this.decision.via})`);
    setCurrentDetails(lines.join('\n'));
  }

  status(): StatusReply {
    const outcome: KycOutcome | undefined = this.decision && {
      status: this.decision.status,
      decidedAt: this.decision.at!,
      via: this.decision.via,
    };
    return {
      stage: this.stage,
      customerId: this.customerId,
      customerReference: this.customerReference,
      files: this.files.map((f) => ({ ...f })),
      submittedAt: this.submittedAt,
      pendingSince: this.pendingSince,
      polls: this.polls,
      escalatedAt: this.escalatedAt,
      outcome,
      ignoredDecisions: [...this.ignoredDecisions],
      lastPollError: this.lastPollError,
      refusedSignals: [],
      events: { pending: [], delivered: [], refused: [] },
    };
  }

  waitingState(): WaitingState {
    return {
      files: this.files,
      submittedAt: this.submittedAt,
      pendingSince: this.pendingSince,
      polls: this.polls,
      escalatedAt: this.escalatedAt,
      ignoredDecisions: this.ignoredDecisions,
      decision: this.decision,
    };
  }
}
