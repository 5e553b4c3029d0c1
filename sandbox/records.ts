// What the rail remembers about a customer, and the two ways it is shown: the partner's customer
// object (what /v1 returns) and the inspection record (what tests and operators read under /_sandbox).
import type { ReviewPlan } from './options';

export const FILE_CATEGORIES = ['id_document', 'id_document_back', 'proof_of_address', 'liveness_check'] as const;
export type FileCategory = (typeof FILE_CATEGORIES)[number];

export const CONTENT_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** Which category each attach slot accepts — the partner's slot names, in one place. */
export const SLOT_CATEGORY = {
  id_file: 'id_document',
  id_file_back: 'id_document_back',
  proof_of_address_file: 'proof_of_address',
  liveness_check_file: 'liveness_check',
} as const satisfies Record<string, FileCategory>;
export type Slot = keyof typeof SLOT_CATEGORY;

export type CustomerStatus = 'created' | 'pending' | 'verified' | 'rejected';
export type WebhookEventName = 'customer_verified' | 'customer_rejected';

export interface UploadIntent {
  file_id: string;
  customer_id: string;
  file_category: FileCategory;
  filename: string;
  content_type: ContentType;
  issued_at: string;
  expires_at: string;
  expires_ms: number;
  /** Answers 403 expired on PUT although expires_at is in the future (early expiry / clock skew). */
  forced_expiry: boolean;
}

export interface StoredUpload {
  file_id: string;
  file_category: FileCategory;
  content_type: ContentType;
  bytes: number;
  sha256: string;
  /** Successful PUTs to this file id; a re-PUT replaces the earlier bytes. */
  puts: number;
}

export interface UploadRefusal {
  file_id: string;
  status: number;
  reason: string;
}

export interface WebhookDelivery {
  event: WebhookEventName;
  attempt: number;
  status_code?: number;
  error?: string;
  at: string;
  duplicate: boolean;
}

/** Counted, per-customer faults set through the control API. */
export interface CustomerFaults {
  fail5xx?: number;
  rateLimit?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  expireUploads?: number;
  commitThenFail?: number;
  /** The next n submits are accepted, then answered 503 (attach is left alone). */
  loseSubmitAnswer?: number;
  dropWebhook?: boolean;
  duplicateWebhook?: boolean;
  /**
   * Status of the refusal a repeat submit gets (the partner does not say which, docs/partner-api.md Step 4; default
   * 409).
   */
  repeatSubmitStatus?: 400 | 409 | 422;
  /** The next n customer objects sent back (submit reply, GET) that have a kyc_submitted_at leave it out. */
  omitSubmittedAt?: number;
  /** Every 2xx /v1 reply about the customer carries unknown fields, nested ones included. */
  extraReplyFields?: boolean;
  /** Shown instead of `pending` while the review is open; the real status once decided. */
  statusOverride?: string;
  /** The next n 2xx /v1 replies about the customer have a body that is not JSON (the work is done). */
  garbleReplies?: number;
}

export interface WebhookEvent {
  event: WebhookEventName;
  data: Record<string, string>;
}

export interface CustomerRecord {
  id: string;
  customer_reference: string;
  country: string | null;
  status: CustomerStatus;
  created_at: string;
  kyc_submitted_at: string | null;
  verified_at: string | null;
  rejected_at: string | null;
  rejection_reason: string | null;
  intents: UploadIntent[];
  uploads: Map<string, StoredUpload>;
  upload_refusals: UploadRefusal[];
  attached: Partial<Record<Slot, string>>;
  attach_count: number;
  submit_count: number;
  submit_refusals: number;
  /** Answered GET /v1/customers/{id} calls: how often the customer's status was polled. */
  status_reads: number;
  review: ReviewPlan | undefined;
  cancelReview: (() => void) | undefined;
  faults: CustomerFaults;
  faults_injected: number;
  webhook_deliveries: WebhookDelivery[];
  webhooks_dropped: number;
  last_event: WebhookEvent | undefined;
}

/** The partner's customer object: optional timestamps are omitted until they happen. */
export function customerObject(c: CustomerRecord): Record<string, unknown> {
  return {
    object: 'customer',
    id: c.id,
    customer_reference: c.customer_reference,
    country: c.country,
    status: c.status,
    created_at: c.created_at,
    ...(c.kyc_submitted_at ? { kyc_submitted_at: c.kyc_submitted_at } : {}),
    ...(c.verified_at ? { verified_at: c.verified_at } : {}),
    ...(c.rejected_at ? { rejected_at: c.rejected_at } : {}),
    ...(c.rejection_reason ? { rejection_reason: c.rejection_reason } : {}),
  };
}

/** Everything a test may want to assert about what the rail received. */
export function inspectionRecord(c: CustomerRecord): Record<string, unknown> {
  return {
    id: c.id,
    customer_reference: c.customer_reference,
    country: c.country,
    status: c.status,
    created_at: c.created_at,
    intents: c.intents.map((i) => ({
      file_id: i.file_id,
      file_category: i.file_category,
      filename: i.filename,
      content_type: i.content_type,
      issued_at: i.issued_at,
      expires_at: i.expires_at,
      forced_expiry: i.forced_expiry,
    })),
    uploads: [...c.uploads.values()].map((u) => ({ ...u })),
    upload_refusals: c.upload_refusals.map((r) => ({ ...r })),
    attached: { ...c.attached },
    attach_count: c.attach_count,
    submit_count: c.submit_count,
    submit_refusals: c.submit_refusals,
    status_reads: c.status_reads,
    kyc_submitted_at: c.kyc_submitted_at,
    verified_at: c.verified_at,
    rejected_at: c.rejected_at,
    rejection_reason: c.rejection_reason,
    review: c.review ?? null,
    webhook_deliveries: c.webhook_deliveries.map((d) => ({ ...d })),
    webhooks_dropped: c.webhooks_dropped,
    faults: { ...c.faults },
    faults_injected: c.faults_injected,
  };
}
