// Figure 4: waiting costs nothing. One KYC worker process holds ever more runs pending review (checkpoints, e.g.
// 1,000 → 5,000 → 20,000), its RSS read at each from the process itself, beside a floor worker holding as many floor
// runs waiting for their signal; then every KYC run is closed by a signed webhook through the receiver, against
// raw signals to the floor runs. Figure 5: one at a time, webhook received → run closed, against a raw signal to a
// waiting floor run.
//
// The fast, honest set-up: the sandbox creates the customers already submitted (POST /_sandbox/customers/submitted)
// and each KYC run is started the way `kyc resume` starts one — it parses its input (prepareRun), reads the customer
// from the partner, finds it pending and waits, with the same wait loop, poll timers and escalation timer as a run
// that uploaded its documents (workflows/kyc-workflow.ts, resumeFromPartner). Only the uploads are skipped: figure 1
// measures those. Waiting runs with the product defaults poll first 15 min after their submission, so a set-up
// shorter than that measures runs that wait, not runs that poll.
import { kycStartOptions } from '../client/start-options';
import { signWebhook } from '../common/webhook-signature';
import { kycWorkflow } from '../workflows';
import type { KycResume } from '../workflows/messages';
import { floorDecided, floorWorkflow } from './floor-workflow';
import type { MemorySample, WorkerChild } from './protocol';
import { goals, type Verdict } from './report';
import { webhookSecret, type Stack } from './stack';
import { mib, percentile, pool, ratio, sleep, waitUntil } from './util';

export interface PendingCheckpoint {
  pending: number;
  kycRssMiB: number;
  floorRssMiB: number;
  /** KYC worker RSS / floor worker RSS, both holding `pending` runs. */
  ratio: number;
}

export interface PendingFigure {
  checkpoints: PendingCheckpoint[];
  /** KYC worker RSS at the last checkpoint / at the first, minus one (0.05 = 5 % more). */
  kycRssChange: number;
  kycHoldPerSecond: number;
  floorHoldPerSecond: number;
  kycDrainPerSecond: number;
  floorDrainPerSecond: number;
  drainRatio: number;
  workerRssMiB: { idle: number; peak: number };
  floorWorkerRssMiB: { idle: number; peak: number };
}

export interface LatencyFigure {
  samples: number;
  kycP50Ms: number;
  kycP99Ms: number;
  rawP50Ms: number;
  rawP99Ms: number;
  p50Ratio: number;
}

const SEND_CONCURRENCY = 32;
/** The sandbox takes this many submitted customers per request. */
const SEED_BATCH = 1000;
const HOLD_TIMEOUT_MS = 60 * 60_000;
/** Runs in set-up at once: half the worker's default cache. */
const HOLD_WAVE = 50;

/** The partner's signed customer_verified webhook, POSTed to the receiver. */
export async function sendWebhook(stack: Stack, customerId: string, reference: string): Promise<void> {
  const body = JSON.stringify({
    event: 'customer_verified',
    data: {
      object: 'customer',
      id: customerId,
      customer_reference: reference,
      status: 'verified',
      verified_at: new Date().toISOString(),
    },
  });
  const res = await fetch(stack.receiver.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'technest-signature': signWebhook(webhookSecret, body) },
    body,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`webhook for ${customerId} answered ${res.status}`);
}

export interface HeldCustomer {
  id: string;
  reference: string;
}

/**
 * Brings `count` more real kycWorkflow runs on `taskQueue` to pending_review (the fast set-up above), after the
 * `already` runs held before; returns the new customers and the seconds it took.
 */
export async function holdPendingKyc(stack: Stack, taskQueue: string, count: number, tag: string, already = 0) {
  const references = Array.from({ length: count }, (_, i) => `bench-${tag}-${already + i}`);
  const started = performance.now();
  const customers: HeldCustomer[] = [];
  for (let i = 0; i < references.length; i += SEED_BATCH) {
    const seeded = await stack.rail.createSubmittedCustomers(references.slice(i, i + SEED_BATCH));
    customers.push(...seeded.map((c) => ({ id: c.id, reference: c.customer_reference })));
  }
  const resume: KycResume = { resume: 'from-partner' };
  // In waves: a burst of thousands of runs in set-up at once would evict one another from the worker's small
  // cache between their few workflow tasks, and the set-up would measure replays instead of waiting runs.
  for (let i = 0; i < customers.length; i += HOLD_WAVE) {
    const wave = customers.slice(i, i + HOLD_WAVE);
    await pool(SEND_CONCURRENCY, wave, ({ id, reference }) => {
      const input = { customerId: id, customerReference: reference, documents: stack.documents };
      return stack.client.workflow.start(kycWorkflow, { ...kycStartOptions(input, taskQueue), args: [input, resume] });
    });
    // A run reaching pending review sends kyc.submitted to our backend (the bench's sink counts them).
    const target = already + i + wave.length;
    await waitUntil(
      `${target} KYC runs pending review`,
      async () => stack.eventCount('kyc.submitted', `bench-${tag}`) >= target,
      HOLD_TIMEOUT_MS,
      20,
    );
  }
  return { customers, seconds: (performance.now() - started) / 1000 };
}

/** Starts `count` more floor runs and waits until each waits for its signal. */
async function holdFloor(
  stack: Stack,
  worker: WorkerChild,
  taskQueue: string,
  count: number,
  tag: string,
  already = 0,
) {
  const before = (await worker.call<{ floorSubmitted: number }>({ type: 'counters' })).floorSubmitted;
  const ids = Array.from({ length: count }, (_, i) => `floor-${tag}-${already + i}`);
  const started = performance.now();
  await pool(SEND_CONCURRENCY, ids, (workflowId) =>
    stack.client.workflow.start(floorWorkflow, { taskQueue, workflowId, args: [{ signalAfterSubmit: false }] }),
  );
  await waitUntil(
    `${already + count} floor runs waiting`,
    async () => (await worker.call<{ floorSubmitted: number }>({ type: 'counters' })).floorSubmitted - before >= count,
    HOLD_TIMEOUT_MS,
    250,
  );
  return { ids, seconds: (performance.now() - started) / 1000 };
}

/**
 * Sends every message (bounded concurrency) and returns closed runs per second, from the first send to the moment
 * `closed()` reaches `n` (checked cheaply, without visibility).
 */
async function drain(n: number, send: (i: number) => Promise<void>, closed: () => Promise<number>): Promise<number> {
  const started = performance.now();
  await pool(
    SEND_CONCURRENCY,
    Array.from({ length: n }, (_, i) => i),
    send,
  );
  await waitUntil(`${n} runs closed`, async () => (await closed()) >= n, HOLD_TIMEOUT_MS, 20);
  return n / ((performance.now() - started) / 1000);
}

/** RSS once the worker has gone quiet after a hold: the last of the set-up's workflow tasks and GC have run. */
async function settledRss(worker: WorkerChild): Promise<MemorySample> {
  await sleep(3000);
  return worker.memory();
}

/**
 * @param checkpoints ascending numbers of pending runs at which both workers' RSS is read; the drain closes the
 *   last checkpoint's runs.
 */
export async function measurePending(
  stack: Stack,
  checkpoints: number[],
  log: (line: string) => void,
  maxCachedWorkflows?: number,
): Promise<PendingFigure> {
  const overrides = maxCachedWorkflows === undefined ? undefined : { maxCachedWorkflows };
  const tag = `p${Date.now().toString(36)}`;
  const kycQueue = `bench-kyc-${tag}`;
  const floorQueue = `bench-floor-${tag}`;
  const [kyc, floor] = await Promise.all([
    stack.kycWorker(kycQueue, {}, overrides),
    stack.floorWorker(floorQueue, overrides),
  ]);
  try {
    await sleep(500);
    const kycIdle = await kyc.memory(true);
    const floorIdle = await floor.memory(true);
    const customers: HeldCustomer[] = [];
    const floorIds: string[] = [];
    let kycSeconds = 0;
    let floorSeconds = 0;
    const measured: PendingCheckpoint[] = [];
    for (const target of checkpoints) {
      const held = customers.length;
      log(`  ${target} KYC runs pending review…`);
      const k = await holdPendingKyc(stack, kycQueue, target - held, tag, held);
      customers.push(...k.customers);
      kycSeconds += k.seconds;
      const kycRss = mib((await settledRss(kyc)).rss);
      log(`  ${target} floor runs waiting…`);
      const f = await holdFloor(stack, floor, floorQueue, target - held, tag, held);
      floorIds.push(...f.ids);
      floorSeconds += f.seconds;
      const floorRss = mib((await settledRss(floor)).rss);
      measured.push({ pending: target, kycRssMiB: kycRss, floorRssMiB: floorRss, ratio: ratio(kycRss, floorRss) });
      log(
        `    KYC worker ${kycRss.toFixed(0)} MiB, floor worker ${floorRss.toFixed(0)} MiB ` +
          `(set-up ${k.seconds.toFixed(0)} s / ${f.seconds.toFixed(0)} s)`,
      );
    }

    const n = customers.length;
    log(`  ${n} webhooks → KYC runs…`);
    // A run closes right after our backend acknowledged its kyc.verified: counted at the sink, then confirmed once.
    const kycDrain = await drain(
      n,
      (i) => sendWebhook(stack, customers[i]!.id, customers[i]!.reference),
      async () => stack.eventCount('kyc.verified', `bench-${tag}`),
    );
    await waitUntil(
      `${n} KYC runs completed`,
      async () =>
        (await stack.client.workflow.count(`TaskQueue = '${kycQueue}' AND ExecutionStatus = 'Completed'`)).count >= n,
      HOLD_TIMEOUT_MS,
      1000,
    );
    const kycPeak = await kyc.memory();
    log(`  ${n} raw signals → floor runs…`);
    const floorClosedBefore = (await floor.call<{ floorClosed: number }>({ type: 'counters' })).floorClosed;
    const floorDrain = await drain(
      n,
      (i) => stack.client.workflow.getHandle(floorIds[i]!).signal(floorDecided, { status: 'verified' }),
      async () => (await floor.call<{ floorClosed: number }>({ type: 'counters' })).floorClosed - floorClosedBefore,
    );
    const floorPeak = await floor.memory();
    const first = measured[0]!;
    const last = measured[measured.length - 1]!;
    return {
      checkpoints: measured,
      kycRssChange: last.kycRssMiB / first.kycRssMiB - 1,
      kycHoldPerSecond: n / kycSeconds,
      floorHoldPerSecond: n / floorSeconds,
      kycDrainPerSecond: kycDrain,
      floorDrainPerSecond: floorDrain,
      drainRatio: ratio(kycDrain, floorDrain),
      workerRssMiB: { idle: mib(kycIdle.rss), peak: mib(kycPeak.peakRss) },
      floorWorkerRssMiB: { idle: mib(floorIdle.rss), peak: mib(floorPeak.peakRss) },
    };
  } finally {
    await Promise.all([kyc.stop(), floor.stop()]);
  }
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function pendingVerdicts(p: PendingFigure): Verdict[] {
  const first = p.checkpoints[0]!;
  const last = p.checkpoints[p.checkpoints.length - 1]!;
  return [
    ...p.checkpoints.map((c) => ({
      figure: `worker RSS holding ${c.pending} pending, MiB`,
      kyc: fmt(c.kycRssMiB, 0),
      baseline: `${fmt(c.floorRssMiB, 0)} (floor worker)`,
      ratio: fmt(c.ratio),
      goal: `≤ ${goals.pendingRssRatio} × floor`,
      pass: c.ratio <= goals.pendingRssRatio,
    })),
    ...(p.checkpoints.length > 1
      ? [
          {
            figure: `worker RSS from ${first.pending} to ${last.pending} pending`,
            kyc: `${fmt(first.kycRssMiB, 0)} → ${fmt(last.kycRssMiB, 0)}`,
            baseline: `${fmt(first.floorRssMiB, 0)} → ${fmt(last.floorRssMiB, 0)} (floor worker)`,
            ratio: `${p.kycRssChange >= 0 ? '+' : ''}${fmt(p.kycRssChange * 100, 1)} %`,
            goal: `within ±${goals.pendingRssFlat * 100} %`,
            pass: Math.abs(p.kycRssChange) <= goals.pendingRssFlat,
          },
        ]
      : []),
    {
      figure: `drain of ${last.pending} webhooks, runs closed/s`,
      kyc: fmt(p.kycDrainPerSecond, 1),
      baseline: `${fmt(p.floorDrainPerSecond, 1)} (floor, raw signals)`,
      ratio: fmt(p.drainRatio),
      goal: `≥ ${goals.drainRatio} × floor`,
      pass: p.drainRatio >= goals.drainRatio,
    },
  ];
}

export async function measureLatency(
  stack: Stack,
  samples: number,
  log: (line: string) => void,
): Promise<LatencyFigure> {
  const tag = `l${Date.now().toString(36)}`;
  const kycQueue = `bench-kyc-${tag}`;
  const floorQueue = `bench-floor-${tag}`;
  const [kyc, floor] = await Promise.all([stack.kycWorker(kycQueue), stack.floorWorker(floorQueue)]);
  try {
    log(`  ${samples} KYC and ${samples} floor runs waiting…`);
    const held = await holdPendingKyc(stack, kycQueue, samples, tag);
    const floors = await holdFloor(stack, floor, floorQueue, samples, tag);
    await sleep(1000);
    const kycMs: number[] = [];
    const rawMs: number[] = [];
    // One at a time, alternating, so both see the same machine.
    for (let i = 0; i < samples; i++) {
      const { id, reference } = held.customers[i]!;
      let t0 = performance.now();
      await sendWebhook(stack, id, reference);
      await stack.client.workflow.getHandle(`kyc-${id}`).result();
      kycMs.push(performance.now() - t0);

      const handle = stack.client.workflow.getHandle(floors.ids[i]!);
      t0 = performance.now();
      await handle.signal(floorDecided, { status: 'verified' });
      await handle.result();
      rawMs.push(performance.now() - t0);
    }
    const figure = {
      samples,
      kycP50Ms: percentile(kycMs, 50),
      kycP99Ms: percentile(kycMs, 99),
      rawP50Ms: percentile(rawMs, 50),
      rawP99Ms: percentile(rawMs, 99),
      p50Ratio: NaN,
    };
    figure.p50Ratio = ratio(figure.kycP50Ms, figure.rawP50Ms);
    return figure;
  } finally {
    await Promise.all([kyc.stop(), floor.stop()]);
  }
}
