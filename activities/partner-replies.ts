// The partner's replies as its guide describes them, parsed at the boundary: code past the client works
// on typed values. Unknown extra fields are dropped, not refused — the partner may add fields any day.
import { z } from 'zod';

const timestamp = z.iso.datetime({ offset: true });

export const uploadIntentReply = z.object({
  object: z.literal('file_upload_intent'),
  file_id: z.string().min(1),
  upload_url: z.url({ protocol: /^https?$/ }),
  expires_at: timestamp,
  required_headers: z.record(z.string(), z.string()),
});
export type UploadIntentReply = z.infer<typeof uploadIntentReply>;

/** The statuses the guide names; anything else means we no longer understand the rail. */
export const customerStatuses = ['created', 'pending', 'verified', 'rejected'] as const;

export const customerReply = z.object({
  object: z.literal('customer'),
  id: z.string().min(1),
  status: z.enum(customerStatuses),
  kyc_submitted_at: timestamp.optional(),
  verified_at: timestamp.optional(),
  rejected_at: timestamp.optional(),
  rejection_reason: z.string().optional(),
});
export type CustomerReply = z.infer<typeof customerReply>;

/** "200 OK with a confirmation envelope": its shape is not documented, so any JSON object will do. */
export const attachReply = z.looseObject({});

/** One line per problem, naming the field: "expires_at: Invalid ISO datetime". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'reply'}: ${issue.message}`).join('; ');
}
