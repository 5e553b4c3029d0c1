// Visibility queries over KYC runs (contract §2 search attributes). Built from validated, quoted values only:
// a filter is user text (a CLI flag, a backend's query string), and pasting it raw into the query language would
// let `x" OR 1=1` widen a search to every workflow in the namespace.
import type { KycStage } from '../workflows/messages';

/** Every stage the `status` query and the KycStatus search attribute can hold, in the order a run goes through. */
export const kycStages = [
  'validating',
  'uploading',
  'attaching',
  'submitting',
  'pending_review',
  'verified',
  'rejected',
] as const satisfies readonly KycStage[];
// Fails to compile if messages.ts gains a stage this list lacks.
type MissingStage = Exclude<KycStage, (typeof kycStages)[number]>;
const everyStageListed: MissingStage extends never ? true : never = true;
void everyStageListed;

export const isKycStage = (value: string): value is KycStage => (kycStages as readonly string[]).includes(value);

export class InvalidListFilterError extends Error {
  override name = 'InvalidListFilterError';
}

export interface KycListFilter {
  status?: KycStage;
  customerReference?: string;
  limit?: number;
}

/**
 * A string literal of the visibility query language: single-quoted, with backslashes and quotes escaped.
 * Control characters have no business in a Keyword we search by, so they are refused rather than escaped.
 */
export function quoteLiteral(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new InvalidListFilterError('a filter value may not contain control characters');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `WorkflowType = 'kycWorkflow' [AND KycStatus = '…'] [AND CustomerReference = '…']`, or a clear refusal. */
export function kycListQuery(filter: KycListFilter = {}): string {
  const clauses = [`WorkflowType = ${quoteLiteral('kycWorkflow')}`];
  if (filter.status !== undefined) {
    if (typeof filter.status !== 'string' || !isKycStage(filter.status)) {
      throw new InvalidListFilterError(`status must be one of ${kycStages.join(', ')} (got ${JSON.stringify(filter.status)})`);
    }
    clauses.push(`KycStatus = ${quoteLiteral(filter.status)}`);
  }
  if (filter.customerReference !== undefined) {
    if (typeof filter.customerReference !== 'string' || filter.customerReference.trim() === '') {
      throw new InvalidListFilterError('customerReference must be a non-empty string');
    }
    clauses.push(`CustomerReference = ${quoteLiteral(filter.customerReference)}`);
  }
  return clauses.join(' AND ');
}

export const defaultListLimit = 50;
export const maxListLimit = 1000;

export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return defaultListLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxListLimit) {
    throw new InvalidListFilterError(`limit must be a whole number from 1 to ${maxListLimit} (got ${limit})`);
  }
  return limit;
}
