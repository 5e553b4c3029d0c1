// Figure 4: N onboardings held pending review by one KYC worker process (its RSS read from the process itself),
// then N signed webhooks through the receiver, and how fast the runs close — against N floor runs waiting for
// their signal and N raw signals. Figure 5: one at a time, webhook received → run closed, against a raw signal
// to a waiting floor run.
import { kycStartOptions } from '../client/start-options';
import { signWebhook } from '../common/webhook-signature';
import { kycWorkflow } from '../workflows';
import { floorDecided, floorWorkflow } from './floor-workflow';
import type { WorkerChild } from './protocol';
import { webhookSecret, type Stack } from './stack';
import { mib, percentile, pool, ratio, sleep, waitUntil } from './util';

export interface PendingFigure {
  pending: number;
  /** Runs started and brought to pending_review per second (information: the hold phase). */
  kycHoldPerSecond: number;
  floorHoldPerSecond: number;
  kycDrainPerSecond: number;
  floorDrainPerSecond: number;
  drainRatio: number;
  workerRssMiB: { idle: number; holding: number; peak: number };
  /** V8 heap in use while holding: tells retained memory from garbage the GC has not returned yet. */
  workerHeapUsedMiB: { idle: number; holding: number };
  floorWorkerRssMiB: { idle: number; holding: number; peak: number };
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

/** The partner's signed customer_verified webhook, POSTed to the receiver. */
async function sendWebhook(stack: Stack, customerId: string, reference: string): Promise<void> {
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

/** Starts `n` KYC runs (customers created first) and waits until every one is pending review. */
async function holdKyc(stack: Stack, taskQueue: string, n: number, tag: string) {
  const refs = Array.from({ length: n }, (_, i) => `bench-${tag}-${i}`);
  const customers = await pool(16, refs, async (reference) => ({
    reference,
    id: await stack.rail.createCustomer(reference),
  }));
  const started = performance.now();
  await pool(SEND_CONCURRENCY, customers, ({ id, reference }) =>
    stack.client.workflow.start(
      kycWorkflow,
      kycStartOptions({ customerId: id, customerReference: reference, documents: stack.documents }, taskQueue),
    ),
  );
  await waitUntil(
    `${n} KYC runs pending review`,
    async () =>
      (await stack.client.workflow.count(`TaskQueue = '${taskQueue}' AND KycStatus = 'pending_review'`)).count >= n,
    30 * 60_000,
    250,
  );
  return { customers, seconds: (performance.now() - started) / 1000 };
}

async function holdFloor(stack: Stack, worker: WorkerChild, taskQueue: string, n: number, tag: string) {
  const before = (await worker.call<{ floorSubmitted: number }>({ type: 'counters' })).floorSubmitted;
  const ids = Array.from({ length: n }, (_, i) => `floor-${tag}-${i}`);
  const started = performance.now();
  await pool(SEND_CONCURRENCY, ids, (workflowId) =>
    stack.client.workflow.start(floorWorkflow, { taskQueue, workflowId, args: [{ signalAfterSubmit: false }] }),
  );
  await waitUntil(
    `${n} floor runs waiting`,
    async () => (await worker.call<{ floorSubmitted: number }>({ type: 'counters' })).floorSubmitted - before >= n,
    30 * 60_000,
    250,
  );
  return { ids, seconds: (performance.now() - started) / 1000 };
}

/** Sends every message (bounded concurrency) and returns closed runs per second, from the first send. */
async function drain(stack: Stack, taskQueue: string, n: number, send: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  await pool(
    SEND_CONCURRENCY,
    Array.from({ length: n }, (_, i) => i),
    send,
  );
  await waitUntil(
    `${n} runs closed on ${taskQueue}`,
    async () =>
      (await stack.client.workflow.count(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`)).count >= n,
    30 * 60_000,
    100,
  );
  return n / ((performance.now() - started) / 1000);
}

export async function measurePending(
  stack: Stack,
  n: number,
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
    log(`  holding ${n} KYC onboardings pending review…`);
    const kycHold = await holdKyc(stack, kycQueue, n, tag);
    const kycHolding = await kyc.memory();
    log(`    ${kycHold.seconds.toFixed(1)} s; worker RSS ${mib(kycHolding.rss).toFixed(0)} MiB`);
    log(`  holding ${n} floor runs waiting for their signal…`);
    const floorHold = await holdFloor(stack, floor, floorQueue, n, tag);
    const floorHolding = await floor.memory();
    await sleep(1000);

    log(`  ${n} webhooks → KYC runs…`);
    const kycDrain = await drain(stack, kycQueue, n, (i) =>
      sendWebhook(stack, kycHold.customers[i]!.id, kycHold.customers[i]!.reference),
    );
    const kycPeak = await kyc.memory();
    log(`  ${n} raw signals → floor runs…`);
    const floorDrain = await drain(stack, floorQueue, n, (i) =>
      stack.client.workflow.getHandle(floorHold.ids[i]!).signal(floorDecided, { status: 'verified' }),
    );
    const floorPeak = await floor.memory();
    const toMiB = (idle: number, holding: number, peak: number) => ({
      idle: mib(idle),
      holding: mib(holding),
      peak: mib(peak),
    });
    return {
      pending: n,
      kycHoldPerSecond: n / kycHold.seconds,
      floorHoldPerSecond: n / floorHold.seconds,
      kycDrainPerSecond: kycDrain,
      floorDrainPerSecond: floorDrain,
      drainRatio: ratio(kycDrain, floorDrain),
      workerRssMiB: toMiB(kycIdle.rss, kycHolding.rss, Math.max(kycPeak.peakRss, kycHolding.peakRss)),
      workerHeapUsedMiB: { idle: mib(kycIdle.heapUsed), holding: mib(kycHolding.heapUsed) },
      floorWorkerRssMiB: toMiB(floorIdle.rss, floorHolding.rss, Math.max(floorPeak.peakRss, floorHolding.peakRss)),
    };
  } finally {
    await Promise.all([kyc.stop(), floor.stop()]);
  }
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
    const held = await holdKyc(stack, kycQueue, samples, tag);
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
