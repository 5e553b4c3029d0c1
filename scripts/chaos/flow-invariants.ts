// The chaos run's newer promises (issue 10), checked per customer beside invariants.ts: no run wedged, every event
// reached our backend once per Idempotency-Key and in order, and malformed signals were refused without harm.
import type { KycStatusReply } from '../../workflows/messages';
import type { Arrival } from './backend';
import type { InvariantName } from './invariants';

export interface FlowEvidence {
  workflowId: string;
  /** The execution's status from describe (COMPLETED, RUNNING, FAILED…) and its pending workflow task's attempt. */
  execution: { status: string; workflowTaskAttempt?: number };
  /** The run's own result came back (terminal as promised is checked by 'correct terminal result'). */
  hasResult: boolean;
  /** What the run reported at the end (the `status` query), if it answered. */
  status?: KycStatusReply;
  /** Every arrival at our backend for this customer. */
  arrivals: Arrival[];
  /** The event types the run must have sent (from its result and status). */
  expectedTypes: string[];
  /** The key the backend refused once, if any. */
  refusedKey?: string;
  /** Malformed signals the server accepted while the run was open. */
  malformedSent: number;
}

export type FlowInvariant = Extract<
  InvariantName,
  'no run wedged' | 'events delivered once per key, in order' | 'malformed signals refused'
>;

/** Only a failed workflow task retries forever: a run waiting on a timer or the partner is healthy. */
export function checkFlow(e: FlowEvidence, fail: (invariant: FlowInvariant, detail: string) => void): void {
  const { execution } = e;
  if (execution.status === 'RUNNING') {
    const attempt = execution.workflowTaskAttempt ?? 0;
    if (attempt > 1) fail('no run wedged', `open with its workflow task on attempt ${attempt}`);
    else if (!e.status) fail('no run wedged', 'open and its status query does not answer');
    else if (e.status.stage !== 'pending_review')
      fail('no run wedged', `open at stage ${e.status.stage}, not waiting for the review`);
  } else if (execution.status !== 'COMPLETED') {
    // Every chaos customer gets a decision, so a run that closed any other way did not end as promised.
    fail('no run wedged', `closed as ${execution.status}, not terminal as promised`);
  }
  checkEvents(e, (detail) => fail('events delivered once per key, in order', detail));
  checkMisuse(e, (detail) => fail('malformed signals refused', detail));
}

function checkEvents(e: FlowEvidence, fail: (detail: string) => void): void {
  for (const a of e.arrivals) {
    if (a.answered === 400) fail(`an unreadable event or one without Idempotency-Key (${a.key ?? 'no key'})`);
    else if (a.key !== `${e.workflowId}:${a.type}`) fail(`key ${a.key} for a ${a.type} event`);
  }
  // "Seen" by the backend: answered 2xx (accepted) or 4xx (refused on purpose) — a 503 was an outage.
  const firstSeen = (type: string) => e.arrivals.find((a) => a.type === type && a.answered !== 503);
  for (const type of e.expectedTypes) {
    const key = `${e.workflowId}:${type}`;
    const seen = firstSeen(type);
    if (!seen) {
      fail(
        `${type} never reached the backend (${e.arrivals.filter((a) => a.type === type).length} attempt(s) in outages)`,
      );
      continue;
    }
    if (key === e.refusedKey) {
      if (seen.answered !== 422) fail(`${type} was to be refused once, first answered ${seen.answered}`);
      else if (!e.status?.events?.refused?.some((r) => r.type === type))
        fail(`the refusal of ${type} is not in status.events.refused`);
    } else if (!e.arrivals.some((a) => a.type === type && a.answered === 204)) {
      fail(`${type} was never accepted by the backend`);
    }
  }
  for (const a of e.arrivals) {
    if (a.type && !e.expectedTypes.includes(a.type)) fail(`unexpected ${a.type} event`);
  }
  const submitted = firstSeen('kyc.submitted');
  for (const type of ['kyc.verified', 'kyc.rejected']) {
    const decided = firstSeen(type);
    if (decided && (!submitted || submitted.at > decided.at)) fail(`the backend saw ${type} before kyc.submitted`);
  }
}

function checkMisuse(e: FlowEvidence, fail: (detail: string) => void): void {
  if (e.malformedSent === 0) return;
  const refused = e.status?.refusedSignals?.length;
  if (refused === undefined) fail(`${e.malformedSent} malformed signal(s) sent; status shows no refusedSignals`);
  // The status keeps the newest 20.
  else if (refused !== Math.min(e.malformedSent, 20))
    fail(`${e.malformedSent} malformed signal(s) sent, ${refused} recorded as refused`);
}

/** The types a run that ended (or is waiting) must have sent: submitted once the partner has it, then its news. */
export function expectedEventTypes(
  result: { status: string } | undefined,
  status: KycStatusReply | undefined,
  submitted: boolean,
): string[] {
  const types: string[] = [];
  if (submitted) types.push('kyc.submitted');
  if (status?.escalatedAt) types.push('kyc.escalated');
  if (result) types.push(`kyc.${result.status}`);
  return types;
}
