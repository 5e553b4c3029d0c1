// What others see of a run's progress: the KycStatus / CustomerReference / KycEscalated search attributes, the
// Web UI's current details, the stage metrics, and the workflow log. Each upsert is a billable action, so only
// what changed is sent, and only for the stages that last long enough to search for (messages.ts).
import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { searchableStages, type KycStage } from './messages';
import { kycMetrics } from './metrics';
import { CustomerReference, KycEscalated, KycStatus } from './search-attributes';
import type { KycState } from './state';

const searchable = new Set<KycStage>(searchableStages);

/** Enters `stage`: the state, the search attributes that changed, the metric (once per run chain), the details. */
export function enterStage(state: KycState, stage: KycStage, options: { continued?: boolean } = {}): void {
  state.stage = stage;
  if (!options.continued) kycMetrics.stageEntered(stage);
  const current = workflowInfo().typedSearchAttributes;
  const updates = [];
  if (searchable.has(stage) && current.get(KycStatus) !== stage) updates.push({ key: KycStatus, value: stage });
  if (current.get(CustomerReference) === undefined && state.customerReference) {
    updates.push({ key: CustomerReference, value: state.customerReference });
  }
  if (updates.length) upsertSearchAttributes(updates);
  showDetails(state);
}

export function markEscalated(state: KycState): void {
  state.escalatedAt = new Date().toISOString();
  upsertSearchAttributes([{ key: KycEscalated, value: true }]);
  kycMetrics.escalated();
  log.warn('KYC review pending past escalateAfter: contact Technest support', { customerId: state.customerId });
  showDetails(state);
}

export function signalRefused(state: KycState, signal: string, problem: string): void {
  state.refuseSignal(signal, problem, new Date().toISOString());
  kycMetrics.signalRefused(signal);
  log.warn('decision signal refused: its payload is missing or malformed', {
    signal,
    problem,
    customerId: state.customerId,
  });
}

/** The Web UI's "current details": a few plain lines about where the run is. */
export function showDetails(state: KycState): void {
  const uploaded = state.files.filter((f) => f.uploaded).length;
  const lines = [`**${state.stage}**`, `documents uploaded: ${uploaded}/${state.files.length}`];
  if (state.pendingSince) lines.push(`pending review since ${state.pendingSince}`, `polls so far: ${state.polls}`);
  lines.push(`escalated: ${state.escalatedAt ? `yes, at ${state.escalatedAt}` : 'no'}`);
  if (state.decision) lines.push(`decision: ${state.decision.status} (via ${state.decision.via})`);
  if (state.outbox.length)
    lines.push(`events waiting for the backend: ${state.outbox.map((q) => q.event.type).join(', ')}`);
  if (state.refusedEvents.length) lines.push(`events refused by the backend: ${state.refusedEvents.length}`);
  if (state.refusedSignals.length) lines.push(`signals refused: ${state.refusedSignals.length}`);
  setCurrentDetails(lines.join('\n'));
}
