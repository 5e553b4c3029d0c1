// The billing baseline: kycWorkflow's steps with the real activities, but waiting the naive way — a 1-minute
// timer, then one poll activity, again and again until the review ends (escalating once past 24 h). Same
// search-attribute upserts as kycWorkflow, so the difference is only how it waits. Bundled on its own.
import { condition, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { KycActivities } from '../activities';
import * as options from '../workflows/activity-options';
import { attachSlotFor, type KycDocument } from '../workflows/documents';
import { eventIdempotencyKey, type KycEventType } from '../workflows/events';
import { customerRejected, customerVerified } from '../workflows/messages';
import { KycEscalated, KycStatus } from '../workflows/search-attributes';

const acts = proxyActivities<KycActivities>(options.partnerCall);
const { checkDocuments } = proxyActivities<KycActivities>(options.documentCheck);
const { uploadDocument } = proxyActivities<KycActivities>(options.upload);
// One GET per activity: "still pending" is an answer here, not a retry.
const { pollCustomerDecision } = proxyActivities<KycActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 1 },
});

const MINUTE = 60_000;
const ESCALATE_AFTER = 24 * 3600_000;

export interface NaiveInput {
  customerId: string;
  customerReference: string;
  documents: KycDocument[];
}

export async function naivePollingWorkflow(input: NaiveInput): Promise<string> {
  let decision: string | undefined;
  setHandler(customerVerified, () => void (decision ??= 'verified'));
  setHandler(customerRejected, () => void (decision ??= 'rejected'));
  const emit = (type: KycEventType) =>
    acts.emitKycEvent({
      idempotencyKey: eventIdempotencyKey(workflowInfo().workflowId, type),
      event: {
        type,
        customerId: input.customerId,
        customerReference: input.customerReference,
        occurredAt: new Date().toISOString(),
      },
    });

  await checkDocuments(input.documents);
  upsertSearchAttributes([{ key: KycStatus, value: 'uploading' }]);
  const files = await Promise.all(
    input.documents.map((document) => uploadDocument({ customerId: input.customerId, document })),
  );
  const slots = Object.fromEntries(input.documents.map((d, i) => [attachSlotFor[d.category], files[i]!.fileId]));
  await acts.attachDocuments({ customerId: input.customerId, slots });
  await acts.submitKyc({ customerId: input.customerId });
  await emit('kyc.submitted');
  upsertSearchAttributes([{ key: KycStatus, value: 'pending_review' }]);

  const pendingSince = Date.now();
  let escalated = false;
  while (decision === undefined) {
    if (await condition(() => decision !== undefined, MINUTE)) break;
    try {
      const polled = await pollCustomerDecision({ customerId: input.customerId });
      decision ??= polled.status;
    } catch {
      // still pending
    }
    if (!escalated && decision === undefined && Date.now() - pendingSince >= ESCALATE_AFTER) {
      escalated = true;
      upsertSearchAttributes([{ key: KycEscalated, value: true }]);
      await emit('kyc.escalated');
    }
  }
  const outcome = decision as string;
  upsertSearchAttributes([{ key: KycStatus, value: outcome }]);
  await emit(outcome === 'verified' ? 'kyc.verified' : 'kyc.rejected');
  return outcome;
}
