// How a KYC run is started, in one place: its id and duplicate policy, its search attributes from the first moment (free with
// the start, where an upsert from the workflow would be a billable action), and its Web UI summary.
import type { WorkflowStartOptions } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { defaultTaskQueue } from '../common/task-queue';
import type { kycWorkflow } from '../workflows';
import type { KycInput } from '../workflows/input';
import { kycWorkflowId } from '../workflows/messages';
import { CustomerReference, KycStatus } from '../workflows/search-attributes';

export function kycStartOptions(
  input: KycInput,
  taskQueue = defaultTaskQueue,
): WorkflowStartOptions<typeof kycWorkflow> {
  const categories = input.documents?.map((d) => d.category).join(', ');
  return {
    taskQueue,
    workflowId: kycWorkflowId(input.customerId),
    args: [input],
    // One run per customer: a second start while it runs returns that run; after a failure (e.g. bad input)
    // a corrected start is allowed; after a completed review the run stands (a retry is a new customer).
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    typedSearchAttributes: new TypedSearchAttributes([
      { key: KycStatus, value: 'validating' },
      { key: CustomerReference, value: input.customerReference },
    ]),
    staticSummary: `KYC for ${input.customerReference} (${input.customerId}): ${categories}`,
  };
}
