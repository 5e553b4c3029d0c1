// The shapes the workflow codes against. Kept apart from index.ts so each activity module can use them
// without importing the factory (and so the workflow can `import type` them cheaply).
import type { AttachSlot, ContentType, DocumentCategory, KycDocument } from '../workflows/documents';
import type { KycEvent } from '../workflows/events';
import type { ParsedKycInput } from '../workflows/input';
import type { RunSettings } from '../workflows/state';

export interface ActivityDeps {
  /** TECHNEST_API_URL, e.g. http://127.0.0.1:4010 */
  partnerUrl: string;
  /** Sent as `Authorization: Bearer <key>`; never logged, never in an error message. */
  partnerApiKey: string;
  /** KYC_EVENTS_URL; unset → emitKycEvent is a no-op returning { delivered: false }. */
  eventsUrl?: string;
  /** KYC_SOURCE_ROOTS; undefined = unrestricted. */
  sourceRoots?: string[];
  /** KYC_SOURCE_HOSTS; undefined = unrestricted. */
  sourceHosts?: string[];
  /** KYC_MAX_FILE_BYTES (the caller passes the 10 MiB default). */
  maxFileBytes: number;
  /** Per HTTP call (partner, backend, URL sources); default 10_000 — two calls must fit one 30 s activity. */
  requestTimeoutMs?: number;
  /** Limits handed to each new run by prepareRun (KYC_MIN_POLL_INTERVAL …); defaults in activities/run-settings.ts. */
  runSettings?: Partial<RunSettings>;
  /** How many attempts a document source may fail (unavailable, changing) before the run fails; default 5. */
  sourceAttempts?: number;
}

/**
 * Worker-level limits a run depends on (defined beside the workflow state that carries them). Read once, at the
 * run's start (prepareRun's result is in the history), and carried through continue-as-new: a later change to
 * them never alters a waiting run's replay.
 */
export type { RunSettings } from '../workflows/state';

/** What prepareRun hands the workflow: the parsed input, the checked documents and the run's settings. */
export interface PreparedRun {
  input: ParsedKycInput;
  /** Empty when the sources were not read (a resumed run that the partner already has submitted). */
  documents: CheckedDocument[];
  settings: RunSettings;
}

/** The partner's customer as `kyc resume` reads it: the status decides where the run continues. */
export interface PartnerCustomer {
  /** `pending`, `verified`, `rejected`, or a status before submission (e.g. `created`); any other string is kept. */
  status: string;
  /** Whether the status shows a submission (activities/customer-status.ts: anything but a pre-submit status). */
  submitted: boolean;
  /** The decision the status carries, if the review is over. */
  decision?: 'verified' | 'rejected';
  customerReference?: string;
  submittedAt?: string;
  verifiedAt?: string;
  rejectedAt?: string;
  rejectionReason?: string;
}

export interface CheckedDocument {
  category: DocumentCategory;
  bytes: number;
  sha256: string;
}

export interface UploadIntent {
  fileId: string;
  uploadUrl: string;
  expiresAt: string;
  requiredHeaders: Record<string, string>;
}

export interface UploadedDocument {
  bytes: number;
  sha256: string;
}

export interface SubmittedKyc {
  /** The partner's kyc_submitted_at; absent when its reply left it out (tolerated and logged). */
  submittedAt?: string;
  alreadySubmitted: boolean;
  /** The partner's customer_reference, when the reply carried it. */
  customerReference?: string;
}

export interface PolledDecision {
  status: 'verified' | 'rejected';
  verifiedAt?: string;
  rejectedAt?: string;
  rejectionReason?: string;
  /** The partner's customer_reference, when the reply carried it. */
  customerReference?: string;
  /** The activity attempt number that saw the decision (each attempt is one poll). */
  polls: number;
}

/** Steps 1 and 2 of docs/partner-api.md apart: what uploadDocument does in one activity. */
export type UploadSteps = {
  requestUploadIntent(req: {
    customerId: string;
    category: DocumentCategory;
    filename: string;
    contentType: ContentType;
  }): Promise<UploadIntent>;
  putDocument(req: { source: string; intent: UploadIntent }): Promise<UploadedDocument>;
};

export type KycActivities = {
  /**
   * The run's first step: parse the raw input (InvalidKycInput listing every problem), check every document's
   * source unless `checkSources` is false, and hand out the worker's RunSettings.
   */
  prepareRun(rawInput: unknown, options?: { checkSources?: boolean }): Promise<PreparedRun>;
  /** Kept for runs of release 0.1 still in flight; new runs call prepareRun. */
  checkDocuments(documents: KycDocument[]): Promise<CheckedDocument[]>;
  /**
   * GET the partner's customer, tolerant of statuses and fields docs/partner-api.md does not name (for `kyc resume`).
   */
  readCustomer(req: { customerId: string }): Promise<PartnerCustomer>;
  /**
   * Steps 1–2 for one document: a fresh intent, then the streamed PUT right away, so the ~5-minute URL is
   * never fetched long before use (one billable action per document instead of two).
   */
  uploadDocument(req: { customerId: string; document: KycDocument }): Promise<UploadedDocument & { fileId: string }>;
  attachDocuments(req: { customerId: string; slots: Partial<Record<AttachSlot, string>> }): Promise<void>;
  submitKyc(req: { customerId: string }): Promise<SubmittedKyc>;
  pollCustomerDecision(req: { customerId: string }): Promise<PolledDecision>;
  emitKycEvent(req: { event: KycEvent; idempotencyKey: string }): Promise<{ delivered: boolean }>;
};
