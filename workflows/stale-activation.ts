// Refuses to run workflow code in an activation whose clock is stale: one that applies new events under the clock
// of a workflow task already handled. A workflow interceptor module, bundled with every KYC bundle
// (worker/workflow-modules.ts), so it guards every activation of every run — 0.1's included — before any job runs.
//
// How such an activation happens: when a worker dies, a query for one of its runs waits on the dead worker's sticky
// queue, then falls back to the task queue. The worker that takes it (a "legacy query") applies every event the run
// has received since its last workflow task — an activity result, a fired timer, signals — but no new
// WorkflowTaskStarted comes with them, so the workflow clock stays at that last task's. The SDK keeps the commands
// the code then issues and sends them with the run's next workflow task (SDK 1.24 with the dev server 1.x). A replay
// applies the same events under that next task's own, later clock. Code that reads the clock after those events
// (when did the review start? is the escalation due? how long until the next poll?) would decide one way live and
// another on replay: a non-determinism error the next time the run is replayed, and the run wedged. The chaos run
// found it twice: a fired poll timer, then a submit result followed by an escalation (test/stale-clock.test.ts).
//
// The tell: every real workflow task brings a WorkflowTaskStarted event, so its activation has a clock of its own.
// An activation with new events (a longer history) and the very same clock as the one before it applies events no
// workflow task has started for. Failing it fails only the query (the caller may ask again); the SDK drops the run
// from the worker's cache, and its next workflow task replays it from its history under the true clock.
// A replay never meets it: the Replayer runs only the workflow tasks a history records as completed.
import type { Next } from '@temporalio/common';
import type { ActivateInput, WorkflowInterceptorsFactory, WorkflowInternalsInterceptor } from '@temporalio/workflow';

/** In the bundle's code exactly when this module is bundled in: how a worker checks a prebuilt bundle. */
export const staleActivationGuardMarker = 'kyc-worker:stale-activation-guard:v1';

export class StaleWorkflowClock extends Error {
  override name = 'StaleWorkflowClock';
}

class StaleActivationGuard implements WorkflowInternalsInterceptor {
  private clock?: string;
  private historyLength = 0;

  activate(input: ActivateInput, next: Next<WorkflowInternalsInterceptor, 'activate'>): void {
    const { activation } = input;
    if (activation.jobs?.some((job) => !job.queryWorkflow)) this.check(activation);
    next(input);
  }

  private check(activation: ActivateInput['activation']): void {
    const clock = activation.timestamp
      ? `${String(activation.timestamp.seconds)}.${activation.timestamp.nanos ?? 0}`
      : '';
    const historyLength = activation.historyLength ?? 0;
    const stale = clock === this.clock && historyLength > this.historyLength;
    if (stale) {
      throw new StaleWorkflowClock(
        `events up to #${historyLength} arrived with the clock of the workflow task before them (history ` +
          `#${this.historyLength}): this activation's clock is stale (a query applied events newer than the last ` +
          'workflow task); failing it so the run is replayed from its history under the true clock',
      );
    }
    this.clock = clock;
    this.historyLength = historyLength;
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ internals: [new StaleActivationGuard()] });
