// The chaos run, shared by `npm run chaos` and test/chaos.test.ts: N onboardings on a dev server of its own while
// the worker process is SIGKILLed and restarted, the webhook receiver restarted, and the partner sandbox injects
// 5xx, 429s, expired upload URLs and duplicated / late / dropped webhooks. Then every promise is checked
// (invariants.ts) and summed up in a report. The seed fixes the plan, the fault rolls and the kill schedule.
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { defaultRunSettings } from '../../activities/run-settings';
import { kycStartOptions } from '../../client/start-options';
import { durationMs } from '../../common/env';
import { Rail, sandboxApiKey } from '../../sandbox/control-client';
import { startSandbox, type Faults, type Sandbox } from '../../sandbox/server';
import { mulberry32, type Random } from '../../sandbox/prng';
import { kycWorkflow } from '../../workflows';
import { kycWorkflowId, statusQuery, type KycResult, type KycStatusReply } from '../../workflows/messages';
import { startDevServer, type DevServer } from '../dev-server';
import { projectRoot } from '../toolchain';
import {
  checkCustomer,
  historyFacts,
  invariantNames,
  sourceDigests,
  type CustomerEvidence,
  type InvariantName,
  type Violation,
} from './invariants';
import { startEventBackend } from './backend';
import { checkFlow, expectedEventTypes } from './flow-invariants';
import { malformedSignals, misuseRun } from './misuse';
import { between, planCustomers, type CustomerPlan } from './plan';
import { planSurprises, refusedKey } from './surprises';
import { freePort } from '../ports';
import { spawnReceiver, spawnWorker, type ProductProcess } from './processes';
import { kycWorkflowModules } from '../../worker/workflow-modules';

export interface ChaosOptions {
  /** Onboardings. */
  n: number;
  seed: number;
  /** SIGKILLs of the worker process, each followed by a restart. */
  workerKills: number;
  /** Time the worker is left running between kills. */
  killEveryMs: [number, number];
  /** Restarts of the webhook receiver process (SIGKILL or SIGTERM, by the seed). */
  receiverRestarts: number;
  receiverRestartEveryMs: [number, number];
  /** Windows in which our backend (KYC_EVENTS_URL) answers 503 to every event, their gaps and lengths. */
  backendOutages: number;
  backendOutageEveryMs: [number, number];
  backendOutageMs: [number, number];
  /** Starts are spread over this window, so the kills find runs in every stage. */
  startSpreadMs: number;
  faults: Faults;
  timing: { firstPollAfter: string; maxPollInterval: string; escalateAfter: string };
  /** Share of customers the partner rejects; the others are verified. */
  rejectRate: number;
  /** Share of reviews that take longer than escalateAfter. */
  slowReviewRate: number;
  /** Every run must have ended by then (from the first start). */
  deadlineMs: number;
  /** A prebuilt workflow bundle (the test suite has one); otherwise one is built. */
  workflowBundlePath?: string;
  /** Replays every history against the workflow code (a second nondeterminism check). */
  replay: boolean;
  log: (line: string) => void;
}

export const defaultChaosOptions: Omit<ChaosOptions, 'n' | 'seed'> = {
  workerKills: 8,
  killEveryMs: [2000, 5000],
  receiverRestarts: 3,
  receiverRestartEveryMs: [3000, 8000],
  backendOutages: 4,
  backendOutageEveryMs: [2000, 6000],
  backendOutageMs: [1000, 5000],
  startSpreadMs: 20_000,
  faults: {
    errorRate: 0.1,
    rateLimitRate: 0.05,
    retryAfterSeconds: 1,
    expireUploadRate: 0.1,
    // As many early expiries per document as the worker's refresh budget allows, not one more: past it the
    // documented ending is a failed run (test/workflow-branches.test.ts), not the verdict every chaos run must reach.
    expireUploadLimit: defaultRunSettings.maxUrlRefreshes,
    duplicateWebhookRate: 0.2,
    webhookDelayMs: [0, 1500],
    dropWebhookRate: 0.15,
  },
  timing: { firstPollAfter: '1s', maxPollInterval: '2s', escalateAfter: '10s' },
  rejectRate: 0.35,
  slowReviewRate: 0.05,
  deadlineMs: 10 * 60_000,
  replay: true,
  log: () => undefined,
};

export interface ChaosReport {
  seed: number;
  n: number;
  wallMs: number;
  runs: {
    verified: number;
    rejected: number;
    noResult: number;
    viaWebhook: number;
    viaPoll: number;
    escalated: number;
  };
  workerKills: number;
  receiverRestarts: number;
  backendOutages: number;
  /** Malformed signals the server accepted for open runs; partner surprises and refused events set up. */
  misuse: { malformedSignals: number; partnerSurprises: number; refusedEvents: number };
  faults: {
    injected: number;
    urlRefreshes: number;
    expiredUrlsIssued: number;
    webhooksDropped: number;
    duplicateWebhooks: number;
    workflowTaskTimeouts: number;
    activityRetries: number;
    /** Final tasks the server refused for a racing event (UnhandledCommand), by what raced: see HistoryFacts. */
    completionRaces: { signal: number; activity: number };
  };
  invariants: Array<{ name: InvariantName; passed: number; failed: number }>;
  violations: Violation[];
  ok: boolean;
  /** Where the dev server's log and the documents are (kept when the run fails). */
  workDir: string;
}

const webhookSecret = 'whsec_chaos_only';
const temporalEnum = temporal.api.enums.v1;

export async function runChaos(partial: Partial<ChaosOptions> & { n: number; seed: number }): Promise<ChaosReport> {
  const options: ChaosOptions = { ...defaultChaosOptions, ...partial };
  const { log } = options;
  const began = Date.now();
  const since = () => `${((Date.now() - began) / 1000).toFixed(1)}s`;
  const workDir = mkdtempSync(join(tmpdir(), 'kyc-chaos-'));
  const docsDir = join(workDir, 'documents');
  mkdirSync(docsDir);
  const stops: Array<() => Promise<unknown>> = [];
  let ok = false;
  try {
    const workflowBundlePath = options.workflowBundlePath ?? (await buildBundle(workDir));
    const plans = await planCustomers({
      n: options.n,
      seed: options.seed,
      runTag: `${options.seed.toString(36)}-${began.toString(36)}`,
      docsDir,
      rejectRate: options.rejectRate,
      slowReviewRate: options.slowReviewRate,
      escalateAfterMs: durationMs(options.timing.escalateAfter),
    });
    const digests = await sourceDigests(plans);

    // Everything on ports of its own, history in a throwaway SQLite file.
    const [temporalPort, uiPort, receiverPort] = await distinctFreePorts(3);
    const server: DevServer = await startDevServer({
      port: temporalPort,
      uiPort,
      dbFile: join(workDir, 'temporal.sqlite'),
      logFile: join(workDir, 'temporal-server.log'),
    });
    stops.push(() => server.stop());
    log(`[${since()}] dev server ${server.address} (Web UI ${server.uiUrl}), work dir ${workDir}`);

    const receiverEnv = { temporalAddress: server.address, port: receiverPort!, secret: webhookSecret };
    const receiver = new Restartable(() => spawnReceiver(receiverEnv));
    await receiver.start();
    stops.push(() => receiver.stop());
    const backend = await startEventBackend();
    stops.push(() => backend.close());

    // Faults come on only once every customer exists and has its review plan: the set-up is not under test.
    const sandbox: Sandbox = await startSandbox({
      webhookUrl: `http://127.0.0.1:${receiverPort}/webhooks/technest`,
      webhookSecret,
      review: { outcome: 'never' },
      seed: options.seed,
    });
    stops.push(() => sandbox.close());
    const rail = new Rail(sandbox.url);
    const customerIds = new Map<CustomerPlan, string>();
    for (const plan of plans) {
      const id = await rail.createCustomer(plan.reference, plan.country);
      await rail.review(id, {
        outcome: plan.review.outcome,
        after_ms: plan.review.afterMs,
        reason: plan.review.reason,
      });
      customerIds.set(plan, id);
    }
    // Per-customer surprises (set-up too): partner replies off docs/partner-api.md, and an event our backend refuses
    // once.
    const surprises = planSurprises(plans, options.seed);
    for (const plan of plans) {
      const s = surprises.get(plan)!;
      const id = customerIds.get(plan)!;
      if (s.partnerFaults) await rail.faults(id, s.partnerFaults);
      const key = refusedKey(s, plan, kycWorkflowId(id));
      if (key) backend.refuse.add(key);
    }
    await setGlobalFaults(sandbox.url, options.faults);

    const taskQueue = `kyc-chaos-${options.seed}`;
    const worker = new Restartable(() =>
      spawnWorker({
        temporalAddress: server.address,
        taskQueue,
        partnerUrl: sandbox.url,
        partnerApiKey: sandboxApiKey,
        sourceRoot: docsDir,
        workflowBundlePath,
        eventsUrl: backend.url,
      }),
    );
    await worker.start();
    stops.push(() => worker.stop());
    log(
      `[${since()}] worker and webhook receiver up; starting ${options.n} onboardings over ${options.startSpreadMs / 1000}s`,
    );

    const connection = await Connection.connect({ address: server.address });
    stops.push(() => connection.close());
    const client = new Client({ connection });

    // The chaos schedule has PRNGs of its own (one per loop), so it does not shift when the plan changes size.
    const chaosRandom = mulberry32(options.seed ^ 0xc4a05);
    const done = new AbortController();
    // One listener per start still waiting for its turn, and one per chaos loop.
    setMaxListeners(options.n + 10, done.signal);
    const startedAt = Date.now();
    const chaosLoops = Promise.all([
      killLoop(
        'worker',
        worker,
        options.workerKills,
        options.killEveryMs,
        mulberry32(options.seed ^ 0x1c11),
        done.signal,
        () => 'SIGKILL',
        log,
        since,
      ),
      killLoop(
        'webhook receiver',
        receiver,
        options.receiverRestarts,
        options.receiverRestartEveryMs,
        mulberry32(options.seed ^ 0x2ec0),
        done.signal,
        (random) => (random() < 0.5 ? 'SIGKILL' : 'SIGTERM'),
        log,
        since,
      ),
      outageLoop(backend, options, mulberry32(options.seed ^ 0xb4c6), done.signal, log, since),
    ]);
    // A loop that cannot bring its process back ends the run, but only once the runs are awaited below.
    const chaos = chaosLoops.then(
      (counts) => ({ counts }),
      (error: Error) => ({ error }),
    );

    const offsets = plans.map(() => Math.floor(chaosRandom() * options.startSpreadMs));
    let finished = 0;
    const results = await Promise.all(
      plans.map(async (plan, i) => {
        await pause(offsets[i]!, done.signal);
        const customerId = customerIds.get(plan)!;
        const input = {
          customerId,
          customerReference: plan.reference,
          country: plan.country,
          documents: plan.documents,
          timing: options.timing,
        };
        const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, taskQueue));
        const deadline = startedAt + options.deadlineMs;
        // Another customer's id for the misdirected signal: the next one in the plan.
        const other = customerIds.get(plans[(i + 1) % plans.length]!)!;
        const submittedOrDone = async () => {
          const status = await handle.query(statusQuery).catch(() => undefined);
          return !!status && (!!status.submittedAt || !!status.outcome);
        };
        const [result, malformedSent] = await Promise.all([
          withDeadline(handle.result(), deadline - Date.now()).catch((err: Error): { error: string } => ({
            error: causeChain(err),
          })),
          surprises.get(plan)!.misuse
            ? misuseRun(handle, malformedSignals(plan, customerId, other), submittedOrDone, deadline)
            : 0,
        ]);
        finished++;
        if (finished % Math.max(1, Math.ceil(options.n / 10)) === 0 || finished === options.n) {
          log(`[${since()}] ${finished}/${options.n} runs ended`);
        }
        return { plan, customerId, handle, result, malformedSent };
      }),
    );
    done.abort();
    const loops = await chaos;
    if ('error' in loops) throw loops.error;
    const [workerKills, receiverRestarts, backendOutages] = loops.counts;
    backend.down = false;
    // A worker must be up for the queries on closed runs; the loop always leaves one running.
    log(`[${since()}] all runs ended; collecting evidence`);

    // Events go out in the background and may trail the run's end: give the last retries time to land.
    await eventsSettled(backend, results, Date.now() + 30_000);
    const evidence = await mapLimit(results, 8, async ({ plan, customerId, handle, result, malformedSent }) => {
      const partner = await rail.inspect(customerId);
      const history = await handle.fetchHistory();
      const status = await handle.query(statusQuery).catch(() => undefined);
      const described = (await handle.describe()).raw;
      const execution = {
        status: String(temporalEnum.WorkflowExecutionStatus[described.workflowExecutionInfo?.status ?? 0]).replace(
          'WORKFLOW_EXECUTION_STATUS_',
          '',
        ),
        workflowTaskAttempt: described.pendingWorkflowTask?.attempt ?? undefined,
      };
      if ('error' in result) {
        // Say what a run that never ended was doing, so a failure can be understood from the log alone.
        const raw = (await handle.describe()).raw;
        const pending = (raw.pendingActivities ?? []).map(
          (a) => `${a.activityType?.name} attempt ${a.attempt} (${a.lastFailure?.message ?? 'no failure'})`,
        );
        const tail = (history.events ?? []).slice(-8).map((e) => String(e.eventType));
        log(
          `[${since()}] ${customerId} did not end: stage ${status?.stage}; pending ${pending.join('; ') || 'none'}; last events ${tail.join(', ')}`,
        );
      }
      logIfSlow(customerId, history, log);
      const flow = {
        workflowId: kycWorkflowId(customerId),
        execution,
        hasResult: !('error' in result),
        status,
        arrivals: backend.arrivals.filter(
          (a) => a.customerId === customerId || a.key?.startsWith(`${kycWorkflowId(customerId)}:`),
        ),
        expectedTypes: expectedEventTypes('error' in result ? undefined : result, status, partner.submit_count > 0),
        refusedKey: refusedKey(surprises.get(plan)!, plan, kycWorkflowId(customerId)),
        malformedSent,
      };
      return { plan, customerId, result, partner, history, status, flow };
    });
    const replayErrors = options.replay
      ? await replayAll(
          workflowBundlePath,
          evidence.map((e) => ({ id: kycWorkflowId(e.customerId), history: e.history })),
        )
      : new Map();

    const checked: Array<CustomerEvidence & { status?: KycStatusReply }> = evidence.map((e) => ({
      plan: e.plan,
      customerId: e.customerId,
      result: e.result,
      partner: e.partner,
      history: historyFacts(e.history),
      replayError: replayErrors.get(kycWorkflowId(e.customerId)),
      status: e.status,
    }));
    const violations = checked.flatMap((e) => checkCustomer(e, digests));
    for (const { flow, plan, customerId } of evidence) {
      checkFlow(flow, (invariant, detail) =>
        violations.push({ invariant, reference: plan.reference, customerId, detail }),
      );
    }
    const unattributed = await globalFaultCount(sandbox.url);
    const report = summarise(options, checked, violations, {
      wallMs: Date.now() - began,
      workerKills,
      receiverRestarts,
      backendOutages,
      misuse: {
        malformedSignals: evidence.reduce((n, e) => n + e.flow.malformedSent, 0),
        partnerSurprises: [...surprises.values()].filter((s) => s.partnerFaults).length,
        refusedEvents: backend.refuse.size,
      },
      unattributed,
      workDir,
    });
    ok = report.ok;
    return report;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (ok) rmSync(workDir, { recursive: true, force: true });
  }
}

function summarise(
  options: ChaosOptions,
  evidence: Array<CustomerEvidence & { status?: KycStatusReply }>,
  violations: Violation[],
  extra: {
    wallMs: number;
    workerKills: number;
    receiverRestarts: number;
    backendOutages: number;
    misuse: ChaosReport['misuse'];
    unattributed: number;
    workDir: string;
  },
): ChaosReport {
  const results = evidence.map((e) => e.result).filter((r): r is KycResult => !('error' in r));
  const sum = (f: (e: CustomerEvidence & { status?: KycStatusReply }) => number) =>
    evidence.reduce((n, e) => n + f(e), 0);
  const invariants = invariantNames.map((name) => {
    const failedCustomers = new Set(violations.filter((v) => v.invariant === name).map((v) => v.customerId));
    return { name, passed: evidence.length - failedCustomers.size, failed: failedCustomers.size };
  });
  return {
    seed: options.seed,
    n: options.n,
    wallMs: extra.wallMs,
    runs: {
      verified: results.filter((r) => r.status === 'verified').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
      noResult: evidence.length - results.length,
      viaWebhook: evidence.filter((e) => e.status?.outcome?.via === 'webhook').length,
      viaPoll: evidence.filter((e) => e.status?.outcome?.via === 'poll').length,
      escalated: evidence.filter((e) => !!e.status?.escalatedAt).length,
    },
    workerKills: extra.workerKills,
    receiverRestarts: extra.receiverRestarts,
    backendOutages: extra.backendOutages,
    misuse: extra.misuse,
    faults: {
      injected: sum((e) => e.partner.faults_injected) + extra.unattributed,
      urlRefreshes: sum((e) => (e.status?.files ?? []).reduce((n, f) => n + f.urlRefreshes, 0)),
      expiredUrlsIssued: sum((e) => e.partner.intents.filter((i) => i.forced_expiry).length),
      webhooksDropped: sum((e) => Number(e.partner.webhooks_dropped ?? 0)),
      duplicateWebhooks: sum((e) => e.partner.webhook_deliveries.filter((d) => d.duplicate && d.attempt === 1).length),
      workflowTaskTimeouts: sum((e) => e.history.workflowTaskTimeouts),
      activityRetries: sum((e) => e.history.activityRetries),
      completionRaces: {
        signal: sum((e) => e.history.completionRaces.signal),
        activity: sum((e) => e.history.completionRaces.activity),
      },
    },
    invariants,
    violations,
    ok: violations.length === 0 && evidence.length === options.n,
    workDir: extra.workDir,
  };
}

/** A product process that the chaos kills and brings back. */
class Restartable {
  private current: ProductProcess | undefined;
  constructor(private readonly spawn: () => Promise<ProductProcess>) {}
  async start(): Promise<void> {
    this.current = await this.spawn();
  }
  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    if (signal === 'SIGKILL') await this.current?.kill();
    else await this.current?.stop();
  }
  async stop(): Promise<void> {
    await this.current?.stop();
  }
}

/** Restarts until the process is up again (a port can take a moment to be free after a kill). */
async function restart(target: Restartable, what: string, log: (line: string) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await target.start();
    } catch (err) {
      if (attempt >= 5) throw err;
      log(`${what} did not come back (attempt ${attempt}): ${(err as Error).message.split('\n').slice(-2).join(' ')}`);
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function killLoop(
  what: string,
  target: Restartable,
  times: number,
  everyMs: [number, number],
  random: Random,
  done: AbortSignal,
  signalFor: (random: Random) => 'SIGKILL' | 'SIGTERM',
  log: (line: string) => void,
  since: () => string,
): Promise<number> {
  let count = 0;
  while (count < times) {
    await pause(between(random, everyMs[0], everyMs[1]), done);
    if (done.aborted) break;
    const signal = signalFor(random);
    await target.kill(signal);
    count++;
    const down = Date.now();
    await restart(target, what, log);
    log(
      `[${since()}] ${what} ${signal === 'SIGKILL' ? 'killed (SIGKILL)' : 'stopped (SIGTERM)'} #${count}, back in ${((Date.now() - down) / 1000).toFixed(1)}s`,
    );
  }
  return count;
}

/** Opens and closes the backend's 503 windows; always leaves it up. */
async function outageLoop(
  backend: { down: boolean },
  options: ChaosOptions,
  random: Random,
  done: AbortSignal,
  log: (line: string) => void,
  since: () => string,
): Promise<number> {
  let count = 0;
  try {
    while (count < options.backendOutages) {
      await pause(between(random, options.backendOutageEveryMs[0], options.backendOutageEveryMs[1]), done);
      if (done.aborted) break;
      const length = between(random, options.backendOutageMs[0], options.backendOutageMs[1]);
      backend.down = true;
      count++;
      await pause(length, done);
      backend.down = false;
      log(`[${since()}] backend answered 503 for ${(length / 1000).toFixed(1)}s (outage #${count})`);
    }
  } finally {
    backend.down = false;
  }
  return count;
}

/** Until every ended run's events have been seen by the backend (a 2xx or 4xx answer), or the deadline. */
async function eventsSettled(
  backend: { arrivals: Array<{ key?: string; answered: number }> },
  results: Array<{ customerId: string; result: KycResult | { error: string } }>,
  deadline: number,
): Promise<void> {
  const wanted = results.flatMap(({ customerId, result }) =>
    'error' in result
      ? []
      : [`${kycWorkflowId(customerId)}:kyc.submitted`, `${kycWorkflowId(customerId)}:kyc.${result.status}`],
  );
  for (;;) {
    const seen = new Set(backend.arrivals.filter((a) => a.answered !== 503).map((a) => a.key));
    if (wanted.every((key) => seen.has(key)) || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The chaos schedule's own waits (not waiting for a result: those are awaited). Ends early on abort. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A run that took over a minute: its activity timeline, to see which retry or timeout held it up. */
function logIfSlow(
  customerId: string,
  history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>,
  log: (line: string) => void,
) {
  const events = history.events ?? [];
  const ms = (e: (typeof events)[number]) =>
    Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
  const start = events[0] ? ms(events[0]) : 0;
  const end = events.length ? ms(events[events.length - 1]!) : 0;
  if (end - start < 60_000) return;
  const names = new Map<string, string>();
  const lines: string[] = [];
  for (const e of events) {
    const at = `${((ms(e) - start) / 1000).toFixed(1)}s`;
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) names.set(String(e.eventId), scheduled.activityType?.name ?? '?');
    const started = e.activityTaskStartedEventAttributes;
    if (started)
      lines.push(
        `${at} started ${names.get(String(started.scheduledEventId))} attempt ${started.attempt} ${started.lastFailure?.message ?? ''}`,
      );
    const failed = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (failed)
      lines.push(
        `${at} ${e.activityTaskFailedEventAttributes ? 'failed' : 'timed out'} ${names.get(String(failed.scheduledEventId))} ${failed.failure?.message ?? ''}`,
      );
    if (e.workflowTaskTimedOutEventAttributes || e.workflowTaskFailedEventAttributes)
      lines.push(`${at} workflow task ${e.workflowTaskTimedOutEventAttributes ? 'timed out' : 'failed'}`);
  }
  log(`${customerId} took ${((end - start) / 1000).toFixed(0)} s:\n    ${lines.join('\n    ')}`);
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running at the deadline`)), Math.max(0, ms));
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
    }),
  );
  return out;
}

async function replayAll(
  bundlePath: string,
  histories: Array<{ id: string; history: temporal.api.history.v1.IHistory }>,
): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  const replays = Worker.runReplayHistories(
    { workflowBundle: { codePath: bundlePath }, replayName: 'kyc-chaos' },
    histories.map(({ id, history }) => ({ workflowId: id, history })),
  );
  for await (const replay of replays) {
    if (replay.error) errors.set(replay.workflowId, replay.error.message.split('\n')[0] ?? String(replay.error));
  }
  return errors;
}

async function buildBundle(workDir: string): Promise<string> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(projectRoot, 'workflows'),
    workflowInterceptorModules: [...kycWorkflowModules],
    logger: new DefaultLogger('WARN'),
  });
  const path = join(workDir, 'workflow-bundle.js');
  writeFileSync(path, bundle.code);
  return path;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function setGlobalFaults(sandboxUrl: string, faults: Faults): Promise<void> {
  const res = await fetch(`${sandboxUrl}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!res.ok) throw new Error(`PUT /_sandbox/faults → ${res.status} ${await res.text()}`);
}

async function globalFaultCount(sandboxUrl: string): Promise<number> {
  const res = await fetch(`${sandboxUrl}/_sandbox/faults`);
  const body = (await res.json()) as { faults_injected_unattributed?: number };
  return body.faults_injected_unattributed ?? 0;
}

/** A failure with every cause under it (`Workflow execution failed: Activity task failed: …`), so a report says why. */
function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 6; e = e.cause) {
    const type = (e as { type?: string }).type;
    parts.push(type ? `${e.message} (${type})` : e.message);
  }
  return parts.join(': ');
}
