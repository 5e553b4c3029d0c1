// A long wait continues as new when Temporal suggests it, carrying what the run knows: no document is
// uploaded again, nothing is submitted twice, and the decision still reaches the (new) run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { customerVerified, statusQuery } from '../workflows/messages';
import { startKyc, startKycHarness, waitForStage, type KycHarness } from './support/kyc-harness';
import { kycWorkflow } from '../workflows';
import { verifiedData } from './support/decisions';
import { createDevServerSuggestingContinueAsNew } from './support/temporal';

let env: TestWorkflowEnvironment;
let h: KycHarness;

beforeAll(async () => {
  // A server that suggests continue-as-new after 30 history events, so the suggestion arrives while waiting.
  env = await createDevServerSuggestingContinueAsNew(30);
  // The backend refuses the submitted event: the refusal must survive the hand-over like everything else.
  h = await startKycHarness(
    env.nativeConnection,
    {},
    { eventSink: { answer: (type) => (type === 'kyc.submitted' ? 422 : 204) } },
  );
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

describe('continue-as-new while waiting for the review', () => {
  it('carries the uploads, the submission and the escalation clock into the next run', async () => {
    const reference = `can-${Date.now()}`;
    const { customerId, handle } = await startKyc(env.client, h, reference);
    const firstRunId = (await handle.describe()).runId;
    // A hand-sent signal without a payload, before the hand-over: refused, recorded, carried.
    await env.client.workflow.getHandle(handle.workflowId).signal('customerVerified');

    // The next run starts straight in pending_review; wait for it to be a different run.
    const deadline = Date.now() + 30_000;
    let current = await handle.describe();
    while (current.runId === firstRunId && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      current = await env.client.workflow.getHandle(handle.workflowId).describe();
    }
    expect(current.runId).not.toBe(firstRunId);
    const latest = env.client.workflow.getHandle<typeof kycWorkflow>(handle.workflowId);
    const carried = await waitForStage(latest, 'pending_review');
    expect(carried.files.every((f) => f.uploaded && f.fileId && f.sha256)).toBe(true);
    expect(carried.submittedAt).toBeDefined();
    expect(carried.pendingSince).toBeDefined();
    expect(carried.refusedSignals).toEqual([
      expect.objectContaining({ signal: 'customerVerified', problem: expect.stringMatching(/no payload/) }),
    ]);
    // The refusal may have come back before the hand-over, or to the new run that sent the carried event again.
    const refusedBy = Date.now() + 20_000;
    let events = carried.events;
    while (events.refused.length === 0 && Date.now() < refusedBy) {
      await new Promise((r) => setTimeout(r, 100));
      events = (await latest.query(statusQuery)).events;
    }
    expect(events.refused).toEqual([
      expect.objectContaining({ type: 'kyc.submitted', error: expect.stringContaining('422') }),
    ]);

    const firstHistory = await env.client.workflow.getHandle(handle.workflowId, firstRunId).fetchHistory();
    expect(firstHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

    await latest.signal(customerVerified, verifiedData(customerId, reference));
    expect(await handle.result()).toMatchObject({ status: 'verified', customerId });
    expect((await latest.query(statusQuery)).outcome?.via).toBe('webhook');

    const partner = await h.rail.inspect(customerId);
    expect(partner.intents).toHaveLength(h.documents.length);
    expect(partner.submit_count).toBe(1);
    expect(h.sink.for(customerId).map((e) => e.body.type)).toEqual(['kyc.verified']);
  });
});
