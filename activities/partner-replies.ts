// The partner's replies as docs/partner-api.md describes them, parsed at the boundary: code past the client works on
// typed values. Unknown extra fields are dropped, not refused — the partner may add fields any day. The customer object
// is read tolerantly: after a submit, only a decision may end a run, so a status the partner's guide does not name or
// an odd optional field must never make a reply "invalid" (docs/partner-api.md, "What we tolerate").
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

/** An optional field docs/partner-api.md shows: kept when well-formed, otherwise read as absent rather than refused. */
const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/** The fields we read; anything else the partner sends is reported (extraFields) and ignored. */
const customerFields = {
  object: z.literal('customer'),
  id: z.string().min(1),
  /**
   * Any string: `created`, `pending`, `verified`, `rejected` are the partner's (docs/partner-api.md); callers tolerate
   * others.
   */
  status: z.string().min(1),
  customer_reference: optional(z.string().min(1)),
  kyc_submitted_at: optional(timestamp),
  verified_at: optional(timestamp),
  rejected_at: optional(timestamp),
  rejection_reason: optional(z.string()),
};
/** Fields the rail's customer object carries that no step reads: not worth a warning. */
const quietFields = new Set(['country', 'created_at']);

export const customerReply = z.looseObject(customerFields).transform((reply) => {
  const extraFields = Object.keys(reply).filter((key) => !(key in customerFields) && !quietFields.has(key));
  return {
    object: reply.object,
    id: reply.id,
    status: reply.status,
    customer_reference: reply.customer_reference,
    kyc_submitted_at: reply.kyc_submitted_at,
    verified_at: reply.verified_at,
    rejected_at: reply.rejected_at,
    rejection_reason: reply.rejection_reason,
    /** Names of fields docs/partner-api.md does not describe (logged by whoever wants to notice a changed API). */
    extraFields,
  };
});
export type CustomerReply = z.infer<typeof customerReply>;

/** "200 OK with a confirmation envelope": its shape is not documented, so any JSON object will do. */
export const attachReply = z.looseObject({});

/** One line per problem, naming the field: "expires_at: Invalid ISO datetime". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'reply'}: ${issue.message}`)
    .join('; ');
}
