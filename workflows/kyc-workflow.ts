// kycWorkflow: the partner's five steps as one durable run (docs/workflow.md).
//   prepare (parse the input, check every source) → upload every document (intent + PUT) → attach → submit →
//   wait for the review → the result. Events to our backend go out beside the flow, never in its way.
// Deterministic orchestration only: every side effect is an activity in activities/. Everything the run depends
// on that could change with a deploy (the input's parsing, the country table, the worker's limits) is derived
// once, by the prepareRun activity, and carried; see docs/operations.md, "Changing the workflow safely".
import { ActivityFailure, ApplicationFailure, condition, patched, proxyActivities } from '@temporalio/workflow';
import type { CheckedDocument, KycActivities } from '../activities';
import * as options from './activity-options';
import { deliverEvents, eventsSettled, queueEvent } from './backend-events';
import { setDecisionHandlers } from './decision-handlers';
import { attachSlotFor, type AttachSlot, type KycDocument } from './documents';
import { DocumentSourceFailed, InvalidKycInput, UploadUrlExpired } from './failures';
import type { KycInput } from './input';
import type { FileStatus, KycResult, KycResume } from './messages';
import { kycMetrics } from './metrics';
import { enterStage, showDetails } from './progress';
import { rejectionReasonClass, retryCustomerReference, userMessageFor } from './rejection';
import { isWaitingStateV1, KycState, type CarriedState, type Decision } from './state';
import { loadWorkflowV1 } from './lazy-modules';
import type { WaitingState as WaitingStateV1 } from './v1/state';
import { waitForDecision } from './wait-for-decision';

const partner = proxyActivities<KycActivities>(options.partnerCall);
const { prepareRun, checkDocuments } = proxyActivities<KycActivities>(options.documentCheck);
const { uploadDocument } = proxyActivities<KycActivities>(options.upload);

/** The patch that separates today's runs from those started by release 0.1 (workflows/v1/). */
export const kycV2Patch = 'kyc-v2';

/**
 * @param rawInput the input object (docs/workflow.md, "Input").
 * @param carried set by continue-as-new (the waiting state) or by `kyc resume` (`{ resume: 'from-partner' }`).
 */
export async function kycWorkflow(rawInput: KycInput, carried?: CarriedState | KycResume): Promise<KycResult> {
  if (!patched(kycV2Patch)) return loadWorkflowV1().kycWorkflowV1(rawInput, carried as never);

  const state = new KycState(rawInput);
  // Handlers first, so that a decision arriving at any moment (even before submit finishes) is kept.
  setDecisionHandlers(state);
  void deliverEvents(state);

  if (carried && 'version' in carried) {
    state.restore(carried);
    enterStage(state, 'pending_review', { continued: true });
  } else if (isWaitingStateV1(carried)) {
    await restoreFromV1(state, rawInput, carried);
  } else if (carried && 'resume' in carried) {
    await resumeFromPartner(state, rawInput);
  } else {
    enterStage(state, 'validating');
    const prepared = await prepareRun
      .executeWithOptions({ ...options.documentCheck, summary: 'parse the input and check every document' }, [rawInput])
      .catch(surfaceTypedFailure);
    state.prepared(prepared.input, prepared.settings);
    await uploadAttachSubmit(state, prepared.documents);
  }

  if (!state.decision) state.decision = await waitForDecision(state, rawInput);
  await awaitRejectionReason(state);
  return finish(state);
}

/** Steps 1–4, then the review clock starts. Before the submit returns, a failure ends the run (nothing is locked). */
async function uploadAttachSubmit(state: KycState, checked: CheckedDocument[]): Promise<void> {
  const input = state.input!;
  enterStage(state, 'uploading');
  await uploadAll(state, new Map(checked.map((c) => [c.category, c.sha256])));

  enterStage(state, 'attaching');
  await partner.attachDocuments.executeWithOptions(
    { ...options.partnerCall, summary: `attach ${state.files.map((f) => f.slot).join(', ')}` },
    [{ customerId: input.customerId, slots: slotsOf(state.files) }],
  );

  enterStage(state, 'submitting');
  const submitted = await partner.submitKyc.executeWithOptions(
    { ...options.partnerCall, summary: 'submit KYC for review' },
    [{ customerId: input.customerId }],
  );
  state.submittedAt = submitted.submittedAt;
  if (submitted.customerReference) state.partnerCustomerReference = submitted.customerReference;
  startReview(state, new Date().toISOString());
}

/** From here on only a decision ends the run. */
function startReview(state: KycState, pendingSince: string): void {
  state.pendingSince = pendingSince;
  queueEvent(state, 'kyc.submitted');
  enterStage(state, 'pending_review');
}

/**
 * `kyc resume`: an earlier run failed or was terminated. The partner's customer says where to go on: still
 * pending → wait; decided → finish with its decision; not yet submitted → the documents again from the start.
 */
async function resumeFromPartner(state: KycState, rawInput: unknown): Promise<void> {
  enterStage(state, 'validating');
  const prepared = await prepareRun
    .executeWithOptions({ ...options.documentCheck, summary: 'parse the input (resume)' }, [
      rawInput,
      { checkSources: false },
    ])
    .catch(surfaceTypedFailure);
  state.prepared(prepared.input, prepared.settings);
  const customer = await partner.readCustomer.executeWithOptions(
    { ...options.partnerCall, summary: 'read the customer (resume)' },
    [{ customerId: state.customerId }],
  );
  if (customer.customerReference) state.partnerCustomerReference = customer.customerReference;
  const now = new Date().toISOString();

  if (customer.decision) {
    state.submittedAt = customer.submittedAt;
    state.pendingSince = customer.submittedAt ?? now;
    state.files.forEach((f) => (f.uploaded = true));
    state.decide(
      {
        status: customer.decision,
        via: 'poll',
        at: customer.verifiedAt ?? customer.rejectedAt,
        rejectionReason: customer.rejectionReason,
      },
      now,
    );
    queueEvent(state, 'kyc.submitted');
    return;
  }
  if (customer.submitted) {
    // Submitted already: the review has been running since the partner took it, and the escalation clock with it.
    state.submittedAt = customer.submittedAt;
    state.files.forEach((f) => (f.uploaded = true));
    startReview(
      state,
      customer.submittedAt && Date.parse(customer.submittedAt) <= Date.parse(now) ? customer.submittedAt : now,
    );
    return;
  }
  const checked = await checkDocuments
    .executeWithOptions({ ...options.documentCheck, summary: `check ${prepared.input.documents.length} document(s)` }, [
      prepared.input.documents,
    ])
    .catch(surfaceTypedFailure);
  await uploadAttachSubmit(state, checked);
}

/** A run of release 0.1 continued as new onto today's code: its input is parsed once more, by an activity. */
async function restoreFromV1(state: KycState, rawInput: unknown, waiting: WaitingStateV1): Promise<void> {
  const prepared = await prepareRun.executeWithOptions(
    { ...options.documentCheck, summary: 'parse the input (0.1 run)' },
    [rawInput, { checkSources: false }],
  );
  state.prepared(prepared.input, prepared.settings);
  Object.assign(state, {
    files: waiting.files,
    submittedAt: waiting.submittedAt,
    pendingSince: waiting.pendingSince ?? new Date().toISOString(),
    polls: waiting.polls,
    escalatedAt: waiting.escalatedAt,
    ignoredDecisions: waiting.ignoredDecisions,
  });
  if (waiting.decision) state.decide({ ...waiting.decision }, new Date().toISOString());
  enterStage(state, 'pending_review', { continued: true });
}

/**
 * A poll can decide "rejected" before the webhook that carries the partner's reason arrives: wait a little for
 * it, so the customer is told why (the reason is all the friendly message is chosen by).
 */
async function awaitRejectionReason(state: KycState): Promise<void> {
  const decision = state.decision!;
  if (decision.status !== 'rejected' || decision.rejectionReason || decision.via !== 'poll') return;
  await condition(() => !!state.decision!.rejectionReason, state.settings!.rejectionReasonGraceMs, {
    summary: 'wait for the rejection reason',
  });
}

/** The result, the final stage, the verdict event; the run ends once our backend has every event. */
async function finish(state: KycState): Promise<KycResult> {
  const decision = state.decision!;
  const result = resultOf(state, decision);
  kycMetrics.pendingReview((Date.now() - Date.parse(state.pendingSince!)) / 1000, decision.status);
  if (decision.status === 'rejected') kycMetrics.rejected(rejectionReasonClass(decision.rejectionReason));
  enterStage(state, decision.status);
  queueEvent(state, decision.status === 'verified' ? 'kyc.verified' : 'kyc.rejected', result);
  await condition(() => eventsSettled(state));
  return result;
}

/** Steps 1–2 for every document, a few at a time. */
async function uploadAll(state: KycState, checkedSha256: Map<string, string>): Promise<void> {
  const input = state.input!;
  const queue = input.documents.map((doc, i) => ({ doc, file: state.files[i]! }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await uploadOne(state, next.doc, next.file, checkedSha256.get(next.doc.category));
      showDetails(state);
    }
  };
  await Promise.all(Array.from({ length: Math.min(state.settings!.uploadConcurrency, queue.length) }, worker));
}

/** Steps 1–2 for one document; an expired URL is answered with a fresh intent, a bounded number of times. */
async function uploadOne(state: KycState, doc: KycDocument, file: FileStatus, expectedSha256?: string) {
  for (;;) {
    try {
      const uploaded = await uploadDocument.executeWithOptions(
        { ...options.upload, summary: `upload ${doc.category} (${doc.filename})` },
        [{ customerId: state.customerId, document: doc }],
      );
      if (expectedSha256 && uploaded.sha256 !== expectedSha256) {
        throw ApplicationFailure.create({
          type: InvalidKycInput,
          nonRetryable: true,
          message: `${doc.category} (${doc.filename}) changed between the document check and the upload`,
        });
      }
      Object.assign(file, { fileId: uploaded.fileId, uploaded: true, bytes: uploaded.bytes, sha256: uploaded.sha256 });
      return;
    } catch (err) {
      const expired = err instanceof ActivityFailure && (err.cause as ApplicationFailure)?.type === UploadUrlExpired;
      if (!expired || file.urlRefreshes >= state.settings!.maxUrlRefreshes) surfaceTypedFailure(err);
      file.urlRefreshes++;
      kycMetrics.urlRefreshed(doc.category);
    }
  }
}

/** Bad documents fail the run with the activity's own typed failure (InvalidKycInput, DocumentSourceFailed). */
function surfaceTypedFailure(err: unknown): never {
  if (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    runFailures.has(err.cause.type ?? '')
  ) {
    throw err.cause;
  }
  throw err;
}
const runFailures = new Set([InvalidKycInput, DocumentSourceFailed]);

function slotsOf(files: FileStatus[]): Partial<Record<AttachSlot, string>> {
  return Object.fromEntries(files.map((f) => [attachSlotFor[f.category], f.fileId]));
}

function resultOf(state: KycState, decision: Decision): KycResult {
  const base = { customerId: state.customerId, customerReference: state.customerReference };
  if (decision.status === 'verified') return { status: 'verified', ...base, verifiedAt: decision.at };
  // The rail's record is the truth of which reference it holds: the retry's reference follows from it.
  return {
    status: 'rejected',
    ...base,
    rejectedAt: decision.at,
    rejectionReason: decision.rejectionReason,
    userMessage: userMessageFor(decision.rejectionReason),
    retryCustomerReference: retryCustomerReference(state.partnerCustomerReference ?? state.customerReference),
  };
}
