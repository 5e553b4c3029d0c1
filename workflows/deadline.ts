// Waiting until a deadline, for code that decides by the workflow clock once the wait ends (escalate? poll?).
// The deadline is a point on the workflow clock, so the next turn compares the clock with it; that clock is never
// stale when this code runs, because workflows/stale-activation.ts fails any activation whose clock is.
import { condition } from '@temporalio/workflow';

/**
 * Waits until `fn()` is true or the workflow clock reaches `deadline` (ms since the epoch), whichever is first.
 * The commands are those of `condition(fn, timeout)`: one timer, cancelled when `fn` wins.
 * @returns true if `fn` ended the wait, false if the deadline did.
 */
export function conditionUntil(fn: () => boolean, deadline: number, options?: { summary?: string }): Promise<boolean> {
  const timeoutMs = Math.max(1, deadline - Date.now());
  return options ? condition(fn, timeoutMs, options) : condition(fn, timeoutMs);
}
