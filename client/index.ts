// The package's main entry (`kyc-worker`): what a backend imports to start and follow KYC runs. Everything else a
// backend may want lives on its own subpath: the webhook handler (`kyc-worker/webhook`), the message definitions
// (`kyc-worker/messages`) and the worker (`kyc-worker/worker`); none of them loads the worker's activities.
export * from './kyc-client';
export { kycStartOptions } from './start-options';
export type { KycListFilter } from './visibility';
export type {
  CustomerDecisionData,
  DocumentCategory,
  FileStatus,
  KycInput,
  KycOutcome,
  KycResult,
  KycStage,
  KycStatusReply,
} from '../workflows/public';
