// KYC metrics recorded by activities (the workflow's own are in workflows/metrics.ts), through the activity
// Context's metric meter, so they come out of the worker's one Prometheus endpoint. Labels are closed sets (an
// HTTP status, a partner operation): never a customer id, a URL or a byte of a document. Outside an activity (a
// unit test calling a helper) nothing is recorded.
import { activityMeter } from './activity-context';

export const kycActivityMetricNames = {
  uploadBytes: 'kyc_upload_bytes',
  uploadSeconds: 'kyc_upload_seconds',
  partnerErrors: 'kyc_partner_errors',
} as const;

/** Uploads take from milliseconds (a small scan) to minutes (a 20 MB file on a slow link). */
export const kycActivityHistogramBuckets: Record<string, number[]> = {
  [kycActivityMetricNames.uploadSeconds]: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
};

/** The partner operations of docs/partner-api.md, as a closed label set. */
export type PartnerOperation = 'upload_intent' | 'attach' | 'submit' | 'get_customer';

export const kycActivityMetrics = {
  uploaded(bytes: number, seconds: number): void {
    const meter = activityMeter();
    if (!meter) return;
    meter.createCounter(kycActivityMetricNames.uploadBytes, 'bytes', 'Document bytes PUT to upload URLs').add(bytes);
    meter
      .createHistogram(kycActivityMetricNames.uploadSeconds, 'float', 's', 'Time to PUT one document, source to answer')
      .record(Math.max(0, seconds));
  },
  /** A partner call that got no 2xx: `status` is the HTTP code, or `none` when nothing answered (timeout, reset). */
  partnerError(operation: PartnerOperation, status: number | 'none'): void {
    activityMeter()
      ?.createCounter(kycActivityMetricNames.partnerErrors, 'calls', 'Technest API calls answered with no 2xx')
      .add(1, { operation, status: String(status) });
  },
};
