// The shapes the workflow codes against. Kept apart from index.ts so each activity module can use them
// without importing the factory (and so the workflow can `import type` them cheaply).
import type { AttachSlot, ContentType, DocumentCategory, KycDocument } from '../workflows/documents';
import type { KycEvent } from '../workflows/events';

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
  /** Per partner call; default 30_000. */
  requestTimeoutMs?: number;
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
  submittedAt: string;
  alreadySubmitted: boolean;
}

export interface PolledDecision {
  status: 'verified' | 'rejected';
  verifiedAt?: string;
  rejectedAt?: string;
  rejectionReason?: string;
  /** The activity attempt number that saw the decision (each attempt is one poll). */
  polls: number;
}

/** Guide steps 1 and 2 apart: what uploadDocument does in one activity. */
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
  checkDocuments(documents: KycDocument[]): Promise<CheckedDocument[]>;
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
