// A signal that aborts after a time limit, or earlier when another signal aborts (an activity's cancellation).
//
// Not `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: on Node 20 nothing holds the timeout signal strongly
// (its timer and the combined signal keep only weak references), so a garbage collection during the wait
// collects it and the combined signal never aborts: a partner that never answers would hold the call until the
// activity's own timeout. Node 24 keeps it. Here the timer's closure holds the controller, so the limit holds on
// both (test/abort-after.test.ts collects garbage during the wait to prove it).

/** Aborts with a `TimeoutError` after `timeoutMs`, or with `also`'s reason as soon as `also` aborts. */
export function abortAfter(timeoutMs: number, also?: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`The operation timed out after ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  // Like AbortSignal.timeout: the limit alone does not keep a process alive; the request it guards does.
  timer.unref();
  if (also?.aborted) {
    clearTimeout(timer);
    controller.abort(also.reason);
  } else {
    also?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        controller.abort(also.reason);
      },
      { once: true, signal: controller.signal },
    );
  }
  return controller.signal;
}
