// The chaos run's promises, checked per customer from what outlives the chaos: the run's result and history
// (Temporal) and what the partner received (the sandbox's inspection endpoint).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { temporal } from '@temporalio/proto';
import type { InspectedCustomer } from '../../sandbox/control-client';
import { attachSlotFor } from '../../workflows/documents';
import type { KycResult } from '../../workflows/messages';
import { retryCustomerReference, userMessageFor } from '../../workflows/rejection';
import type { CustomerPlan } from './plan';

export const invariantNames = [
  'correct terminal result',
  'exactly one submit',
  'documents intact, attached once',
  'no workflow task failures',
  'no nondeterminism',
  // Issue 10's promises, checked in flow-invariants.ts.
  'no run wedged',
  'events delivered once per key, in order',
  'malformed signals refused',
] as const;
export type InvariantName = (typeof invariantNames)[number];

export interface Violation {
  invariant: InvariantName;
  reference: string;
  customerId: string;
  detail: string;
}

export interface HistoryFacts {
  /** Tasks the worker failed (an exception, nondeterminism…), i.e. every WorkflowTaskFailed but the one below. */
  workflowTaskFailures: number;
  /**
   * WorkflowTaskFailed with cause UnhandledCommand: the server refused the run's completion because a new event (a late
   * duplicate webhook's signal, a poll attempt's result) arrived while the final task ran, and at once gave the worker
   * a new task with that event. The worker did not fail; the event is the server's, written on every such race.
   */
  completionRaces: { signal: number; activity: number };
  nondeterminism: number;
  /** Expected when a worker dies holding a task: the server hands it to another worker after the timeout. */
  workflowTaskTimeouts: number;
  /** Attempts beyond the first of every activity but the poller (whose retries are the polling loop): 5xx, 429,
   *  and activities lost with a killed worker. A retried activity leaves no event of its own, only its last attempt. */
  activityRetries: number;
  /** What the failed tasks said, for the report. */
  failureMessages: string[];
}

const EventType = temporal.api.enums.v1.EventType;
const UnhandledCommand = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;
const NonDeterministic =
  temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;

export function historyFacts(history: temporal.api.history.v1.IHistory): HistoryFacts {
  const facts: HistoryFacts = {
    workflowTaskFailures: 0,
    completionRaces: { signal: 0, activity: 0 },
    nondeterminism: 0,
    workflowTaskTimeouts: 0,
    activityRetries: 0,
    failureMessages: [],
  };
  const activityTypes = new Map<string, string>();
  const events = history.events ?? [];
  for (const [i, event] of events.entries()) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
      const attrs = event.workflowTaskFailedEventAttributes;
      const message = attrs?.failure?.message ?? '';
      if (attrs?.cause === UnhandledCommand) {
        const next = events[i + 1]?.eventType;
        if (next === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) facts.completionRaces.signal++;
        else facts.completionRaces.activity++;
        continue;
      }
      facts.workflowTaskFailures++;
      facts.failureMessages.push(message.split('\n')[0] ?? '');
      if (attrs?.cause === NonDeterministic || /nondetermin/i.test(message)) facts.nondeterminism++;
    } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) {
      facts.workflowTaskTimeouts++;
    } else if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      activityTypes.set(String(event.eventId), event.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
    } else if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const attrs = event.activityTaskStartedEventAttributes;
      if (activityTypes.get(String(attrs?.scheduledEventId)) !== 'pollCustomerDecision')
        facts.activityRetries += Math.max(0, (attrs?.attempt ?? 1) - 1);
    }
  }
  return facts;
}

/** sha256 and size of each source file, read once. */
export async function sourceDigests(plans: CustomerPlan[]): Promise<Map<string, { sha256: string; bytes: number }>> {
  const digests = new Map<string, { sha256: string; bytes: number }>();
  for (const plan of plans) {
    for (const doc of plan.documents) {
      const bytes = await readFile(doc.source);
      digests.set(doc.source, { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    }
  }
  return digests;
}

export interface CustomerEvidence {
  plan: CustomerPlan;
  customerId: string;
  /** The run's result, or why there is none. */
  result: KycResult | { error: string };
  partner: InspectedCustomer;
  history: HistoryFacts;
  /** A replay of the history against the current workflow code failed (nondeterminism). */
  replayError?: string;
}

export function checkCustomer(
  e: CustomerEvidence,
  digests: Map<string, { sha256: string; bytes: number }>,
): Violation[] {
  const violations: Violation[] = [];
  const fail = (invariant: InvariantName, detail: string) =>
    violations.push({ invariant, reference: e.plan.reference, customerId: e.customerId, detail });

  // The result the plan promised, and the partner's record agreeing with it.
  const expected = e.plan.review;
  if ('error' in e.result) {
    fail('correct terminal result', `no result: ${e.result.error}`);
  } else {
    const r = e.result;
    const wanted = expected.outcome === 'verify' ? 'verified' : 'rejected';
    if (r.status !== wanted) fail('correct terminal result', `result ${r.status}, expected ${wanted}`);
    if (r.customerId !== e.customerId || r.customerReference !== e.plan.reference) {
      fail('correct terminal result', `result names ${r.customerId}/${r.customerReference}`);
    }
    if (wanted === 'rejected') {
      if (r.rejectionReason !== expected.reason)
        fail('correct terminal result', `reason "${r.rejectionReason}", expected "${expected.reason}"`);
      if (
        r.retryCustomerReference !== `${e.plan.reference}-r2` ||
        r.retryCustomerReference !== retryCustomerReference(e.plan.reference)
      ) {
        fail('correct terminal result', `retry reference ${r.retryCustomerReference}, expected ${e.plan.reference}-r2`);
      }
      if (r.userMessage !== userMessageFor(expected.reason))
        fail('correct terminal result', `user message "${r.userMessage}"`);
      if (expected.reason && r.userMessage?.includes(expected.reason))
        fail('correct terminal result', 'user message echoes the raw reason');
    } else if (r.rejectionReason !== undefined || r.retryCustomerReference !== undefined) {
      fail('correct terminal result', 'a verified result carries rejection fields');
    }
  }
  if (e.partner.status !== (expected.outcome === 'verify' ? 'verified' : 'rejected')) {
    fail('correct terminal result', `partner status ${e.partner.status}`);
  }

  if (e.partner.submit_count !== 1) fail('exactly one submit', `submit_count ${e.partner.submit_count}`);

  // Each document: in its one slot, pointing at an upload of its category whose bytes are the source's.
  const uploads = new Map(e.partner.uploads.map((u) => [u.file_id, u]));
  const slots = Object.keys(e.partner.attached);
  if (slots.length !== e.plan.documents.length) {
    fail(
      'documents intact, attached once',
      `${slots.length} slot(s) attached for ${e.plan.documents.length} document(s): ${slots.join(', ')}`,
    );
  }
  const attachedIds = Object.values(e.partner.attached);
  if (new Set(attachedIds).size !== attachedIds.length)
    fail('documents intact, attached once', 'one file attached in two slots');
  for (const doc of e.plan.documents) {
    const slot = attachSlotFor[doc.category];
    const fileId = e.partner.attached[slot];
    const upload = fileId ? uploads.get(fileId) : undefined;
    const source = digests.get(doc.source);
    if (!fileId) fail('documents intact, attached once', `${slot} not attached`);
    else if (!upload) fail('documents intact, attached once', `${slot} → ${fileId}, never uploaded`);
    else if (upload.file_category !== doc.category)
      fail('documents intact, attached once', `${slot} → a ${upload.file_category} file`);
    else if (!source || upload.sha256 !== source.sha256 || upload.bytes !== source.bytes) {
      fail(
        'documents intact, attached once',
        `${slot}: stored ${upload.bytes} B ${upload.sha256.slice(0, 12)}…, source ${source?.bytes} B ${source?.sha256.slice(0, 12)}…`,
      );
    }
  }
  // Every upload the partner kept, attached or not, carries the bytes of this customer's own document.
  for (const upload of e.partner.uploads) {
    const doc = e.plan.documents.find((d) => d.category === upload.file_category);
    const source = doc && digests.get(doc.source);
    if (!source || upload.sha256 !== source.sha256) {
      fail(
        'documents intact, attached once',
        `upload ${upload.file_id} (${upload.file_category}) holds bytes that are not this customer's`,
      );
    }
  }

  if (e.history.workflowTaskFailures > 0) {
    fail(
      'no workflow task failures',
      `${e.history.workflowTaskFailures} WorkflowTaskFailed: ${e.history.failureMessages.join(' | ')}`,
    );
  }
  if (e.history.nondeterminism > 0)
    fail('no nondeterminism', `${e.history.nondeterminism} nondeterminism error(s) in history`);
  if (e.replayError) fail('no nondeterminism', `replay: ${e.replayError}`);
  return violations;
}
