// Timeouts and retry policies of every activity, in one place. Each attempt is a billable action,
// so retries are for transient faults only; the typed failures below are never retried.
import type { ActivityOptions } from '@temporalio/workflow';
import {
  BackendEventRefused,
  DocumentSourceFailed,
  InvalidKycInput,
  PartnerReplyInvalid,
  PartnerRequestRefused,
  UploadUrlExpired,
} from './failures';

const neverRetried = [
  InvalidKycInput,
  PartnerRequestRefused,
  PartnerReplyInvalid,
  UploadUrlExpired,
  DocumentSourceFailed,
];

/**
 * Partner calls: a flaky partner is waited out (backing off to 5 min), never given up on. The activities' HTTP
 * timeout (10 s a call, two calls at most) stays well inside the 30 s, so an attempt never overlaps the next.
 */
export const partnerCall: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m', nonRetryableErrorTypes: neverRetried },
};

/**
 * Events to our own backend. Delivered in the background, in order, one at a time: an outage is waited out
 * (backing off to 10 min, never given up) without holding the KYC flow; a refusal (4xx) is recorded, not retried.
 */
export const backendEvent: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    nonRetryableErrorTypes: [BackendEventRefused],
  },
};

/**
 * Reading sources can be slow (URL sources); a missing file will not appear by retrying many times. The check
 * heartbeats while it reads, so a worker that dies mid-check is replaced within 30 s, not 5 min.
 */
export const documentCheck: ActivityOptions = {
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', maximumAttempts: 5, nonRetryableErrorTypes: neverRetried },
};

/**
 * A streamed PUT of up to the size limit. The activity heartbeats about every second while bytes move, so a
 * worker that dies mid-upload is noticed within 30 s (the intent request before the PUT is bounded by its own
 * 30 s timeout) and another worker starts the document again with a fresh URL.
 */
export const upload: ActivityOptions = {
  startToCloseTimeout: '15m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '2m', nonRetryableErrorTypes: neverRetried },
};

/**
 * The poller: one activity whose retry policy is the polling loop (each "still pending" attempt costs one
 * action and no history), backing off from the first interval to the longest. An unreadable reply is retried
 * like "still pending"; only a refusal (a revoked key) ends the loop, and the workflow polls again later.
 */
export function poller(firstInterval: number, maxInterval: number): ActivityOptions {
  return {
    startToCloseTimeout: '30s',
    retry: {
      initialInterval: firstInterval,
      backoffCoefficient: 2,
      maximumInterval: Math.max(firstInterval, maxInterval),
      nonRetryableErrorTypes: [PartnerRequestRefused],
    },
  };
}

/** 0.1's poller policy, for runs of that release (v1/): it gave up on an unreadable reply. */
export function pollerV1(firstInterval: number, maxInterval: number): ActivityOptions {
  const options = poller(firstInterval, maxInterval);
  return {
    ...options,
    retry: { ...options.retry, nonRetryableErrorTypes: [PartnerRequestRefused, PartnerReplyInvalid] },
  };
}
