// Step 5: wait for the partner's review. The webhook's signals race a poller; the first decision wins.
// Cheap by design: one timer at a time (until the next poll or the escalation, whichever is first), and one
// activity whose retry policy is the polling loop (no history growth, one action per poll).
//
// The loop reads as the race it is. Each turn it (1) escalates if the review is overdue, (2) starts a poll
// round if one is due, (3) notes how a finished round ended, (4) continues as new if the history is long, and
// then sleeps until one of those can change: a decision, a poll round ending, the next deadline.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { KycActivities } from '../activities';
import * as options from './activity-options';
import { queueEvent } from './backend-events';
import { conditionUntil } from './deadline';
import { markEscalated, showDetails } from './progress';
import type { Decision, KycState } from './state';

/** Poll spacing after the worker's floor (KYC_MIN_POLL_INTERVAL): no input can make the run poll faster. */
export function pollSpacing(state: KycState): { first: number; max: number } {
  const { firstPollAfter, maxPollInterval } = state.input!.timing;
  const floor = state.settings!.minPollIntervalMs;
  return { first: Math.max(firstPollAfter, floor), max: Math.max(maxPollInterval, firstPollAfter, floor) };
}

interface PollRound {
  settled: boolean;
  refused: boolean;
}

export async function waitForDecision(state: KycState, rawInput: unknown): Promise<Decision> {
  const spacing = pollSpacing(state);
  const escalateAt = Date.parse(state.pendingSince!) + state.input!.timing.escalateAfter;
  let nextPollAt = Date.parse(state.pendingSince!) + spacing.first;
  let round: PollRound | undefined;

  while (!state.decision) {
    const now = Date.now();
    if (!state.escalatedAt && now >= escalateAt) {
      markEscalated(state);
      queueEvent(state, 'kyc.escalated');
    }
    if (!round && now >= nextPollAt) round = startPollRound(state, spacing);
    if (round?.settled) {
      // A refusal (e.g. a revoked API key) ends the round: keep waiting for the webhook and poll again later.
      if (round.refused) nextPollAt = now + spacing.max;
      round = undefined;
      continue;
    }
    if (workflowInfo().continueAsNewSuggested) await continueAsNewWhenIdle(state, rawInput);

    const escalation = state.escalatedAt ? Infinity : escalateAt;
    const poll = round ? Infinity : nextPollAt;
    const wake = () => !!state.decision || !!round?.settled || workflowInfo().continueAsNewSuggested;
    if (Math.min(escalation, poll) === Infinity) await condition(wake);
    else {
      // Until a deadline on the workflow clock: the next turn decides by that clock (deadline.ts).
      const summary = escalation <= poll ? 'escalate if still pending' : 'until the next poll';
      await conditionUntil(wake, Math.min(escalation, poll), { summary });
    }
  }
  return state.decision;
}

/**
 * One poll round: the activity polls until the customer is decided (its retry policy is the loop). The promise
 * is deliberately not awaited here: the round runs beside the wait and reports through `round` and the state.
 * It is never cancelled: when the run ends the server drops it.
 */
function startPollRound(state: KycState, spacing: { first: number; max: number }): PollRound {
  const round: PollRound = { settled: false, refused: false };
  const pollOptions = options.poller(spacing.first, spacing.max);
  const { pollCustomerDecision } = proxyActivities<KycActivities>(pollOptions);
  void pollCustomerDecision
    .executeWithOptions({ ...pollOptions, summary: 'poll the customer until decided' }, [
      { customerId: state.customerId },
    ])
    .then(
      (polled) => {
        state.polls += polled.polls;
        if (polled.customerReference) state.partnerCustomerReference = polled.customerReference;
        state.decide(
          {
            status: polled.status,
            via: 'poll',
            at: polled.verifiedAt ?? polled.rejectedAt,
            rejectionReason: polled.rejectionReason,
          },
          new Date().toISOString(),
        );
      },
      (err: unknown) => {
        if (isCancellation(err)) return;
        state.lastPollError =
          err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
        round.refused = true;
        log.warn('polling the customer was refused; polling again later', {
          customerId: state.customerId,
          error: state.lastPollError,
        });
      },
    )
    .finally(() => {
      round.settled = true;
      showDetails(state);
    });
  return round;
}

/** The history is long: carry everything into a fresh run once no handler is mid-way. */
async function continueAsNewWhenIdle(state: KycState, rawInput: unknown): Promise<never> {
  await condition(allHandlersFinished);
  // The first argument stays the caller's input, so `kyc resume` and the Web UI always show what was sent.
  return continueAsNew(rawInput, state.carry());
}
