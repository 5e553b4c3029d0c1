// Visibility queries over KYC runs (docs/workflow.md, "Search attributes"). Built from validated, quoted values only:
// a filter is user text (a CLI flag, a backend's query string), and pasting it raw into the query language would
// let `x" OR 1=1` widen a search to every workflow in the namespace.
import { searchableStages } from '../workflows/messages';

/**
 * The stages a run writes to the KycStatus search attribute, so the only ones a list can filter by: `attaching` and
 * `submitting` last under a second and show in the `status` query only (workflows/messages.ts decides, not us).
 */
export const listableStages = searchableStages;
export type ListableStage = (typeof searchableStages)[number];

export const isListableStage = (value: string): value is ListableStage =>
  (listableStages as readonly string[]).includes(value);

/**
 * Said with every refusal, so nobody waits for a match that never comes. Worded without naming the other stages:
 * messages.ts alone decides which stages are searchable.
 */
export const unlistableNote = 'the other stages last under a second and show in `kyc status` only';

export function stageFilterProblem(value: unknown): string {
  return `status must be one of ${listableStages.join(', ')} (got ${JSON.stringify(value)}); ${unlistableNote}`;
}

export class InvalidListFilterError extends Error {
  override name = 'InvalidListFilterError';
}

export interface KycListFilter {
  status?: ListableStage;
  customerReference?: string;
  limit?: number;
}

/**
 * A string literal of the visibility query language: single-quoted, with backslashes and quotes escaped.
 * Control characters have no business in a Keyword we search by, so they are refused rather than escaped.
 */
export function quoteLiteral(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new InvalidListFilterError('a filter value may not contain control characters');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `WorkflowType = 'kycWorkflow' [AND KycStatus = '…'] [AND CustomerReference = '…']`, or a clear refusal. */
export function kycListQuery(filter: KycListFilter = {}): string {
  const clauses = [`WorkflowType = ${quoteLiteral('kycWorkflow')}`];
  if (filter.status !== undefined) {
    if (typeof filter.status !== 'string' || !isListableStage(filter.status)) {
      throw new InvalidListFilterError(stageFilterProblem(filter.status));
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
