// What a run knows about itself, and nothing else: the `status` query's answer and what continue-as-new carries.
// Side effects of a change (search attributes, the Web UI's details, metrics) live in progress.ts.
import { attachSlotFor } from './documents';
import type { KycEvent, KycEventType } from './events';
import type { ParsedKycInput } from './input';
import type { FileStatus, KycOutcome, KycStage, KycStatusReply as StatusReply } from './messages';
import type { WaitingState as WaitingStateV1 } from './v1/state';

export interface Decision {
  status: 'verified' | 'rejected';
  via: 'webhook' | 'poll';
  /** When the partner decided, if it said; otherwise when we learnt of it. */
  at: string;
  rejectionReason?: string;
}

/** Limits read once at the run's start (activities/run-settings.ts) and carried, so replays never see new values. */
export interface RunSettings {
  minPollIntervalMs: number;
  maxUrlRefreshes: number;
  uploadConcurrency: number;
  rejectionReasonGraceMs: number;
}

/** An event waiting for our backend, in the order it happened. */
export type QueuedEvent = { idempotencyKey: string; event: KycEvent };

/** What continue-as-new carries into the next run: everything the waiting phase needs, derived values included. */
export interface CarriedState {
  version: 2;
  input: ParsedKycInput;
  settings: RunSettings;
  files: FileStatus[];
  submittedAt?: string;
  pendingSince: string;
  polls: number;
  escalatedAt?: string;
  decision?: Decision;
  ignoredDecisions: StatusReply['ignoredDecisions'];
  refusedSignals: StatusReply['refusedSignals'];
  outbox: QueuedEvent[];
  delivered: KycEventType[];
  refusedEvents: StatusReply['events']['refused'];
  partnerCustomerReference?: string;
  lastPollError?: string;
}

/** Only the newest refusals are kept: a flood of bad signals must not grow the state without bound. */
const keptRefusals = 20;

export class KycState {
  stage: KycStage = 'validating';
  readonly customerId: string;
  readonly customerReference: string;
  /** Set once prepareRun has parsed the input (or carried in); absent while validating. */
  input?: ParsedKycInput;
  settings?: RunSettings;
  files: FileStatus[] = [];
  /** The partner's kyc_submitted_at (absent if its reply left it out). */
  submittedAt?: string;
  /** Workflow time the review started: the escalation clock (the partner's clock is not ours to schedule by). */
  pendingSince?: string;
  polls = 0;
  escalatedAt?: string;
  decision?: Decision;
  ignoredDecisions: StatusReply['ignoredDecisions'] = [];
  refusedSignals: StatusReply['refusedSignals'] = [];
  /** Events not yet taken by the backend, oldest first; the head is the one being delivered. */
  outbox: QueuedEvent[] = [];
  delivered: KycEventType[] = [];
  /** The head of the outbox is with the backend right now (not carried: a new run sends it again). */
  delivering = false;
  refusedEvents: StatusReply['events']['refused'] = [];
  partnerCustomerReference?: string;
  lastPollError?: string;

  /** `raw` serves the query before the input is parsed (and when it never parses). */
  constructor(raw: unknown) {
    const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    this.customerId = typeof fields.customerId === 'string' ? fields.customerId : '';
    this.customerReference = typeof fields.customerReference === 'string' ? fields.customerReference : '';
  }

  /** The parsed input and the worker's limits, from prepareRun. */
  prepared(input: ParsedKycInput, settings: RunSettings): void {
    this.input = input;
    this.settings = settings;
    this.files = input.documents.map((doc) => ({
      category: doc.category,
      filename: doc.filename,
      slot: attachSlotFor[doc.category],
      uploaded: false,
      urlRefreshes: 0,
    }));
  }

  /**
   * The first decision wins; every later one (duplicate or conflicting) is only recorded. A later report of the
   * same verdict may still bring the rejection reason the first one lacked (a poll can decide before the
   * webhook that carries the reason arrives).
   */
  decide(decision: Omit<Decision, 'at'> & { at?: string }, now: string): 'decided' | 'duplicate' {
    const at = decision.at ?? now;
    if (!this.decision) {
      this.decision = { ...decision, at };
      return 'decided';
    }
    this.ignoredDecisions.push({ status: decision.status, via: decision.via, at });
    if (this.ignoredDecisions.length > keptRefusals) this.ignoredDecisions.shift();
    if (decision.status === this.decision.status && !this.decision.rejectionReason && decision.rejectionReason) {
      this.decision.rejectionReason = decision.rejectionReason;
    }
    return 'duplicate';
  }

  refuseSignal(signal: string, problem: string, at: string): void {
    this.refusedSignals.push({ signal, at, problem });
    if (this.refusedSignals.length > keptRefusals) this.refusedSignals.shift();
  }

  status(): StatusReply {
    const outcome: KycOutcome | undefined = this.decision && {
      status: this.decision.status,
      decidedAt: this.decision.at,
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
      refusedSignals: [...this.refusedSignals],
      events: {
        pending: this.outbox.map((queued) => queued.event.type),
        delivered: [...this.delivered],
        refused: [...this.refusedEvents],
      },
      partnerCustomerReference: this.partnerCustomerReference,
    };
  }

  carry(): CarriedState {
    return {
      version: 2,
      input: this.input!,
      settings: this.settings!,
      files: this.files,
      submittedAt: this.submittedAt,
      pendingSince: this.pendingSince!,
      polls: this.polls,
      escalatedAt: this.escalatedAt,
      decision: this.decision,
      ignoredDecisions: this.ignoredDecisions,
      refusedSignals: this.refusedSignals,
      outbox: this.outbox,
      delivered: this.delivered,
      refusedEvents: this.refusedEvents,
      partnerCustomerReference: this.partnerCustomerReference,
      lastPollError: this.lastPollError,
    };
  }

  restore(carried: CarriedState): void {
    const { version: _version, ...fields } = carried;
    Object.assign(this, fields);
    this.delivering = false;
    this.stage = 'pending_review';
  }
}

/**
 * A run of release 0.1 that continued as new hands today's code its own WaitingState: the input is parsed again
 * (once, by prepareRun without reading the sources) and the 0.1 defaults fill the settings.
 */
export function isWaitingStateV1(carried: unknown): carried is WaitingStateV1 {
  return typeof carried === 'object' && carried !== null && !('version' in carried) && 'files' in carried;
}
