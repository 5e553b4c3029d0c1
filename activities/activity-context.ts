// Thin access to the running activity's Context. The activities also run outside a worker (a CLI dry run,
// a unit test calling a helper), where Context.current() throws; there they simply skip heartbeats and logs.
import { Context } from '@temporalio/activity';
import { abortAfter } from '../common/abort-after';

function current(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Aborted when Temporal cancels the activity; undefined outside an activity. */
export function cancellationSignal(): AbortSignal | undefined {
  return current()?.cancellationSignal;
}

export function heartbeat(details: unknown): void {
  current()?.heartbeat(details);
}

/**
 * A progress callback that heartbeats at most once a second: cheap to call per chunk, and often enough for
 * a 30 s heartbeat timeout to tell a dead worker from a slow read.
 */
export function progressHeartbeat(key: string): (bytes: number) => void {
  let last = 0;
  return (bytes) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    heartbeat({ [key]: bytes });
  };
}

/** The attempt number of this activity execution (1 outside an activity). */
export function attempt(): number {
  return current()?.info.attempt ?? 1;
}

type Meta = Record<string, unknown>;

/** The activity logger (`log` from @temporalio/activity, which carries workflow/activity ids). */
export const activityLog = {
  debug: (message: string, meta?: Meta) => current()?.log.debug(message, meta),
  info: (message: string, meta?: Meta) => current()?.log.info(message, meta),
  warn: (message: string, meta?: Meta) => current()?.log.warn(message, meta),
};

/** The activity's metric meter (tagged by the SDK with namespace, taskQueue, activity type); undefined outside one. */
export function activityMeter() {
  return current()?.metricMeter;
}

/** Aborts on cancellation or after `timeoutMs`, whichever comes first. */
export function callSignal(timeoutMs: number): AbortSignal {
  return abortAfter(timeoutMs, cancellationSignal());
}
