// KYC metrics, emitted from workflow code through the SDK's replay-safe `metricMeter` (nothing is recorded while
// a history replays), so they come out of the worker's one Prometheus endpoint next to the SDK's own series,
// tagged by the SDK with namespace, taskQueue and workflowType. Labels are small closed sets (stage, document
// category, outcome, a bucketed reason class): never a customer id, reference, name or the partner's raw text.
import { metricMeter } from '@temporalio/workflow';
import type { DocumentCategory } from './documents';
import type { KycStage } from './messages';
import type { RejectionReasonClass } from './rejection';

export const kycMetricNames = {
  stageEntered: 'kyc_stage_entered',
  pendingReview: 'kyc_pending_review_seconds',
  urlRefreshes: 'kyc_upload_url_refreshes',
  escalations: 'kyc_escalations',
  rejections: 'kyc_rejections',
  signalsRefused: 'kyc_signals_refused',
  eventsRefused: 'kyc_backend_events_refused',
} as const;

/** Review times run from minutes to days: the SDK's latency buckets (ms) would put every run in +Inf. */
export const kycHistogramBuckets: Record<string, number[]> = {
  [kycMetricNames.pendingReview]: [
    60,
    300,
    900,
    3600,
    4 * 3600,
    12 * 3600,
    24 * 3600,
    48 * 3600,
    72 * 3600,
    7 * 24 * 3600,
  ],
};

// Created on use: the meter only works inside a workflow context, not while the bundle loads.
export const kycMetrics = {
  stageEntered(stage: KycStage): void {
    metricMeter.createCounter(kycMetricNames.stageEntered, 'runs', 'KYC runs entering each stage').add(1, { stage });
  },
  pendingReview(seconds: number, outcome: 'verified' | 'rejected'): void {
    metricMeter
      .createHistogram(kycMetricNames.pendingReview, 'float', 's', 'Time from submission to the partner decision')
      .record(Math.max(0, seconds), { outcome });
  },
  urlRefreshed(category: DocumentCategory): void {
    metricMeter
      .createCounter(kycMetricNames.urlRefreshes, 'refreshes', 'Expired upload URLs replaced by a fresh intent')
      .add(1, { category });
  },
  escalated(): void {
    metricMeter.createCounter(kycMetricNames.escalations, 'runs', 'Reviews pending past escalateAfter').add(1);
  },
  signalRefused(signal: string): void {
    metricMeter
      .createCounter(
        kycMetricNames.signalsRefused,
        'signals',
        'Decision signals refused for a missing or malformed payload',
      )
      .add(1, { signal });
  },
  eventRefused(type: string): void {
    metricMeter
      .createCounter(kycMetricNames.eventsRefused, 'events', 'Events our backend refused (4xx at KYC_EVENTS_URL)')
      .add(1, { type });
  },
  rejected(reasonClass: RejectionReasonClass): void {
    metricMeter
      .createCounter(kycMetricNames.rejections, 'runs', 'Rejected customers by reason class')
      .add(1, { reason_class: reasonClass });
  },
};
