// Modules a run loads only when it needs them. The worker keeps each cached run's module state apart (the SDK's
// reusable V8 context gives every run its own instance of every module it loads), so whatever a waiting run has
// loaded stays in memory as long as the run is cached. zod alone is about 670 KiB per run, yet a waiting run uses
// it only when a decision arrives (to parse the payload) and release 0.1's runs (workflows/v1/) only on replay.
// `require` inside a function is bundled by webpack like any import, but evaluated on the first call; the order
// of evaluation is part of the code, so replay stays deterministic. Measured in docs/operations.md ("Memory").
/* eslint-disable @typescript-eslint/no-require-imports -- lazy by design, see above */

/** The decision payload schemas (zod), for the signal and update handlers. */
export function loadDecisionData(): typeof import('./decision-data') {
  return require('./decision-data') as typeof import('./decision-data');
}

/** Release 0.1's workflow, for runs started before the `kyc-v2` patch. */
export function loadWorkflowV1(): typeof import('./v1/kyc-workflow') {
  return require('./v1/kyc-workflow') as typeof import('./v1/kyc-workflow');
}
