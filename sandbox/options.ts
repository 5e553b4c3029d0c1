// The sandbox's knobs. Kept apart from server.ts so every module can share the resolved shape
// without importing the HTTP wiring.

export interface SandboxOptions {
  /** 0 = random free port (the in-process default); main.ts uses SANDBOX_PORT or 4010. */
  port?: number;
  host?: string;
  apiKey?: string;
  /** Lifetime of a pre-signed upload URL; the partner says "~5 minutes". */
  uploadUrlTtlMs?: number;
  maxUploadBytes?: number;
  /** Where decisions are delivered; none = no delivery (polling only). */
  webhookUrl?: string;
  /** HMAC key for Technest-Signature; required when webhookUrl is set. */
  webhookSecret?: string;
  /** Review for customers without their own plan. */
  review?: ReviewPlan;
  /** Global random faults. */
  faults?: Faults;
  webhookRetry?: { attempts: number; baseDelayMs: number };
  /** PRNG seed for random faults, so a failing run can be replayed. */
  seed?: number;
  logger?: boolean;
}

/** How a submitted customer is reviewed. afterMs defaults to 2000 when omitted. */
export type ReviewPlan = { outcome: 'verify' | 'reject' | 'never'; afterMs?: number; reason?: string };

export interface Faults {
  /** Fraction of /v1 calls and upload PUTs answered 503 before doing anything. */
  errorRate?: number;
  /** Fraction answered 429 with Retry-After. */
  rateLimitRate?: number;
  retryAfterSeconds?: number;
  /** Added delay on every /v1 call and PUT. */
  latencyMs?: number;
  /** Fraction of issued upload URLs that answer 403 expired although expires_at is in the future. */
  expireUploadRate?: number;
  /** At most this many of those per customer and file category (unset: no limit), so a plan can stay within a
   * client's bounded number of fresh URLs instead of rolling, now and then, one more than it allows. */
  expireUploadLimit?: number;
  duplicateWebhookRate?: number;
  /** Random delay range before each delivery, so events can arrive out of order. */
  webhookDelayMs?: [number, number];
  /** Fraction of decisions whose webhook is never sent: only polling sees them. */
  dropWebhookRate?: number;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  apiKey: string;
  uploadUrlTtlMs: number;
  maxUploadBytes: number;
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
  review: ReviewPlan;
  faults: Faults;
  webhookRetry: { attempts: number; baseDelayMs: number };
  seed: number;
  logger: boolean;
}

export const DEFAULT_API_KEY = 'sk_test_technest_sandbox';
export const DEFAULT_REVIEW_AFTER_MS = 2000;
export const DEFAULT_REJECTION_REASON = 'ID document unreadable';

export function resolveOptions(opts: SandboxOptions = {}): ResolvedOptions {
  // A delivery target without a key would send unsigned events, which no honest receiver accepts:
  // fail at start rather than produce a stream of 401s.
  if (opts.webhookUrl && !opts.webhookSecret) {
    throw new Error('sandbox: webhookUrl is set but webhookSecret is missing (events must be signed)');
  }
  return {
    port: opts.port ?? 0,
    host: opts.host ?? '127.0.0.1',
    apiKey: opts.apiKey ?? DEFAULT_API_KEY,
    uploadUrlTtlMs: opts.uploadUrlTtlMs ?? 300_000,
    maxUploadBytes: opts.maxUploadBytes ?? 100 * 1024 * 1024,
    webhookUrl: opts.webhookUrl,
    webhookSecret: opts.webhookSecret,
    review: opts.review ?? { outcome: 'verify', afterMs: DEFAULT_REVIEW_AFTER_MS },
    faults: { ...opts.faults },
    webhookRetry: opts.webhookRetry ?? { attempts: 5, baseDelayMs: 200 },
    seed: opts.seed ?? Math.floor(Math.random() * 2 ** 32),
    logger: opts.logger ?? false,
  };
}
