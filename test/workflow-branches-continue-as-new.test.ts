// Continue-as-new while waiting, with stub activities (test/support/stub-worker.ts) on a dev server that suggests
// it after 30 history events: a run hands over twice (straight after the submit, then after escalating), and what
// it knows — files, submission, poll count, escalation, refused signals, our backend's events — reaches the last
// run unchanged; the decision sent to it still ends the workflow. The end-to-end version: continue-as-new.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { kycWorkflow } from '../workflows';
import { customerVerified, statusQuery, type KycStatusReply } from '../workflows/messages';
import { verifiedData } from './support/decisions';
import { createStubWorker, stubInput } from './support/stub-worker';
import { createDevServerSuggestingContinueAsNew } from './support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createDevServerSuggestingContinueAsNew(30);
});
afterAll(async () => {
  await env?.teardown();
});

/** Polls `read` in real time, with a deadline, until `ok` holds. */
async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  deadlineMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('continue-as-new while waiting for the review', () => {
  it('carries files, submission, polls, escalation, refused signals and events through two hand-overs; the decision ends the run', async () => {
    const submittedAt = '2026-11-27T09:00:00.000Z';
    let submits = 0;
    let releaseSubmit!: () => void;
    const submitReleased = new Promise<void>((resolve) => (releaseSubmit = resolve));
    const w = await createStubWorker(env, {
      // Held until the test has sent a bad signal, so that the refusal is recorded before the first hand-over.
      submitKyc: async () => {
        submits++;
        await submitReleased;
        return { submittedAt, alreadySubmitted: false };
      },
      // Our backend refuses the submitted event and takes the others: the refusal and the deliveries are carried.
      backend: (type) => (type === 'kyc.submitted' ? 'refused' : 'delivered'),
    });
    await w.run(async () => {
      const customerId = `ckcust_can${Date.now().toString(36)}`;
      const handle = await w.start(
        stubInput(customerId, { firstPollAfter: '1h', maxPollInterval: '2h', escalateAfter: '3s' }),
      );
      const latest = env.client.workflow.getHandle<typeof kycWorkflow>(handle.workflowId);
      const runId = async () => (await latest.describe()).runId;
      const firstRun = await runId();

      await until(
        'the submit',
        () => latest.query(statusQuery),
        (s) => s.stage === 'submitting',
      );
      await latest.signal('customerVerified'); // no payload: refused and recorded
      await until(
        'the refusal',
        () => latest.query(statusQuery),
        (s) => s.refusedSignals.length === 1,
      );
      releaseSubmit();

      // First hand-over: the history is past 30 events by the time the run starts waiting.
      await until('the first hand-over', runId, (id) => id !== firstRun);
      const escalated = await until(
        'the escalation after the hand-over',
        () => latest.query(statusQuery),
        (s) => !!s.escalatedAt,
      );
      const escalatedRun = await runId();
      expect(escalated).toMatchObject({ stage: 'pending_review', submittedAt, polls: 0 });
      const carriedFromFirst: Partial<KycStatusReply> = {
        files: [
          {
            category: 'id_document',
            filename: 'passport.jpg',
            slot: 'id_file',
            fileId: 'file_id_document',
            uploaded: true,
            urlRefreshes: 0,
            bytes: 3,
            sha256: 'abc',
          },
        ],
        submittedAt,
        pendingSince: escalated.pendingSince,
      };
      expect(escalated).toMatchObject(carriedFromFirst);
      await until(
        'the escalation event',
        () => latest.query(statusQuery),
        (s) => s.events.delivered.includes('kyc.escalated'),
      );

      // Another hand-over after the escalation: refused signals grow the history until Temporal suggests it again.
      let sent = 1;
      while ((await runId()) === escalatedRun) {
        if (sent >= 15) throw new Error(`the run never handed over again after ${sent} signals`);
        await latest.signal('customerRejected', 'not an object');
        sent++;
        await until(
          `refusal ${sent}`,
          () => latest.query(statusQuery),
          (s) => s.refusedSignals.length === sent,
        );
      }
      const last = await until(
        'the third run waiting',
        () => latest.query(statusQuery),
        (s) => s.stage === 'pending_review',
      );
      expect(last).toMatchObject({
        ...carriedFromFirst,
        polls: escalated.polls,
        escalatedAt: escalated.escalatedAt,
        events: {
          pending: [],
          delivered: ['kyc.escalated'],
          refused: [expect.objectContaining({ type: 'kyc.submitted', error: expect.stringContaining('422') })],
        },
      });
      expect(last.refusedSignals).toHaveLength(sent);
      expect(last.refusedSignals[0]).toMatchObject({
        signal: 'customerVerified',
        problem: expect.stringMatching(/no payload/),
      });
      expect(last.refusedSignals.slice(1).every((r) => r.signal === 'customerRejected')).toBe(true);
      expect(last.outcome).toBeUndefined();

      const firstHistory = await env.client.workflow.getHandle(handle.workflowId, firstRun).fetchHistory();
      expect(firstHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
      const escalatedHistory = await env.client.workflow.getHandle(handle.workflowId, escalatedRun).fetchHistory();
      expect(escalatedHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

      await latest.signal(customerVerified, verifiedData(customerId, `ref-${customerId}`));
      expect(await handle.result()).toMatchObject({ status: 'verified', customerId });
      const final = await latest.query(statusQuery);
      expect(final).toMatchObject({
        stage: 'verified',
        outcome: { status: 'verified', via: 'webhook' },
        escalatedAt: escalated.escalatedAt,
      });
      expect(final.events.delivered).toEqual(['kyc.escalated', 'kyc.verified']);
      // Nothing was uploaded or submitted again, and no event the backend took was sent twice.
      expect(w.calls.uploads).toBe(1);
      expect(submits).toBe(1);
      const delivered = w.calls.events.filter((e) => e.answer === 'delivered');
      expect(delivered.map((e) => e.type)).toEqual(['kyc.escalated', 'kyc.verified']);
    });
  });
});
