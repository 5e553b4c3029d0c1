// Turns a verified partner event into the workflow's signal (docs/workflow.md, "Signals"): `customerVerified` /
// `customerRejected` with the event's `data`, on `kyc-<customer id>`. The answer tells the partner whether to retry.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { customerRejected, customerVerified, kycWorkflowId } from '../workflows/messages';
import type { TechnestEvent } from './events';
import type { RecentDeliveries } from './recent-deliveries';

/** How a run ended without a decision: a verdict for it has nobody to record it until `kyc resume` starts it again. */
export const unresolvedEndings = ['FAILED', 'TERMINATED', 'CANCELLED', 'TIMED_OUT'] as const;
export type UnresolvedEnding = (typeof unresolvedEndings)[number];

export type DeliveryOutcome =
  /** The running workflow has the signal (a duplicate too: the workflow keeps the first decision). */
  | { outcome: 'delivered' }
  /** The same event reached the run a moment ago (./recent-deliveries.ts): answered as delivered, without a signal. */
  | { outcome: 'duplicate' }
  /** The run completed (with its decision): a late duplicate, harmless to drop. */
  | { outcome: 'workflow_completed' }
  /**
   * The run ended without a decision (failed, terminated, cancelled, timed out): the verdict must not be dropped.
   * The partner is told to retry later, and an operator resumes the run from the partner's record.
   */
  | { outcome: 'run_needs_resume'; workflowId: string; runId: string; ending: UnresolvedEnding }
  /** No KYC workflow was ever started for this customer. */
  | { outcome: 'no_workflow' };

/** Temporal did not answer (down, unreachable, refusing us): our fault, not the partner's, so they should retry. */
export class TemporalUnavailableError extends Error {
  constructor(
    readonly workflowId: string,
    cause: unknown,
  ) {
    super(`could not reach Temporal to signal ${workflowId}`, { cause });
  }
}

export interface DeliveryOptions {
  /** How long one Temporal call may take before we answer 503 and let the partner retry. */
  timeoutMs: number;
  /** What Temporal took lately: a duplicate, or any event for a completed run, is answered without a call. */
  recent?: RecentDeliveries;
}

const isUnresolved = (status: string): status is UnresolvedEnding =>
  (unresolvedEndings as readonly string[]).includes(status);

export async function deliverTechnestEvent(
  client: Client,
  event: TechnestEvent,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  const workflowId = kycWorkflowId(event.data.id);
  if (options.recent)
    return options.recent.deliver(workflowId, event, () => signalRun(client, workflowId, event, options));
  return signalRun(client, workflowId, event, options);
}

async function signalRun(
  client: Client,
  workflowId: string,
  event: TechnestEvent,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  const handle = client.workflow.getHandle(workflowId);
  const withinTimeout = <R>(call: () => Promise<R>) => client.withDeadline(Date.now() + options.timeoutMs, call);
  const signal = () =>
    event.event === 'customer_verified'
      ? handle.signal(customerVerified, event.data)
      : handle.signal(customerRejected, event.data);

  // One retry covers a run that closed and was started again (continued as new, resumed) between signal and describe.
  for (let attempt = 1; ; attempt++) {
    try {
      await withinTimeout(signal);
      return { outcome: 'delivered' };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw new TemporalUnavailableError(workflowId, err);
    }
    // The server answers NOT_FOUND both for a closed run and for an id it never saw; describe tells them apart.
    // It describes the latest run of the id, so a continue-as-new chain is judged by its newest link.
    let run;
    try {
      run = await withinTimeout(() => handle.describe());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { outcome: 'no_workflow' };
      throw new TemporalUnavailableError(workflowId, err);
    }
    const status = run.status.name;
    if (status === 'COMPLETED') return { outcome: 'workflow_completed' };
    if (isUnresolved(status)) return { outcome: 'run_needs_resume', workflowId, runId: run.runId, ending: status };
    // RUNNING (or CONTINUED_AS_NEW, the moment before its successor shows): a new run took over; signal it.
    if (attempt >= 2)
      throw new TemporalUnavailableError(workflowId, new Error(`signal found no run, yet describe says ${status}`));
  }
}
