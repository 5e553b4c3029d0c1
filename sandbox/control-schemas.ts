// Bodies of the /_sandbox control API (the sandbox's own, not the partner's).
import { z } from 'zod';

const count = z.int().min(0);
const rate = z.number().min(0).max(1);
const ms = z.int().min(0);

export const reviewPlanBody = z
  .object({
    outcome: z.enum(['verify', 'reject', 'never']),
    after_ms: ms.optional(),
    reason: z.string().min(1).optional(),
  })
  .strict();

export const decideBody = z
  .object({
    outcome: z.enum(['verify', 'reject']),
    reason: z.string().min(1).optional(),
  })
  .strict();

/** Customers created already submitted and pending review, for benches that hold thousands of waiting runs. */
export const submittedCustomersBody = z
  .object({ customer_references: z.array(z.string().min(1).max(128)).min(1).max(1000) })
  .strict();

export const customerFaultsBody = z
  .object({
    fail5xx: count.optional(),
    rateLimit: count.optional(),
    retryAfterSeconds: count.optional(),
    latencyMs: ms.optional(),
    expireUploads: count.optional(),
    commitThenFail: count.optional(),
    loseSubmitAnswer: count.optional(),
    dropWebhook: z.boolean().optional(),
    duplicateWebhook: z.boolean().optional(),
    repeatSubmitStatus: z.union([z.literal(400), z.literal(409), z.literal(422)]).optional(),
    omitSubmittedAt: count.optional(),
    extraReplyFields: z.boolean().optional(),
    statusOverride: z.string().min(1).max(64).optional(),
    garbleReplies: count.optional(),
  })
  .strict();

export const globalFaultsBody = z
  .object({
    errorRate: rate.optional(),
    rateLimitRate: rate.optional(),
    retryAfterSeconds: count.optional(),
    latencyMs: ms.optional(),
    expireUploadRate: rate.optional(),
    expireUploadLimit: count.optional(),
    duplicateWebhookRate: rate.optional(),
    webhookDelayMs: z
      .tuple([ms, ms])
      .refine(([min, max]) => min <= max, 'must be [min, max] with min <= max')
      .optional(),
    dropWebhookRate: rate.optional(),
  })
  .strict();

export const webhookTargetBody = z
  .object({
    url: z.url({ protocol: /^https?$/ }).nullable(),
    secret: z.string().min(1).optional(),
  })
  .strict()
  .refine((body) => body.url === null || body.secret !== undefined, {
    message: 'a secret is required with a url (events are always signed)',
    path: ['secret'],
  });
