// The package's `kyc-worker/worker` entry: what a team needs to run the KYC worker in its own process — the
// configuration from the environment, the worker itself, or its parts (the activities factory, the workflows'
// path, the prebuilt bundle, the data converter) for a Worker.create of its own.
/** The package's own copy: a connection from another @temporalio/worker install would not fit its Worker. */
export { NativeConnection } from '@temporalio/worker';
export * from './create-worker';
export { parseWorkerConfig, sourcePolicyWarnings, type WorkerConfig } from './config';
export { prebuiltWorkflowBundle, workflowBundlePath } from './workflow-bundle';
export { createActivities, type ActivityDeps, type KycActivities } from '../activities';
export { temporalTarget, type TemporalTarget } from '../common/connection';
export { ConfigError } from '../common/env';
export {
  dataConverterFromEnv,
  failureConverterPath,
  kycDataConverter,
  payloadEncryptionWarning,
} from '../common/data-converter';
export { kycSearchAttributes } from '../workflows/search-attributes';
