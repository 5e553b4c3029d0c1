// Billable actions of one run, counted from its history the way Temporal Cloud bills them: the workflow
// start, each activity attempt, each timer started, each signal, each search-attribute upsert.
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

export interface ActionCount {
  workflowStarted: number;
  activityAttempts: number;
  timers: number;
  signals: number;
  upserts: number;
  total: number;
}

/**
 * `pollsSeenByPartner`: how many status reads the partner answered. A poller cancelled during its retry
 * backoff (the webhook won) leaves no started event in the history, so its attempts are taken from what
 * the partner actually saw.
 */
export function countBillableActions(history: History, pollsSeenByPartner = 0): ActionCount {
  const events = history.events ?? [];
  const pollScheduled = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'pollCustomerDecision')
      .map((e) => String(e.eventId)),
  );
  const startedAttempts = new Map<string, number>();
  for (const e of events) {
    if (e.activityTaskStartedEventAttributes) {
      const scheduled = String(e.activityTaskStartedEventAttributes.scheduledEventId);
      startedAttempts.set(scheduled, e.activityTaskStartedEventAttributes.attempt ?? 1);
    }
  }
  const recordedPolls = [...startedAttempts].filter(([id]) => pollScheduled.has(id)).reduce((a, [, n]) => a + n, 0);
  const count = {
    workflowStarted: events.filter((e) => e.workflowExecutionStartedEventAttributes).length,
    activityAttempts:
      [...startedAttempts.values()].reduce((a, b) => a + b, 0) + Math.max(0, pollsSeenByPartner - recordedPolls),
    timers: events.filter((e) => e.timerStartedEventAttributes).length,
    signals: events.filter((e) => e.workflowExecutionSignaledEventAttributes).length,
    upserts: events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length,
  };
  return { ...count, total: Object.values(count).reduce((a, b) => a + b, 0) };
}
