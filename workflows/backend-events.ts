// Events to our own backend (docs/workflow.md, "Events"): queued in the run's state and delivered in the
// background, one at a time and in the order they happened, so an outage of the backend never holds or delays the
// KYC flow and no event is lost: the queue is carried through continue-as-new, and the run ends only once it is
// empty. Each event goes out at least once under its Idempotency-Key; a refusal (4xx) is recorded and the queue
// moves on.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { KycActivities } from '../activities';
import { backendEvent } from './activity-options';
import { eventIdempotencyKey, type KycEventType } from './events';
import { BackendEventRefused } from './failures';
import type { KycResult } from './messages';
import { kycMetrics } from './metrics';
import { showDetails } from './progress';
import type { KycState } from './state';

const { emitKycEvent } = proxyActivities<KycActivities>(backendEvent);

/** Queues one event; a type already queued or delivered in this run chain is not queued twice. */
export function queueEvent(state: KycState, type: KycEventType, result?: KycResult): void {
  if (state.delivered.includes(type) || state.outbox.some((queued) => queued.event.type === type)) return;
  state.outbox.push({
    idempotencyKey: eventIdempotencyKey(workflowInfo().workflowId, type),
    event: {
      type,
      customerId: state.customerId,
      customerReference: state.customerReference,
      occurredAt: new Date().toISOString(),
      ...(result?.userMessage !== undefined ? { userMessage: result.userMessage } : {}),
      ...(result?.retryCustomerReference !== undefined
        ? { retryCustomerReference: result.retryCustomerReference }
        : {}),
    },
  });
  showDetails(state);
}

/** Runs for the whole run: takes the head of the queue, delivers it, moves on. Never throws. */
export async function deliverEvents(state: KycState): Promise<never> {
  for (;;) {
    await condition(() => state.outbox.length > 0);
    const next = state.outbox[0]!;
    state.delivering = true;
    try {
      const sent = await emitKycEvent.executeWithOptions({ ...backendEvent, summary: `event ${next.event.type}` }, [
        next,
      ]);
      // Without KYC_EVENTS_URL nothing is sent: the event is dropped from the queue, not counted as delivered.
      if (sent.delivered) state.delivered.push(next.event.type);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const error = refusalMessage(err);
      state.refusedEvents.push({ type: next.event.type, at: new Date().toISOString(), error });
      kycMetrics.eventRefused(next.event.type);
      log.error('our backend refused a KYC event; it will not be sent again', { type: next.event.type, error });
    } finally {
      state.delivering = false;
    }
    state.outbox.shift();
    showDetails(state);
  }
}

/** Whether every queued event has been delivered or refused. */
export const eventsSettled = (state: KycState): boolean => state.outbox.length === 0 && !state.delivering;

function refusalMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === BackendEventRefused) return cause.message;
  return cause instanceof Error ? cause.message : String(cause);
}
