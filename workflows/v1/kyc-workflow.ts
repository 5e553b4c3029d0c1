// FROZEN: kycWorkflow as released in 0.1.0, kept so that runs started by that release replay and finish under
// today's code (kyc-workflow.ts sends them here when their history has no `kyc-v2` patch marker). Change nothing
// here that alters commands; see docs/operations.md, "Changing the workflow safely". Delete once no 0.1 run is
// open (`temporal workflow list --query "WorkflowType='kycWorkflow' AND ExecutionStatus='Running'"` shows none
// started before the 0.2 deploy).
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { KycActivities } from '../../activities';
import * as options from '../activity-options';
import { attachSlotFor, type AttachSlot, type KycDocument } from '../documents';
import { eventIdempotencyKey, type KycEventType } from '../events';
import { InvalidKycInput, UploadUrlExpired } from '../failures';
import { parseKycInput, type KycInput, type ParsedKycInput } from './input';
import {
  customerRejected,
  customerVerified,
  statusQuery,
  type CustomerDecisionData,
  type FileStatus,
  type KycResult,
} from '../messages';
import { kycMetrics } from '../metrics';
import { rejectionReasonClass, retryCustomerReference, userMessageFor } from '../rejection';
import { KycState, type Decision, type WaitingState } from './state';
import { waitForDecision } from './wait-for-decision';

/** 0.1's limits, frozen: they shape the commands of its runs. */
const frozen = { maxUrlRefreshes: 3, uploadConcurrency: 3 } as const;

const partner = proxyActivities<KycActivities>(options.partnerCall);
const { checkDocuments } = proxyActivities<KycActivities>(options.documentCheck);
const { uploadDocument } = proxyActivities<KycActivities>(options.upload);

/**
 * @param rawInput the input object (docs/workflow.md, "Input").
 * @param resumed set only by continue-as-new: the documents are already submitted and the run only waits.
 */
export async function kycWorkflowV1(rawInput: KycInput, resumed?: WaitingState): Promise<KycResult> {
  const parsed = parseKycInput(rawInput);
  const state = new KycState(parsed.ok ? parsed.input : undefined, rawInput as Partial<ParsedKycInput>, resumed);

  // Handlers first, so that a decision arriving at any moment (even before submit finishes) is kept.
  // 0.1 read `data` unguarded: a signal with no payload threw in the handler and failed every workflow task
  // after it. A non-object payload is now dropped; an object is taken as 0.1 took it (so histories replay).
  type V1Data = { verified_at?: string; rejected_at?: string; rejection_reason?: string };
  const onDecision = (status: Decision['status']) => (data: V1Data) =>
    typeof data === 'object' &&
    data !== null &&
    state.decide({
      status,
      via: 'webhook',
      at: data.verified_at ?? data.rejected_at,
      rejectionReason: data.rejection_reason,
    });
  setHandler(customerVerified, onDecision('verified') as (data: CustomerDecisionData) => void);
  setHandler(customerRejected, onDecision('rejected') as (data: CustomerDecisionData) => void);
  setHandler(statusQuery, () => state.status());

  if (!parsed.ok) {
    throw ApplicationFailure.create({
      type: InvalidKycInput,
      nonRetryable: true,
      message: `Invalid KYC input:\n${parsed.problems.join('\n')}`,
      details: parsed.problems,
    });
  }
  const input = parsed.input;

  if (!resumed) {
    state.setStage('validating');
    const checked = await checkDocuments
      .executeWithOptions({ ...options.documentCheck, summary: `check ${input.documents.length} document(s)` }, [
        input.documents,
      ])
      .catch(surfaceInvalidInput);

    state.setStage('uploading');
    await uploadAll(input, state, new Map(checked.map((c) => [c.category, c.sha256])));

    state.setStage('attaching');
    await partner.attachDocuments.executeWithOptions(
      { ...options.partnerCall, summary: `attach ${state.files.map((f) => f.slot).join(', ')}` },
      [{ customerId: input.customerId, slots: slotsOf(state.files) }],
    );

    state.setStage('submitting');
    const submitted = await partner.submitKyc.executeWithOptions(
      { ...options.partnerCall, summary: 'submit KYC for review' },
      [{ customerId: input.customerId }],
    );
    state.submittedAt = submitted.submittedAt;
    state.pendingSince = new Date().toISOString();
    await emit(state, 'kyc.submitted');
  }

  state.setStage('pending_review');
  const outcome = await waitForDecision(input, state, {
    escalate: () => emit(state, 'kyc.escalated'),
    continueAsNew: async () => {
      await condition(allHandlersFinished);
      // The next run starts on today's code, which takes 0.1's WaitingState (kyc-workflow.ts).
      return continueAsNew(rawInput, state.waitingState());
    },
  });

  const result = resultOf(input, outcome);
  kycMetrics.pendingReview((Date.now() - Date.parse(state.pendingSince!)) / 1000, outcome.status);
  if (outcome.status === 'rejected') kycMetrics.rejected(rejectionReasonClass(outcome.rejectionReason));
  state.setStage(outcome.status);
  await emit(state, outcome.status === 'verified' ? 'kyc.verified' : 'kyc.rejected', result);
  return result;
}

/** Steps 1–2 for every document, a few at a time. */
async function uploadAll(input: ParsedKycInput, state: KycState, checkedSha256: Map<string, string>): Promise<void> {
  const queue = input.documents.map((doc, i) => ({ doc, file: state.files[i]! }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await uploadOne(input.customerId, next.doc, next.file, checkedSha256.get(next.doc.category));
      state.refreshDetails();
    }
  };
  await Promise.all(Array.from({ length: Math.min(frozen.uploadConcurrency, queue.length) }, worker));
}

/** Steps 1–2 for one document; an expired URL is answered with a fresh intent, a bounded number of times. */
async function uploadOne(customerId: string, doc: KycDocument, file: FileStatus, expectedSha256?: string) {
  for (;;) {
    try {
      const uploaded = await uploadDocument.executeWithOptions(
        { ...options.upload, summary: `upload ${doc.category} (${doc.filename})` },
        [{ customerId, document: doc }],
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
      if (!expired || file.urlRefreshes >= frozen.maxUrlRefreshes) surfaceInvalidInput(err);
      file.urlRefreshes++;
      kycMetrics.urlRefreshed(doc.category);
    }
  }
}

/** Bad documents fail the run with the activity's InvalidKycInput itself (docs/workflow.md, "Invalid input"). */
function surfaceInvalidInput(err: unknown): never {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === InvalidKycInput) {
    throw err.cause;
  }
  throw err;
}

function slotsOf(files: FileStatus[]): Partial<Record<AttachSlot, string>> {
  return Object.fromEntries(files.map((f) => [attachSlotFor[f.category], f.fileId]));
}

function resultOf(input: ParsedKycInput, decision: Decision): KycResult {
  const base = { customerId: input.customerId, customerReference: input.customerReference };
  if (decision.status === 'verified') return { status: 'verified', ...base, verifiedAt: decision.at };
  return {
    status: 'rejected',
    ...base,
    rejectedAt: decision.at,
    rejectionReason: decision.rejectionReason,
    userMessage: userMessageFor(decision.rejectionReason),
    retryCustomerReference: retryCustomerReference(input.customerReference),
  };
}

/**
 * Events to the backend (docs/workflow.md, "Events"); a failure to deliver them never undoes the partner's decision.
 */
async function emit(state: KycState, type: KycEventType, result?: KycResult): Promise<void> {
  const { workflowId } = workflowInfo();
  try {
    await partner.emitKycEvent.executeWithOptions({ ...options.partnerCall, summary: `event ${type}` }, [
      {
        idempotencyKey: eventIdempotencyKey(workflowId, type),
        event: {
          type,
          customerId: state.customerId,
          customerReference: state.customerReference,
          occurredAt: new Date().toISOString(),
          userMessage: result?.userMessage,
          retryCustomerReference: result?.retryCustomerReference,
        },
      },
    ]);
  } catch (err) {
    if (isCancellation(err)) throw err;
    // Only a non-retryable refusal by the backend lands here; it is kept visible in the status.
    state.lastEventError = `${type}: ${(err as Error).message}`;
  }
}
