// Waiting until a deadline, for code that decides by the workflow clock once the wait ends (escalate? poll?).
//
// Why not plain `condition(fn, timeout)`: when a worker dies, a query for one of its runs waits on the dead
// worker's sticky queue and then falls back to the task queue. If a timer of the run fired meanwhile, the worker
// that takes the query applies the TimerFired event at once, under the clock of the run's last workflow task, and
// keeps the commands the run then issues for its next workflow task (SDK 1.24 with the dev server 1.x; found by
// the chaos run, reproduced by test/stale-clock.test.ts). A replay sees the same timer fire under that task's own,
// later clock. Code that reads `Date.now()` after the timer would decide one way live and the other on replay: a
// non-determinism error the next time the run is replayed, and the run wedged.
//
// A timer never fires before its deadline on a true workflow clock (the task that reports it starts after it
// fired). So a fired timer seen with the clock short of its deadline means this activation's clock is stale:
// the activation fails instead of deciding. In a query that fails the query (the caller may ask again) and
// drops the run from the worker's cache; the next workflow task replays the run from its history, under the
// true clock. The commands are those of `condition(fn, timeout)`: one timer, cancelled when `fn` wins.
// Not covered: such a query whose new events hold no timer firing (only an activity result, say) still runs the
// loop on the old clock; it needs a deadline to pass within the same ~10 s fall-back, and nothing in the
// activation tells it apart from a true one.
import { CancellationScope, condition, sleep } from '@temporalio/workflow';

export class StaleWorkflowClock extends Error {
  override name = 'StaleWorkflowClock';
}

/**
 * Waits until `fn()` is true or the workflow clock reaches `deadline` (ms since the epoch), whichever is first.
 * @returns true if `fn` ended the wait, false if the deadline did.
 */
export async function conditionUntil(
  fn: () => boolean,
  deadline: number,
  options?: { summary?: string },
): Promise<boolean> {
  const now = Date.now();
  const timeoutMs = Math.max(1, deadline - now);
  const due = now + timeoutMs;
  let fired = false;
  const woke = await CancellationScope.cancellable(async () => {
    try {
      return await Promise.race([
        sleep(timeoutMs, options).then(() => {
          fired = true;
          return false;
        }),
        condition(fn).then(() => true),
      ]);
    } finally {
      CancellationScope.current().cancel();
    }
  });
  if (fired && Date.now() < due) {
    throw new StaleWorkflowClock(
      `a timer due at ${new Date(due).toISOString()} fired while the workflow clock reads ` +
        `${new Date(Date.now()).toISOString()}: this activation's clock is stale (a query applied events newer ` +
        'than the last workflow task); failing it so the run is replayed from its history under the true clock',
    );
  }
  return woke;
}
