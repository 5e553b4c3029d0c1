// Malformed decision signals, sent straight to a running workflow with the Temporal client as an operator might
// by hand (`temporal workflow signal --name customerVerified` without --input, or with a wrong payload). Each must
// be refused and recorded, and must never harm the run: the partner's real decision still closes it. The ones that
// could pass for a decision carry the opposite of the plan's outcome, so one wrongly taken shows as a wrong result.
import type { WorkflowHandle } from '@temporalio/client';
import type { CustomerPlan } from './plan';

type Send = (handle: WorkflowHandle) => Promise<void>;

export function malformedSignals(
  plan: CustomerPlan,
  customerId: string,
  otherCustomerId: string,
): Array<{ what: string; send: Send }> {
  const wrongWay = plan.review.outcome === 'verify' ? 'customerRejected' : 'customerVerified';
  const now = new Date().toISOString();
  const decided =
    wrongWay === 'customerVerified'
      ? { verified_at: now }
      : { rejected_at: now, rejection_reason: 'ID document expired' };
  return [
    { what: 'no payload', send: (h) => h.signal('customerVerified') },
    { what: 'null', send: (h) => h.signal('customerRejected', null) },
    { what: 'a string', send: (h) => h.signal('customerVerified', 'verified') },
    { what: '{}', send: (h) => h.signal('customerRejected', {}) },
    {
      what: 'wrong status',
      send: (h) => h.signal(wrongWay, { object: 'customer', id: customerId, status: 'pending', ...decided }),
    },
    {
      what: "another customer's id",
      send: (h) =>
        h.signal(wrongWay, {
          object: 'customer',
          id: otherCustomerId,
          status: wrongWay === 'customerVerified' ? 'verified' : 'rejected',
          ...decided,
        }),
    },
  ];
}

/**
 * Sends the set once right after the start (before submission) and once the run reports its submission. Returns how
 * many the server accepted while the run was open (a signal to a closed run is refused by the server, not the run).
 */
export async function misuseRun(
  handle: WorkflowHandle,
  signals: Array<{ what: string; send: Send }>,
  submitted: () => Promise<boolean>,
  deadline: number,
): Promise<number> {
  let accepted = await sendAll(handle, signals);
  while (Date.now() < deadline) {
    if (await submitted()) {
      accepted += await sendAll(handle, signals);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return accepted;
}

async function sendAll(handle: WorkflowHandle, signals: Array<{ what: string; send: Send }>): Promise<number> {
  let accepted = 0;
  for (const { send } of signals) {
    try {
      await send(handle);
      accepted++;
    } catch (err) {
      // Only a closed (or vanished) run may refuse a signal at the server; anything else is the chaos's own bug.
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  }
  return accepted;
}
