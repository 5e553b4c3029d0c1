// What Temporal already took from this receiver in the last few minutes, so the partner's duplicate deliveries cost
// neither a signal (one history event and one billable action each, and a queue on that run's lock) nor a describe
// (docs/webhook-receiver.md, "Duplicates"). It only ever answers what Temporal answered for the same thing:
//   - an identical event (same event, same parsed `data`) that a run accepted → 200 delivered, no call;
//   - any event for a run that completed → 200 ignored, no call (a completed KYC id never runs again:
//     ALLOW_DUPLICATE_FAILED_ONLY);
//   - identical events arriving together share one Temporal call.
// Never remembered: a different verdict (it must reach the run, which records it), 503s (run_needs_resume: the
// verdict must keep coming until `kyc resume`; Temporal down), 404s. A run_needs_resume answer also forgets what the
// run had accepted, so a verdict for its resumed successor goes to Temporal. Each replica has its own memory: it is
// an optimisation only, the workflow keeps the first decision whatever reaches it.
import { createHash } from 'node:crypto';
import type { DeliveryOutcome } from './delivery';
import type { TechnestEvent } from './events';

export interface RecentDeliveriesOptions {
  /** How long an answer stays remembered (default 300 s: the signature's window, in which a replay is valid). */
  ttlMs?: number;
  /** Runs remembered at most; the least recently used goes first (default 10,000: a few MiB). */
  maxRuns?: number;
  now?: () => number;
}

interface RunMemory {
  /** Until when the run is known to have completed. */
  completedUntil?: number;
  /** Digest of an accepted event → until when. A run sees a verdict or two, rarely more. */
  accepted: Map<string, number>;
}

const maxEventsPerRun = 8;

export class RecentDeliveries {
  private readonly ttlMs: number;
  private readonly maxRuns: number;
  private readonly now: () => number;
  /** By workflow id, in least-recently-used order (a Map iterates in insertion order; a hit re-inserts). */
  private readonly runs = new Map<string, RunMemory>();
  private readonly inFlight = new Map<string, Promise<DeliveryOutcome>>();

  constructor(options: RecentDeliveriesOptions = {}) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.maxRuns = options.maxRuns ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Answers from memory when it can, otherwise through `send` (the Temporal call), and remembers what it learns. */
  async deliver(
    workflowId: string,
    event: TechnestEvent,
    send: () => Promise<DeliveryOutcome>,
  ): Promise<DeliveryOutcome> {
    const now = this.now();
    const digest = eventDigest(event);
    const run = this.touch(workflowId, now);
    if (run?.completedUntil !== undefined) return { outcome: 'workflow_completed' };
    if (run?.accepted.has(digest)) return { outcome: 'duplicate' };

    const key = `${workflowId}\n${digest}`;
    const pending = this.inFlight.get(key);
    if (pending) {
      const shared = await pending;
      return shared.outcome === 'delivered' ? { outcome: 'duplicate' } : shared;
    }
    const sending = send();
    this.inFlight.set(key, sending);
    try {
      const outcome = await sending;
      this.learn(workflowId, digest, outcome);
      return outcome;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** How many runs are remembered (for tests and the docs' memory estimate). */
  get size(): number {
    return this.runs.size;
  }

  private learn(workflowId: string, digest: string, outcome: DeliveryOutcome): void {
    const until = this.now() + this.ttlMs;
    switch (outcome.outcome) {
      case 'delivered': {
        const run = this.remember(workflowId);
        run.accepted.delete(digest);
        run.accepted.set(digest, until);
        if (run.accepted.size > maxEventsPerRun) run.accepted.delete(run.accepted.keys().next().value!);
        return;
      }
      case 'workflow_completed':
        this.remember(workflowId).completedUntil = until;
        return;
      case 'duplicate':
        return;
      case 'run_needs_resume':
      case 'no_workflow':
        // The run the earlier events reached has ended without a decision (or the id is unknown): whatever it
        // accepted says nothing about the run an operator starts next.
        this.runs.delete(workflowId);
        return;
    }
  }

  /** The run's memory, expired parts dropped, marked most recently used; undefined when there is nothing left. */
  private touch(workflowId: string, now: number): RunMemory | undefined {
    const run = this.runs.get(workflowId);
    if (!run) return undefined;
    if (run.completedUntil !== undefined && run.completedUntil <= now) delete run.completedUntil;
    for (const [digest, until] of run.accepted) if (until <= now) run.accepted.delete(digest);
    this.runs.delete(workflowId);
    if (run.completedUntil === undefined && run.accepted.size === 0) return undefined;
    this.runs.set(workflowId, run);
    return run;
  }

  private remember(workflowId: string): RunMemory {
    let run = this.runs.get(workflowId);
    if (run) this.runs.delete(workflowId);
    else run = { accepted: new Map() };
    this.runs.set(workflowId, run);
    while (this.runs.size > this.maxRuns) this.runs.delete(this.runs.keys().next().value!);
    return run;
  }
}

/** The event as its signal carries it: the name and the parsed `data` (unknown fields already dropped), keys sorted. */
function eventDigest(event: TechnestEvent): string {
  return createHash('sha256').update(event.event).update('\n').update(canonicalJson(event.data)).digest('base64');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
