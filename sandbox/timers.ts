// Every timer the sandbox starts (reviews, webhook retries, injected delays) goes through here, so
// close() can cancel them all and a test run never leaves a decision firing into a closed server.
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly controllers = new Set<AbortController>();
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  /** Runs fn after ms unless cancelled (by the returned function or by closeAll). */
  schedule(fn: () => void, ms: number): () => void {
    if (this.closed) return () => undefined;
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, ms);
    this.pending.add(handle);
    return () => {
      clearTimeout(handle);
      this.pending.delete(handle);
    };
  }

  /** Resolves after ms; resolves false (instead of hanging) when the sandbox closes first. */
  sleep(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(!this.closed);
    return new Promise((resolve) => {
      if (this.closed) return resolve(false);
      const handle = setTimeout(() => {
        this.pending.delete(handle);
        this.sleepers.delete(wake);
        resolve(true);
      }, ms);
      const wake = () => {
        clearTimeout(handle);
        this.pending.delete(handle);
        resolve(false);
      };
      this.pending.add(handle);
      this.sleepers.add(wake);
    });
  }

  /**
   * An AbortSignal for an outbound request in flight: aborted on close, and after `timeoutMs` when given. The
   * limit is this class's own timer, not AbortSignal.any with AbortSignal.timeout: on Node 20 a garbage
   * collection can drop that timeout signal, and the request then waits without a limit.
   */
  signal(timeoutMs?: number): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    if (this.closed) controller.abort();
    this.controllers.add(controller);
    const cancelLimit =
      timeoutMs === undefined
        ? () => undefined
        : this.schedule(
            () => controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')),
            timeoutMs,
          );
    return {
      signal: controller.signal,
      done: () => {
        cancelLimit();
        this.controllers.delete(controller);
      },
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  closeAll(): void {
    this.closed = true;
    for (const handle of this.pending) clearTimeout(handle);
    this.pending.clear();
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }
}
