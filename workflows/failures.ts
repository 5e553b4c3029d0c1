// The error vocabulary between activities and the workflow: stable ApplicationFailure `type` strings.

/** Bad workflow input: schema, documents, sources. Non-retryable; the message lists every problem. */
export const InvalidKycInput = 'InvalidKycInput';
/** The pre-signed upload URL expired (403 or past `expires_at`): the workflow asks for a fresh intent. */
export const UploadUrlExpired = 'UploadUrlExpired';
/** The poller found the customer still `pending`; retried by the poll activity's retry policy. */
export const CustomerStillPending = 'CustomerStillPending';
/** The partner refused a request with a non-retryable 4xx; the message is the partner's. */
export const PartnerRequestRefused = 'PartnerRequestRefused';
/** The partner answered something that does not match its documented shape. */
export const PartnerReplyInvalid = 'PartnerReplyInvalid';
/** A retryable partner answer (5xx, 408, 429, network); carries `nextRetryDelay` for 429 Retry-After. */
export const PartnerUnavailable = 'PartnerUnavailable';
/** A URL source answered 5xx or could not be reached while uploading; retried. */
export const SourceUnavailable = 'SourceUnavailable';
/** The source's size changed while it was being uploaded; retried (a fresh read). */
export const SourceChanged = 'SourceChanged';
/** A document's source stayed unavailable or kept changing over every allowed attempt: the run fails clearly. */
export const DocumentSourceFailed = 'DocumentSourceFailed';
/** Our own backend refused an event (4xx at KYC_EVENTS_URL): recorded, never retried, never fails the run. */
export const BackendEventRefused = 'BackendEventRefused';
/** Our own backend did not take an event (5xx, 408, 429, network): retried until it does. */
export const BackendUnavailable = 'BackendUnavailable';
