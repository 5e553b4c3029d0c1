// One branch of kycWorkflow at a time, without the sandbox: a worker on the prebuilt bundle whose activities are
// stubs a test scripts (a partner that refuses polls, a backend that is down, a customer already decided). The
// workflow code under test is the real one; only the side effects are stand-ins.
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { KycActivities, PartnerCustomer, PolledDecision } from '../../activities';
import { kycStartOptions } from '../../client/start-options';
import { kycWorkflow } from '../../workflows';
import { CustomerStillPending } from '../../workflows/failures';
import { parseKycInput, type KycInput } from '../../workflows/input';
import type { RunSettings } from '../../workflows/state';
import { createKycTestWorker } from './kyc-harness';

/** What the stub partner and backend saw, for assertions. */
export interface StubCalls {
  submits: number;
  uploads: number;
  polls: number;
  /** Every event delivery attempt, in order, with how it was answered. */
  events: Array<{ type: string; idempotencyKey: string; answer: 'delivered' | 'unavailable' | 'refused' }>;
}

export type StubOverrides = Partial<KycActivities> & {
  settings?: Partial<RunSettings>;
  /** Decides each poll: a decision, 'pending', or a thrown failure. Default: always pending. */
  poll?: (attempt: number) => PolledDecision | 'pending';
  /** Answers each event: default delivered. */
  backend?: (type: string) => 'delivered' | 'unavailable' | 'refused';
};

const settingsDefaults: RunSettings = {
  minPollIntervalMs: 60_000,
  maxUrlRefreshes: 3,
  uploadConcurrency: 3,
  rejectionReasonGraceMs: 15 * 60_000,
};

export function stubActivities(overrides: StubOverrides, calls: StubCalls): KycActivities {
  const { settings, poll, backend, ...activities } = overrides;
  return {
    async prepareRun(rawInput) {
      const parsed = parseKycInput(rawInput);
      if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.problems.join('\n'), 'InvalidKycInput');
      return {
        input: parsed.input,
        documents: parsed.input.documents.map((d) => ({ category: d.category, bytes: 3, sha256: 'abc' })),
        settings: { ...settingsDefaults, ...settings },
      };
    },
    async checkDocuments(documents) {
      return documents.map((d) => ({ category: d.category, bytes: 3, sha256: 'abc' }));
    },
    async readCustomer(): Promise<PartnerCustomer> {
      return { status: 'created', submitted: false };
    },
    async uploadDocument({ document }) {
      calls.uploads++;
      return { fileId: `file_${document.category}`, bytes: 3, sha256: 'abc' };
    },
    async attachDocuments() {},
    async submitKyc() {
      calls.submits++;
      return { submittedAt: new Date().toISOString(), alreadySubmitted: false };
    },
    async pollCustomerDecision() {
      calls.polls++;
      const answer = poll ? poll(calls.polls) : 'pending';
      if (answer === 'pending') {
        throw ApplicationFailure.create({ type: CustomerStillPending, message: 'still pending', nonRetryable: false });
      }
      return answer;
    },
    async emitKycEvent({ event, idempotencyKey }) {
      const answer = backend ? backend(event.type) : 'delivered';
      calls.events.push({ type: event.type, idempotencyKey, answer });
      if (answer === 'unavailable')
        throw ApplicationFailure.create({
          type: 'BackendUnavailable',
          message: 'backend answered 503',
          nonRetryable: false,
        });
      if (answer === 'refused')
        throw ApplicationFailure.create({
          type: 'BackendEventRefused',
          message: 'backend answered 422: unknown customer',
          nonRetryable: true,
        });
      return { delivered: true };
    },
    ...activities,
  };
}

export interface StubWorker {
  calls: StubCalls;
  taskQueue: string;
  /** Runs `fn` while the worker polls its task queue; the worker stops after. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  start(
    input: KycInput,
    carried?: Parameters<typeof kycWorkflow>[1],
  ): ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>;
}

/** A worker on the prebuilt bundle with stub activities, on `env` (time-skipping or a dev server of the file's own). */
export async function createStubWorker(
  env: TestWorkflowEnvironment,
  overrides: StubOverrides = {},
): Promise<StubWorker> {
  const calls: StubCalls = { submits: 0, uploads: 0, polls: 0, events: [] };
  const { worker, taskQueue } = await createKycTestWorker(env.nativeConnection, {
    taskQueue: 'kyc-stub',
    activities: { stub: stubActivities(overrides, calls) },
  });
  return {
    calls,
    taskQueue,
    run: (fn) => worker.runUntil(fn),
    start: (input, carried) => {
      const options = kycStartOptions(input, taskQueue);
      return env.client.workflow.start(kycWorkflow, {
        ...options,
        args: carried ? [input, carried] : [input],
      }) as never;
    },
  };
}

/** An input for stubbed runs: the sources are never read. */
export const stubInput = (customerId: string, timing?: KycInput['timing']): KycInput => ({
  customerId,
  customerReference: `ref-${customerId}`,
  documents: [
    { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: '/nowhere/passport.jpg' },
  ],
  ...(timing ? { timing } : {}),
});
