// Modules a run loads only when it needs them. The worker keeps each cached run's module state apart (the SDK's
// reusable V8 context gives every run its own instance of every module it loads), so whatever a waiting run has
// loaded stays in memory as long as the run is cached, and a run replayed after an eviction evaluates them again.
// Release 0.1's code (workflows/v1/) and the zod it parses its input with — about 670 KiB and 20–70 ms of CPU per
// run — are needed only by runs started before the `kyc-v2` patch.
// `require` inside a function is bundled by webpack like any import, but evaluated on the first call; the order
// of evaluation is part of the code, so replay stays deterministic. Measured in docs/operations.md ("Memory").
/* eslint-disable @typescript-eslint/no-require-imports -- lazy by design, see above */

/** Release 0.1's workflow, for runs started before the `kyc-v2` patch. */
export function loadWorkflowV1(): typeof import('./v1/kyc-workflow') {
  return require('./v1/kyc-workflow') as typeof import('./v1/kyc-workflow');
}
