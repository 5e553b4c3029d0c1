// The worker's workflowsPath: every workflow type this task queue runs.
export { kycWorkflow } from './kyc-workflow';
