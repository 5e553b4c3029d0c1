// A request's time limit holds while the process collects garbage, and an activity's cancellation still
// cuts the request short (common/abort-after.ts; on Node 20 the platform's own pair loses the limit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortAfter } from '../common/abort-after';
import { startFakeServer } from './support/activities-env';
import { collectGarbageEvery } from './support/gc';

let silent: Awaited<ReturnType<typeof startFakeServer>>;
beforeAll(async () => {
  silent = await startFakeServer(() => undefined); // never answers
});
afterAll(() => silent.close());

/** How long a fetch to the silent server took to give up, and the name of what it threw. */
async function giveUp(signal: AbortSignal): Promise<{ ms: number; name: string; message: string }> {
  const started = Date.now();
  try {
    await fetch(silent.url, { signal });
  } catch (error) {
    const e = error as Error;
    return { ms: Date.now() - started, name: e.name, message: e.message };
  }
  throw new Error('the silent server answered');
}

describe('abortAfter', () => {
  it('ends a request nobody answers at its limit, even while garbage is collected during the wait', async () => {
    const activity = new AbortController(); // lives as long as the activity, never aborted here
    const stop = collectGarbageEvery(10);
    try {
      for (let i = 0; i < 3; i++) {
        const outcome = await giveUp(abortAfter(150, activity.signal));
        expect(outcome.name).toBe('TimeoutError');
        expect(outcome.message).toContain('150 ms');
        expect(outcome.ms).toBeGreaterThanOrEqual(140);
        expect(outcome.ms).toBeLessThan(3_000);
      }
    } finally {
      stop();
    }
  });

  it("a cancellation ends the request at once, with the cancellation's own reason", async () => {
    const activity = new AbortController();
    const cancelled = new Error('activity cancelled');
    setTimeout(() => activity.abort(cancelled), 50);
    const outcome = await giveUp(abortAfter(60_000, activity.signal));
    expect(outcome.message).toBe('activity cancelled');
    expect(outcome.ms).toBeLessThan(3_000);
  });

  it('an already cancelled activity sends nothing that waits', () => {
    const activity = new AbortController();
    activity.abort(new Error('cancelled before the call'));
    const signal = abortAfter(60_000, activity.signal);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('cancelled before the call');
  });
});
