// Figure 2: billable actions per onboarding on the time-skipping server, for the three paths the README budgets
// (webhook at 1 h, verified by polling at 20 h, pending 30 h with the escalation at 24 h), for kycWorkflow and for
// the naive variant (1-minute timer + one poll activity each minute). Both run side by side in one skipped
// timeline, counted from their histories by the test suite's own counter.
//
// Two rules of the time-skipping server keep that timeline moving (without them a leftover lock froze it at 2 h):
// - Results are awaited one at a time. The env's client holds one time-skipping lock; each result() releases it
//   while it waits and takes it back after. Two at once release two, so the server's count drops to zero while a
//   workflow task is still running: time races ahead, the task times out again and again, and the KYC run ends
//   just as its next poll attempt falls due (see the next rule).
// - A webhook is sent only between two poll attempts. The run never cancels its poll round (a real server drops
//   it with the run), but the test server holds time for a queued or running attempt until that attempt reports
//   back, and drops the attempt of a closed run without releasing that hold: time would not move again.
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { kycStartOptions } from '../client/start-options';
import { Rail } from '../sandbox/control-client';
import { startSandbox } from '../sandbox/server';
import { ensureSearchAttributes } from '../scripts/dev-server';
import { findTestServer, sdkExecutable } from '../scripts/toolchain';
import { countBillableActions, type ActionCount } from '../scripts/billable-actions';
import { parseWorkerConfig } from '../worker/config';
import { createKycWorker } from '../worker/create-worker';
import { kycWorkflow } from '../workflows';
import type { KycInput } from '../workflows/input';
import { customerVerified, statusQuery } from '../workflows/messages';
import { KycStatus } from '../workflows/search-attributes';
import { naivePollingWorkflow } from './naive-workflow';
import { stopOnInterrupt, type Stack } from './stack';
import { waitUntil } from './util';

export type BillingPath = 'webhook1h' | 'poll20h' | 'pending30h';
export const billingBudgets: Record<BillingPath, number> = { webhook1h: 20, poll20h: 34, pending30h: 42 };

export interface BillingRow {
  path: BillingPath;
  kyc: number;
  naive: number;
  /** False: the naive figure is extrapolated from its measured 1 h run (see naiveEstimate). */
  naiveMeasured: boolean;
  budget: number;
}

const pathHours: Record<BillingPath, number> = { webhook1h: 1, poll20h: 20, pending30h: 30 };

/**
 * The naive run's actions on a longer path, from its measured 1 h run: the same fixed part (start, documents,
 * submit, events, upserts), its measured timer+poll actions per waited minute, the webhook's signal where
 * there is one, and the escalation's upsert + event past 24 h.
 */
export function naiveEstimate(measured1h: ActionCount, polls1h: number, path: BillingPath): number {
  const waitActionsPerMinute = (measured1h.timers + polls1h) / 60;
  const fixed = measured1h.total - measured1h.timers - polls1h - measured1h.signals;
  const hours = pathHours[path];
  const viaWebhook = path !== 'poll20h';
  return Math.round(fixed + waitActionsPerMinute * hours * 60 + (viaWebhook ? 1 : 0) + (hours >= 24 ? 2 : 0));
}

const HOUR = 3600_000;
const MINUTE = 60_000;
const timestampMs = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  ts ? Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6) : 0;
const verifiedData = (id: string, reference: string) => ({
  object: 'customer' as const,
  id,
  customer_reference: reference,
  status: 'verified' as const,
  verified_at: new Date().toISOString(),
});

/** `naiveAllPaths`: also run the naive variant for 20 h and 30 h (1,200 and 1,800 one-minute rounds: slow). */
export async function measureBilling(
  stack: Stack,
  naiveAllPaths: boolean,
  log: (line: string) => void,
): Promise<BillingRow[]> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: sdkExecutable(findTestServer()) },
  });
  const forget = stopOnInterrupt(() => env.teardown());
  // Its own sandbox: no webhooks, every review held until the bench decides.
  const sandbox = await startSandbox({ port: 0, review: { outcome: 'never' } });
  const rail = new Rail(sandbox.url);
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
  try {
    await ensureSearchAttributes(env.connection, 'default');
    const taskQueue = 'bench-billing';
    const config = parseWorkerConfig({
      KYC_TASK_QUEUE: taskQueue,
      TECHNEST_API_URL: sandbox.url,
      TECHNEST_API_KEY: rail.apiKey,
      KYC_EVENTS_URL: stack.eventsUrl,
      KYC_SOURCE_ROOTS: stack.dir,
    });
    const connection: NativeConnection = env.nativeConnection;
    const kycWorker = await createKycWorker({
      connection,
      namespace: 'default',
      config,
      workflowBundle: { codePath: stack.bundles.kyc },
      overrides: { shutdownGraceTime: '1s' },
    });
    const naiveWorker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue: `${taskQueue}-naive`,
      workflowBundle: { codePath: stack.bundles.naive },
      activities: createActivities({
        partnerUrl: sandbox.url,
        partnerApiKey: rail.apiKey,
        eventsUrl: stack.eventsUrl,
        sourceRoots: [stack.dir],
        maxFileBytes: config.KYC_MAX_FILE_BYTES,
      }),
      shutdownGraceTime: '1s',
    });
    for (const worker of [kycWorker, naiveWorker]) workers.push({ worker, running: worker.run() });

    const paths: BillingPath[] = ['webhook1h', 'poll20h', 'pending30h'];
    const runs = await Promise.all(
      paths.flatMap((path) =>
        (naiveAllPaths || path === 'webhook1h' ? (['kyc', 'naive'] as const) : (['kyc'] as const)).map(async (kind) => {
          const reference = `bench-bill-${kind}-${path}`;
          const customerId = await rail.createCustomer(reference);
          const input: KycInput = { customerId, customerReference: reference, documents: stack.documents };
          const handle =
            kind === 'kyc'
              ? await env.client.workflow.start(kycWorkflow, kycStartOptions(input, taskQueue))
              : await env.client.workflow.start(naivePollingWorkflow, {
                  ...kycStartOptions(input, `${taskQueue}-naive`),
                  workflowId: `naive-${customerId}`,
                  args: [{ customerId, customerReference: reference, documents: stack.documents }],
                });
          return { path, kind, customerId, reference, handle };
        }),
      ),
    );
    // Every run submitted and waiting before any time is skipped.
    await waitUntil(
      'every billing run to reach pending_review',
      async () => {
        const stages = await Promise.all(
          runs.map(async (r) =>
            r.kind === 'kyc'
              ? (await env.client.workflow.getHandle(r.handle.workflowId).query(statusQuery)).stage
              : (await r.handle.describe()).typedSearchAttributes.get(KycStatus),
          ),
        );
        return stages.every((s) => s === 'pending_review');
      },
      60_000,
      100,
    );
    const t0 = await env.currentTimeMs();
    const of = (path: BillingPath) => runs.filter((r) => r.path === path);
    const skipTo = async (hours: number) => {
      const now = await env.currentTimeMs();
      if (t0 + hours * HOUR > now) await env.sleep(t0 + hours * HOUR - now);
    };
    // One result at a time: see the first rule at the top.
    const resultsOf = async (path: BillingPath) => {
      for (const r of of(path)) await r.handle.result();
    };
    // Until the poll attempt due about now has been answered (the next is 15 min or more away), so that a webhook
    // sent next ends the run with no attempt queued or running: see the second rule at the top.
    const betweenPolls = (handle: WorkflowHandle) =>
      waitUntil(
        `${handle.workflowId}'s poll round to be between attempts`,
        async () => {
          const [now, { raw }] = await Promise.all([env.currentTimeMs(), handle.describe()]);
          const poll = raw.pendingActivities?.find((a) => a.activityType?.name === 'pollCustomerDecision');
          if (!poll) return true;
          const answered = timestampMs(poll.lastAttemptCompleteTime);
          return answered >= timestampMs(poll.lastStartedTime) && now - answered < 5 * MINUTE;
        },
        60_000,
        50,
      );
    const sendWebhook = async (path: BillingPath) => {
      for (const r of of(path)) {
        if (r.kind === 'kyc') await betweenPolls(r.handle);
        await r.handle.signal(customerVerified, verifiedData(r.customerId, r.reference));
      }
    };

    log('  skipping to 1 h: the webhook arrives…');
    const wall = performance.now();
    await skipTo(1);
    log(`    1 h skipped in ${((performance.now() - wall) / 1000).toFixed(1)} s of wall time`);
    await sendWebhook('webhook1h');
    await resultsOf('webhook1h');
    log('  skipping to 20 h: the partner decides, only polling sees it…');
    await skipTo(20);
    for (const r of of('poll20h')) await rail.decide(r.customerId, 'verify');
    await resultsOf('poll20h');
    log('  skipping to 30 h (escalated at 24 h): the webhook arrives…');
    await skipTo(30);
    await sendWebhook('pending30h');
    await resultsOf('pending30h');

    const actions = async (r: (typeof runs)[number]) => {
      const polls = (await rail.inspect(r.customerId)).status_reads;
      return { count: countBillableActions(await r.handle.fetchHistory(), polls), polls };
    };
    const naive1h = await actions(of('webhook1h').find((r) => r.kind === 'naive')!);
    const rows: BillingRow[] = [];
    for (const path of paths) {
      const kyc = await actions(of(path).find((r) => r.kind === 'kyc')!);
      const naiveRun = of(path).find((r) => r.kind === 'naive');
      const naive = naiveRun
        ? (await actions(naiveRun)).count.total
        : naiveEstimate(naive1h.count, naive1h.polls, path);
      rows.push({ path, kyc: kyc.count.total, naive, naiveMeasured: !!naiveRun, budget: billingBudgets[path] });
    }
    return rows;
  } finally {
    for (const { worker } of workers) worker.shutdown();
    await Promise.all(workers.map((w) => w.running.catch(() => undefined)));
    await sandbox.close();
    await env.teardown();
    forget();
  }
}
