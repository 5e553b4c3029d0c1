// The run's message handlers: the decision signals (what the webhook receiver sends), the same decision as a
// validated Update, and the status query. Every payload is parsed at this door (decision-data.ts): a missing or
// malformed one is refused and recorded, and never fails a workflow task, so a later valid decision still closes
// the run.
import { setHandler } from '@temporalio/workflow';
import { parseDecisionData } from './decision-data';
import {
  customerDecision,
  customerRejected,
  customerVerified,
  statusQuery,
  type DecisionAck,
  type TechnestDecisionEvent,
} from './messages';
import { showDetails, signalRefused } from './progress';
import type { Decision, KycState } from './state';

type Parsed =
  { ok: true; decision: Omit<Decision, 'at'> & { at?: string }; reference: string } | { ok: false; problem: string };

/** The decision a payload carries for this run, or what is wrong with it. */
function parseDecision(state: KycState, status: Decision['status'], data: unknown): Parsed {
  if (data === undefined || data === null)
    return { ok: false, problem: "data: the signal has no payload (expected the webhook's data object)" };
  const parsed = parseDecisionData(status, data);
  if (!parsed.ok) return { ok: false, problem: parsed.problems.join('; ') };
  if (state.customerId && parsed.data.id !== state.customerId) {
    return { ok: false, problem: `id: ${parsed.data.id} is not this run's customer ${state.customerId}` };
  }
  const fields = parsed.data as { verified_at?: string; rejected_at?: string; rejection_reason?: string };
  const at = fields.verified_at ?? fields.rejected_at;
  const reason = fields.rejection_reason;
  return {
    ok: true,
    reference: parsed.data.customer_reference,
    decision: {
      status,
      via: 'webhook',
      ...(at !== undefined ? { at } : {}),
      ...(reason !== undefined ? { rejectionReason: reason } : {}),
    },
  };
}

function take(state: KycState, parsed: Extract<Parsed, { ok: true }>): 'decided' | 'duplicate' {
  state.partnerCustomerReference ??= parsed.reference;
  const taken = state.decide(parsed.decision, new Date().toISOString());
  showDetails(state);
  return taken;
}

export function setDecisionHandlers(state: KycState): void {
  const onSignal = (name: string, status: Decision['status']) => (data: unknown) => {
    const parsed = parseDecision(state, status, data);
    if (parsed.ok) take(state, parsed);
    else signalRefused(state, name, parsed.problem);
  };
  setHandler(customerVerified, onSignal(customerVerified.name, 'verified'));
  setHandler(customerRejected, onSignal(customerRejected.name, 'rejected'));

  setHandler(
    customerDecision,
    (event: TechnestDecisionEvent): DecisionAck => {
      const parsed = parseDecision(state, statusOf(event)!, event.data);
      if (!parsed.ok) throw new Error(parsed.problem); // unreachable: the validator ran first
      return take(state, parsed) === 'decided'
        ? { accepted: 'decided' }
        : { accepted: 'duplicate', decidedAs: state.decision!.status };
    },
    {
      // Runs before the update is written to the history: a refused update costs the run nothing.
      validator: (event: TechnestDecisionEvent) => {
        const status = statusOf(event);
        if (!status) throw new Error('event: must be "customer_verified" or "customer_rejected"');
        const parsed = parseDecision(state, status, (event as { data?: unknown } | undefined)?.data);
        if (!parsed.ok) throw new Error(parsed.problem);
      },
    },
  );

  setHandler(statusQuery, () => state.status());
}

function statusOf(event: unknown): Decision['status'] | undefined {
  const name = (event as { event?: unknown } | null | undefined)?.event;
  if (name === 'customer_verified') return 'verified';
  if (name === 'customer_rejected') return 'rejected';
  return undefined;
}
