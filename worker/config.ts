// The worker's configuration, read from the environment once at start (docs/operations.md, "Configuration").
// A bad or missing variable stops the process with a message that names it. The Temporal connection
// itself (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, API key, TLS) is read by common/connection.ts.
import { z } from 'zod';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_SOURCE_ATTEMPTS, defaultRunSettings } from '../activities';
import { commaList, duration, durationMs, parseEnv } from '../common/env';
import { defaultTaskQueue } from '../common/task-queue';
import { partnerCall } from '../workflows/activity-options';

/**
 * A partner activity attempt has this long (its start-to-close); a submit makes two HTTP calls in one
 * attempt, so each call must time out within half of it — else a slow reply could outlive the attempt
 * while the next attempt already runs.
 */
const partnerAttemptMs = durationMs(partnerCall.startToCloseTimeout ?? '30s');

const workerEnvSchema = z.object({
  KYC_TASK_QUEUE: z.string().min(1).default(defaultTaskQueue),
  TECHNEST_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:4010' }),
  TECHNEST_API_KEY: z.string({ error: 'is required (the partner API key, sent as a Bearer token)' }).min(1),
  KYC_EVENTS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  KYC_SOURCE_ROOTS: commaList.optional(),
  KYC_SOURCE_HOSTS: commaList.optional(),
  KYC_MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** No poll of the partner sooner than this after the last, whatever a run's `timing` asks (tests lower it). */
  KYC_MIN_POLL_INTERVAL: duration('1m or 30s').default(defaultRunSettings.minPollIntervalMs),
  /** Upload attempts a document's source may fail (unavailable, changing) before its run fails. */
  KYC_SOURCE_ATTEMPTS: z.coerce
    .number({ error: 'must be a positive integer' })
    .int('must be a positive integer')
    .positive('must be a positive integer')
    .default(DEFAULT_SOURCE_ATTEMPTS),
  /** Per HTTP call (partner, backend, URL sources). */
  KYC_REQUEST_TIMEOUT: duration('10s')
    .refine((ms) => ms < partnerAttemptMs / 2, {
      message: `must be below ${partnerAttemptMs / 2000} s, half of a partner activity's ${partnerAttemptMs / 1000} s: a submit makes two calls in one attempt, and a slower call could let the next attempt overlap it`,
    })
    .default(DEFAULT_REQUEST_TIMEOUT_MS),
  /** A workflow bundle built ahead of time (production images); unset → bundled at start. */
  KYC_WORKFLOW_BUNDLE: z.string().min(1).optional(),
});

export type WorkerConfig = z.output<typeof workerEnvSchema>;

export function parseWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  return parseEnv(workerEnvSchema, env, { title: 'Invalid worker configuration', bareRequired: true });
}

/** Said once at start: an unbounded source policy lets a workflow input make the worker read anything. */
export function sourcePolicyWarnings(config: WorkerConfig): string[] {
  const warnings: string[] = [];
  if (!config.KYC_SOURCE_ROOTS)
    warnings.push('KYC_SOURCE_ROOTS is unset: document paths may point anywhere on this machine');
  if (!config.KYC_SOURCE_HOSTS) warnings.push('KYC_SOURCE_HOSTS is unset: document URLs may point at any host');
  return warnings;
}
