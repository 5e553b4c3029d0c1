// The package's `kyc-worker/messages` entry: what a caller outside the worker needs to talk to a KYC run by hand
// (signals, the update, the query, ids, the input and result types), and nothing of the workflow's own code, so
// importing it never loads the orchestration. client/ and the webhook handler build on the same definitions.
export {
  customerDecision,
  customerRejected,
  customerVerified,
  kycWorkflowId,
  searchableStages,
  statusQuery,
  type CustomerDecisionData,
  type DecisionAck,
  type FileStatus,
  type KycOutcome,
  type KycResult,
  type KycResume,
  type KycStage,
  type KycStatusReply,
  type TechnestDecisionEvent,
} from './messages';
export { customerIdPattern, isCustomerId } from './customer-id';
export { contentTypes, documentCategories, type ContentType, type DocumentCategory } from './documents';
export type { KycEvent, KycEventType } from './events';
export type { KycInput } from './input';
export { CustomerReference, KycEscalated, kycSearchAttributes, KycStatus } from './search-attributes';
/** The workflow's type, for `client.workflow.start<typeof kycWorkflow>('kycWorkflow', …)`; a type only. */
export type { kycWorkflow } from './kyc-workflow';
