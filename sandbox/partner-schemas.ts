// Request bodies of the partner API, as docs/partner-api.md describes them. Strict objects: an
// unknown field is refused by name, so a typo in the worker's client shows up here, not in production.
import { z } from 'zod';
import { CONTENT_TYPES, FILE_CATEGORIES } from './records';

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `is required (${what})` : `must be ${what}`;

export const createCustomerBody = z
  .object({
    customer_reference: z
      .string({ error: required('a non-empty string') })
      .min(1, 'must not be empty')
      .max(255, 'must be at most 255 characters'),
    // null is read as "not given": clients often serialise an absent optional that way.
    country: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code: 2 uppercase letters, e.g. "GB"')
      .nullish(),
  })
  .strict();

export const fileIntentBody = z
  .object({
    file_category: z.enum(FILE_CATEGORIES, { error: required(`one of ${FILE_CATEGORIES.join(', ')}`) }),
    filename: z
      .string({ error: required('a non-empty string') })
      .min(1, 'must not be empty')
      .max(255, 'must be at most 255 characters'),
    content_type: z.enum(CONTENT_TYPES, { error: required(`one of ${CONTENT_TYPES.join(', ')}`) }),
  })
  .strict();

const fileId = (slot: string, mandatory: boolean) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined && mandatory
          ? `is mandatory: without ${slot} the verification flow won't trigger`
          : 'must be a file id string (file_…)',
    })
    .min(1, 'must not be empty');

export const attachBody = z
  .object({
    id_file: fileId('id_file', true),
    id_file_back: fileId('id_file_back', false).optional(),
    proof_of_address_file: fileId('proof_of_address_file', false).optional(),
    liveness_check_file: fileId('liveness_check_file', false).optional(),
  })
  .strict();

/** The submit body is empty: everything was captured at customer-create and file-attach. */
export const submitBody = z.object({}).strict();
