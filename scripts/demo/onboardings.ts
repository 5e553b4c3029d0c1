// The sample onboardings `npm start` runs: one per path a real customer can take, each set up on the
// partner sandbox the way the real rail would behave, and each checked when it ends.
import type { KycClient } from '../../client/kyc-client';
import type { Rail } from '../../sandbox/control-client';
import type { KycInput } from '../../workflows/input';
import type { KycResult, KycStatusReply } from '../../workflows/messages';

/** Short waits so that every path completes in well under a minute. */
export const demoTiming = { firstPollAfter: '3s', maxPollInterval: '5s', escalateAfter: '8s' } as const;

export interface DemoContext {
  kyc: KycClient;
  rail: Rail;
  documents: KycInput['documents'];
  runTag: string;
  /** Reports each customer run the path starts, so progress can follow it. */
  track(label: string, customerId: string): void;
}

export interface PathOutcome {
  result: KycResult;
  status: KycStatusReply;
  /** What the path promised and whether it held, e.g. "decided via webhook". */
  checks: Array<{ what: string; ok: boolean }>;
}

export interface DemoPath {
  name: string;
  run(ctx: DemoContext): Promise<PathOutcome>;
}

async function onboard(
  ctx: DemoContext,
  label: string,
  reference: string,
  prepare: (customerId: string) => Promise<unknown>,
  alongside?: (customerId: string) => Promise<unknown>,
) {
  const customerId = await ctx.rail.createCustomer(reference, 'GB');
  await prepare(customerId);
  await ctx.kyc.start({
    customerId,
    customerReference: reference,
    country: 'GB',
    documents: ctx.documents,
    timing: demoTiming,
  });
  ctx.track(label, customerId);
  // What the path does while the run goes on is awaited with the run: no call of a path may outlive it, or it
  // would still be running when `npm start` closes its connection (see in-flight.ts).
  const [result] = await Promise.all([ctx.kyc.result(customerId), alongside?.(customerId)]);
  return { customerId, result, status: await finalStatus(ctx, customerId) };
}

const check = (what: string, ok: boolean) => ({ what, ok });

export const demoPaths: DemoPath[] = [
  {
    name: 'verified by webhook',
    async run(ctx) {
      const { result, status } = await onboard(ctx, this.name, `demo-${ctx.runTag}-webhook`, (id) =>
        ctx.rail.review(id, { outcome: 'verify', after_ms: 1500 }),
      );
      return {
        result,
        status,
        checks: [
          check('verified', result.status === 'verified'),
          check('via webhook', status.outcome?.via === 'webhook'),
        ],
      };
    },
  },
  {
    name: 'rejected, retried as -r2, verified',
    async run(ctx) {
      const first = await onboard(ctx, 'rejected (first attempt)', `demo-${ctx.runTag}-retry`, (id) =>
        ctx.rail.review(id, { outcome: 'reject', after_ms: 1500, reason: 'ID document unreadable' }),
      );
      const retryReference = first.result.retryCustomerReference!;
      // The backend creates the retry customer at the partner with the new reference, then starts the retry.
      const retryId = await ctx.rail.createCustomer(retryReference, 'GB');
      await ctx.rail.review(retryId, { outcome: 'verify', after_ms: 1500 });
      await ctx.kyc.retry(first.customerId, {
        customerId: retryId,
        documents: ctx.documents,
        country: 'GB',
        timing: demoTiming,
      });
      ctx.track('retried (-r2)', retryId);
      const result = await ctx.kyc.result(retryId);
      return {
        result,
        status: await finalStatus(ctx, retryId),
        checks: [
          check(
            'first attempt rejected with a friendly message',
            first.result.status === 'rejected' && !!first.result.userMessage,
          ),
          check('retry reference ends in -r2', retryReference.endsWith('-r2')),
          check('retry verified', result.status === 'verified'),
        ],
      };
    },
  },
  {
    name: 'expired upload URL refreshed',
    async run(ctx) {
      const { result, status } = await onboard(ctx, this.name, `demo-${ctx.runTag}-expired`, async (id) => {
        await ctx.rail.faults(id, { expireUploads: 1 });
        await ctx.rail.review(id, { outcome: 'verify', after_ms: 1500 });
      });
      const refreshes = status.files.reduce((n, f) => n + f.urlRefreshes, 0);
      return {
        result,
        status,
        checks: [check('verified', result.status === 'verified'), check('one URL refreshed', refreshes === 1)],
      };
    },
  },
  {
    name: 'verified by polling only',
    async run(ctx) {
      const { result, status } = await onboard(ctx, this.name, `demo-${ctx.runTag}-polling`, async (id) => {
        await ctx.rail.faults(id, { dropWebhook: true });
        await ctx.rail.review(id, { outcome: 'verify', after_ms: 1000 });
      });
      return {
        result,
        status,
        checks: [check('verified', result.status === 'verified'), check('via poll', status.outcome?.via === 'poll')],
      };
    },
  },
  {
    name: 'escalated, then verified',
    async run(ctx) {
      const reference = `demo-${ctx.runTag}-escalation`;
      const { result, status } = await onboard(
        ctx,
        this.name,
        reference,
        (id) => ctx.rail.review(id, { outcome: 'never' }),
        // Partner support answers once the run has escalated (the backend got kyc.escalated).
        async (id) => {
          await waitUntil(async () => !!(await ctx.kyc.status(id).catch(() => undefined))?.escalatedAt, 60_000);
          await ctx.rail.decide(id, 'verify');
        },
      );
      return {
        result,
        status,
        checks: [check('escalated once', !!status.escalatedAt), check('verified', result.status === 'verified')],
      };
    },
  },
];

/**
 * The closed run's `status`. A query on a closed run makes a worker replay it; on a loaded machine that can time
 * out once, which must not turn a path that ended correctly into a failure.
 */
async function finalStatus(ctx: DemoContext, customerId: string): Promise<KycStatusReply> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.kyc.status(customerId);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('timed out');
}
