// Fault injection: global random faults (seeded, so a run replays) and per-customer counted faults
// (deterministic, for tests that need "the next call fails" exactly once).
import type { FastifyReply } from 'fastify';
import { sendError } from './errors';
import type { Faults } from './options';
import { mulberry32, type Random } from './prng';
import type { CustomerFaults, CustomerRecord, FileCategory } from './records';

export type FaultAnswer = { kind: 'unavailable' } | { kind: 'rate_limited'; retryAfterSeconds: number };

export class FaultInjector {
  private global: Faults;
  private readonly random: Random;
  /** Faults answered on calls that name no known customer (so no inspection record counts them). */
  unattributedInjected = 0;

  constructor(faults: Faults, seed: number) {
    this.global = { ...faults };
    this.random = mulberry32(seed);
  }

  setGlobal(faults: Faults): void {
    this.global = { ...faults };
  }

  get globalFaults(): Faults {
    return { ...this.global };
  }

  /** Delay before answering a /v1 call or PUT: global latency plus the customer's own. */
  latencyMs(customer: CustomerRecord | undefined): number {
    return (this.global.latencyMs ?? 0) + (customer?.faults.latencyMs ?? 0);
  }

  /** Decides whether this call is answered by a fault instead of doing its work. */
  take(customer: CustomerRecord | undefined): FaultAnswer | undefined {
    // Counted faults first: a test that asked for "the next call fails" must get exactly that.
    if (customer) {
      const counted = this.takeCounted(customer.faults);
      if (counted) return counted;
    }
    if (this.chance(this.global.errorRate)) return { kind: 'unavailable' };
    if (this.chance(this.global.rateLimitRate)) {
      return { kind: 'rate_limited', retryAfterSeconds: this.global.retryAfterSeconds ?? 1 };
    }
    return undefined;
  }

  /** Consumes one commitThenFail: the work is done, then the answer is "lost" as a 503. */
  takeCommitThenFail(customer: CustomerRecord): boolean {
    return decrement(customer.faults, 'commitThenFail');
  }

  /** Like commitThenFail, for the submit call alone (the attach before it answers normally). */
  takeLostSubmitAnswer(customer: CustomerRecord): boolean {
    return decrement(customer.faults, 'loseSubmitAnswer') || decrement(customer.faults, 'commitThenFail');
  }

  /** Whether a new upload intent gets a URL that answers 403 expired regardless of expires_at. */
  takeForcedExpiry(customer: CustomerRecord, category: FileCategory): boolean {
    if (decrement(customer.faults, 'expireUploads')) return true;
    const limit = this.global.expireUploadLimit;
    if (limit !== undefined) {
      const forced = customer.intents.filter((i) => i.file_category === category && i.forced_expiry).length;
      if (forced >= limit) return false;
    }
    return this.chance(this.global.expireUploadRate);
  }

  dropWebhook(customer: CustomerRecord): boolean {
    return customer.faults.dropWebhook === true || this.chance(this.global.dropWebhookRate);
  }

  duplicateWebhook(customer: CustomerRecord): boolean {
    return customer.faults.duplicateWebhook === true || this.chance(this.global.duplicateWebhookRate);
  }

  /** Random delay before a delivery, so two events can overtake each other. */
  webhookDelayMs(): number {
    const range = this.global.webhookDelayMs;
    if (!range) return 0;
    const [min, max] = range;
    return Math.round(min + this.random() * (max - min));
  }

  private takeCounted(faults: CustomerFaults): FaultAnswer | undefined {
    if (decrement(faults, 'fail5xx')) return { kind: 'unavailable' };
    if (decrement(faults, 'rateLimit')) {
      return {
        kind: 'rate_limited',
        retryAfterSeconds: faults.retryAfterSeconds ?? this.global.retryAfterSeconds ?? 1,
      };
    }
    return undefined;
  }

  private chance(rate: number | undefined): boolean {
    // Roll only when a rate is set, so enabling one fault does not shift the sequence of another.
    return rate !== undefined && rate > 0 && this.random() < rate;
  }
}

type CountedFault =
  | 'fail5xx'
  | 'rateLimit'
  | 'expireUploads'
  | 'commitThenFail'
  | 'loseSubmitAnswer'
  | 'omitSubmittedAt'
  | 'garbleReplies';

export function decrement(faults: CustomerFaults, key: CountedFault): boolean {
  const left = faults[key] ?? 0;
  if (left <= 0) return false;
  faults[key] = left - 1;
  return true;
}

/** Answers with the fault and counts it on the customer, so tests can see it happened. */
export function sendFault(
  reply: FastifyReply,
  answer: FaultAnswer,
  customer: CustomerRecord | undefined,
): FastifyReply {
  if (customer) customer.faults_injected += 1;
  if (answer.kind === 'unavailable') {
    return sendError(
      reply,
      503,
      'server_error',
      'The KYC rail is temporarily unavailable (sandbox fault injection); retry later.',
    );
  }
  return sendError(
    reply,
    429,
    'rate_limited',
    `Too many requests (sandbox fault injection); retry after ${answer.retryAfterSeconds} s.`,
    { 'retry-after': String(answer.retryAfterSeconds) },
  );
}
