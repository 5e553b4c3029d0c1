// Turns a verified partner event into the workflow's signal (contract §2): `customerVerified` / `customerRejected`
// with the event's `data`, on `kyc-<customer id>`. The answer tells the partner whether to retry.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { customerRejected, customerVerified, kycWorkflowId } from '../../workflows/messages';
import type { TechnestEvent } from './events';

export type DeliveryOutcome =
  /** The running workflow has the signal (a duplicate too: the workflow keeps the first decision). */
  | 'delivered'
  /** The workflow exists but has finished: a late duplicate, harmless to drop. */
  | 'workflow_closed'
  /** No KYC workflow was ever started for this customer. */
  | 'no_workflow';

/** Temporal did not answer (down, unreachable, refusing us): our fault, not the partner's, so they should retry. */
export class TemporalUnavailableError extends Error {
  constructor(readonly workflowId: string, cause: unknown) {
    super(`could not reach Temporal to signal ${workflowId}`, { cause });
  }
}

export interface DeliveryOptions {
  /** How long one Temporal call may take before we answer 503 and let the partner retry. */
  timeoutMs: number;
}

export async function deliverTechnestEvent(client: Client, event: TechnestEvent, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const workflowId = kycWorkflowId(event.data.id);
  const handle = client.workflow.getHandle(workflowId);
  const withinTimeout = <R>(call: () => Promise<R>) => client.withDeadline(Date.now() + options.timeoutMs, call);
  const signal = () =>
    event.event === 'customer_verified'
      ? handle.signal(customerVerified, event.data)
      : handle.signal(customerRejected, event.data);

  // One retry covers a run that closed and was started again between our signal and describe.
  for (let attempt = 1; ; attempt++) {
    try {
      await withinTimeout(signal);
      return 'delivered';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw new TemporalUnavailableError(workflowId, err);
    }
    // The server answers NOT_FOUND both for a closed run and for an id it never saw; describe tells them apart.
    let running: boolean;
    try {
      running = (await withinTimeout(() => handle.describe())).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'no_workflow';
      throw new TemporalUnavailableError(workflowId, err);
    }
    if (!running) return 'workflow_closed';
    if (attempt >= 2) throw new TemporalUnavailableError(workflowId, new Error('signal found no run, yet describe says running'));
  }
}
