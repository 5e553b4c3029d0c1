// FROZEN (release 0.1.0): 0.1's wait; see kyc-workflow.ts in this folder. One change since, with the same
// commands: the escalation wait fails an activation whose clock is stale instead of deciding by it.
// Step 5: wait for the partner's review. The webhook's signals race a poller, the first decision wins.
// Cheap by design: one timer before the first poll, one activity whose retry policy is the polling loop
// (no history growth, one action per poll), one timer for the escalation.
import { condition, isCancellation, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { KycActivities } from '../../activities';
import * as options from '../activity-options';
import { conditionUntil } from '../deadline';
import type { ParsedKycInput } from './input';
import type { Decision, KycState } from './state';

export interface WaitHooks {
  /** Escalate once (the event to the backend); the run keeps waiting afterwards. */
  escalate(): Promise<void>;
  /** Carry the waiting state into a fresh run when the history grows long. */
  continueAsNew(): Promise<never>;
}

export async function waitForDecision(input: ParsedKycInput, state: KycState, hooks: WaitHooks): Promise<Decision> {
  const { firstPollAfter, maxPollInterval, escalateAfter } = input.timing;
  const { pollCustomerDecision } = proxyActivities<KycActivities>(options.pollerV1(firstPollAfter, maxPollInterval));
  const pendingSince = Date.parse(state.pendingSince!);
  let pollFailed = false;

  // The poller is never cancelled: when the run completes (or continues as new) the server drops it, and a
  // cancel request racing an attempt's end would only add history (and trips the time-skipping test server).
  const startPoller = (delayMs: number) => {
    pollFailed = false;
    const poll = async () => {
      if (delayMs > 0) await sleep(delayMs, { summary: 'until the first poll' });
      // The webhook may have decided while the timer ran (even in the same task): no poll is needed then.
      if (state.decision) return undefined;
      return pollCustomerDecision.executeWithOptions(
        { ...options.pollerV1(firstPollAfter, maxPollInterval), summary: 'poll the customer until decided' },
        [{ customerId: input.customerId }],
      );
    };
    poll().then(
      (polled) => {
        if (!polled) return;
        state.polls += polled.polls;
        state.decide({
          status: polled.status,
          via: 'poll',
          at: polled.verifiedAt ?? polled.rejectedAt,
          rejectionReason: polled.rejectionReason,
        });
      },
      (err: unknown) => {
        if (isCancellation(err)) return;
        // A refusal (e.g. a revoked API key): keep waiting for the webhook, poll again later.
        state.lastPollError = err instanceof Error ? ((err.cause as Error)?.message ?? err.message) : String(err);
        pollFailed = true;
      },
    );
  };

  startPoller(Math.max(0, pendingSince + firstPollAfter - Date.now()));
  while (!state.decision) {
    const escalateIn = state.escalatedAt ? undefined : pendingSince + escalateAfter - Date.now();
    if (escalateIn !== undefined && escalateIn <= 0) {
      state.markEscalated();
      await hooks.escalate();
      continue;
    }
    const wake = () => !!state.decision || pollFailed || workflowInfo().continueAsNewSuggested;
    if (escalateIn === undefined) await condition(wake);
    // The same commands as condition(wake, escalateIn) (../deadline.ts).
    else await conditionUntil(wake, Date.now() + escalateIn, { summary: 'escalate if still pending' });

    if (state.decision) break;
    if (pollFailed) {
      await condition(() => !!state.decision, maxPollInterval, { summary: 'retry polling later' });
      if (!state.decision) startPoller(0);
    } else if (workflowInfo().continueAsNewSuggested) {
      await hooks.continueAsNew();
    }
  }
  return state.decision;
}
