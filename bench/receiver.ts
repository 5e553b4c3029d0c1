// Figure 6: the webhook receiver under a real load generator (autocannon, keep-alive connections, every request a
// signed partner delivery), each case beside its baseline at the same concurrency against the same Temporal server:
//   distinct   one customer_verified per pending KYC run through the receiver, against the same signal
//              (customerVerified, the same data) sent straight with the Temporal client to as many other pending
//              runs — the receiver's cost over the signal it sends;
//   duplicates the same signed event again and again for one run that has decided but is still open (its backend
//              refuses the verdict event, so the run waits to deliver it), and for one run that has closed: through a
//              receiver without its memory of recent deliveries (every duplicate a signal; for the closed run a
//              signal and a describe) and through one with it (webhook/recent-deliveries.ts), against raw
//              signals to one open run; with the history events each added.
// The receivers are started here, in this process, on the stack's Temporal client, logging at info into a discard
// stream as in production (a JSON line per delivery); the raw signals go through the same client. Runs are brought to
// pending_review with the fast set-up of bench/pending.ts (holdPendingKyc).
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import type { Client } from '@temporalio/client';
import { signWebhook } from '../common/webhook-signature';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../webhook-receiver/receiver';
import { customerVerified, statusQuery, type KycStage } from '../workflows/messages';
import { holdPendingKyc, type HeldCustomer } from './pending';
import type { Verdict } from './report';
import { webhookSecret, type Stack } from './stack';
import { percentile, pool, ratio, waitUntil } from './util';

/** One load: how fast, how long each answer took, and what the answers were. */
export interface Load {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by status and body, e.g. `200 {"status":"delivered"}` → 100. */
  answers: Record<string, number>;
  /** CPU per request while sending, by part: this process (load generator, receiver, client), server, worker. */
  cpuMsPerRequest?: Cpu;
}

export interface Cpu {
  bench: number;
  server: number;
  worker: number;
}

/** A burst of duplicates for one run, and what it did to that run's history. */
export interface DuplicateLoad extends Load {
  /** History events the burst added (a signal adds its own event and, when the run wakes, a workflow task's three). */
  historyEventsAdded: number;
  /** Signals among them: one billable action each. */
  signalsAdded: number;
}

export interface ReceiverFigure {
  connections: number;
  distinct: { receiver: Load; raw: Load; rateRatio: number; p99Ratio: number };
  duplicates: {
    /** For one run that decided and is still open. */
    decided: { withoutMemory: DuplicateLoad; withMemory: DuplicateLoad; raw: DuplicateLoad };
    /** For one run that completed: nothing is signalled, but without memory each costs a signal and a describe. */
    closed: { withoutMemory: Load; withMemory: Load };
    /** With memory / raw signals to one open run (rates). */
    rateRatio: number;
  };
}

/** The goals for the receiver against raw signals at the same concurrency. */
export const receiverGoals = { rateRatio: 0.8, p99Ratio: 2 } as const;

type Sample = { latencies: number[]; answers: Record<string, number>; ms: number; cpu?: Cpu };

const verifiedData = (c: HeldCustomer) => ({
  object: 'customer' as const,
  id: c.id,
  customer_reference: c.reference,
  status: 'verified' as const,
  verified_at: '2026-11-27T12:00:00Z',
});
const verifiedBody = (c: HeldCustomer) => JSON.stringify({ event: 'customer_verified', data: verifiedData(c) });

/**
 * autocannon against `url`: `bodies[i]` signed as the partner signs, just before it is sent. `atLastAnswer` runs the
 * moment the last answer is in: autocannon itself only notices it is done on its next one-second tick.
 */
async function fire(
  url: string,
  bodies: readonly string[],
  connections: number,
  atLastAnswer?: () => void,
): Promise<Sample> {
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  let lastAnswer = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        connections,
        amount: bodies.length,
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request) => {
              const body = bodies[next++ % bodies.length]!;
              return {
                ...request,
                body,
                headers: { ...request.headers, 'technest-signature': signWebhook(webhookSecret, body) },
              };
            },
            onResponse: (status, body) => {
              const key = `${status} ${body}`;
              answers[key] = (answers[key] ?? 0) + 1;
            },
          },
        ],
      },
      (err: Error | null, done) => (err ? reject(err) : resolve(done)),
    );
    // Every response time, so that both sides' percentiles are computed the same way, from all the samples.
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      lastAnswer = performance.now();
      if (latencies.length === bodies.length) atLastAnswer?.();
    });
  });
  const ms = lastAnswer - started;
  if (result.errors || result.timeouts)
    throw new Error(`autocannon: ${result.errors} errors, ${result.timeouts} timeouts`);
  return { latencies, answers, ms };
}

function load(sample: Sample, requests: number): Load {
  const { cpu } = sample;
  const per = (ms: number) => ms / requests;
  return {
    requests,
    perSecond: requests / (sample.ms / 1000),
    p50Ms: percentile(sample.latencies, 50),
    p99Ms: percentile(sample.latencies, 99),
    answers: sample.answers,
    ...(cpu ? { cpuMsPerRequest: { bench: per(cpu.bench), server: per(cpu.server), worker: per(cpu.worker) } } : {}),
  };
}

/** Rounds of one load as one: the rate over all, the percentiles over all their samples, the CPU summed. */
function merged(parts: Sample[]): Load {
  const total = (key: keyof Cpu) => parts.reduce((t, p) => t + (p.cpu?.[key] ?? NaN), 0);
  return load(
    {
      latencies: parts.flatMap((p) => p.latencies),
      answers: parts.map((p) => p.answers).reduce(sum, {}),
      ms: parts.reduce((t, p) => t + p.ms, 0),
      cpu: { bench: total('bench'), server: total('server'), worker: total('worker') },
    },
    parts.reduce((t, p) => t + p.latencies.length, 0),
  );
}

/** The same signals, straight from the client, at the same concurrency; answers tallied like the receiver's. */
async function rawSignals(
  client: Client,
  targets: readonly HeldCustomer[],
  connections: number,
  atLastAnswer?: () => void,
): Promise<Sample> {
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  const started = performance.now();
  await pool(connections, targets, async (c) => {
    const t0 = performance.now();
    const answer = await client.workflow
      .getHandle(`kyc-${c.id}`)
      .signal(customerVerified, verifiedData(c))
      .then(
        () => 'signalled',
        (err: Error) => err.name,
      );
    latencies.push(performance.now() - t0);
    answers[answer] = (answers[answer] ?? 0) + 1;
  });
  atLastAnswer?.();
  return { latencies, answers, ms: performance.now() - started };
}

/**
 * The backend (KYC_EVENTS_URL) in front of the stack's sink: refuses every event of the customers it is told to (so
 * their runs stay open once decided) and passes the others on, where the bench counts them (holdPendingKyc does).
 */
async function startRefusingSink(stack: Stack, refuse: Set<string>) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const { customerId } = JSON.parse(body.toString() || '{}') as { customerId?: string };
      if (customerId && refuse.has(customerId)) return void res.writeHead(503).end();
      fetch(stack.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
        async (answer) => {
          await answer.arrayBuffer();
          res.writeHead(answer.status).end();
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/kyc-events`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** How many alternating rounds the distinct deliveries are sent in (fewer when a round would not fill the connections). */
const DISTINCT_ROUNDS = 4;

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

export async function measureReceiver(
  stack: Stack,
  options: { requests: number; connections: number },
  log: (line: string) => void,
): Promise<ReceiverFigure> {
  const { requests: n, connections } = options;
  const tag = `r${Date.now().toString(36)}`;
  const queue = `bench-receiver-${tag}`;
  const refused = new Set<string>();
  const sink = await startRefusingSink(stack, refused);
  const worker = await stack.kycWorker(queue, { KYC_EVENTS_URL: sink.url });
  const receivers: RunningWebhookReceiver[] = [];
  const receiver = async (memory: boolean) => {
    const started = await startWebhookReceiver({
      client: stack.client,
      secrets: [webhookSecret],
      port: 0,
      logger: { level: 'info', stream: discard() },
      ...(memory ? {} : { recentDeliveries: false as const }),
    });
    receivers.push(started);
    return started;
  };
  let closedSoFar = 0;
  const settle = async (more: number) => {
    closedSoFar += more;
    await waitUntil(
      `${closedSoFar} runs closed on ${queue}`,
      async () =>
        (await stack.client.workflow.count(`TaskQueue = '${queue}' AND ExecutionStatus = 'Completed'`)).count >=
        closedSoFar,
      10 * 60_000,
      100,
    );
  };
  try {
    log(`  holding ${2 * n + 4} KYC runs pending review…`);
    const { customers } = await holdPendingKyc(stack, queue, 2 * n + 4, tag);
    const viaReceiver = customers.slice(0, n);
    const viaClient = customers.slice(n, 2 * n);
    const [decidedWithout, decidedWith, decidedRaw, closed] = customers.slice(2 * n) as [
      HeldCustomer,
      HeldCustomer,
      HeldCustomer,
      HeldCustomer,
    ];
    const withMemory = await receiver(true);
    const withoutMemory = await receiver(false);

    // Distinct deliveries in rounds ordered receiver, raw, raw, receiver, … so that neither always follows the
    // other; each round starts once the last one's runs have closed, and its CPU is read from its first send to its
    // last answer.
    log(`  distinct: ${n} webhooks vs ${n} raw signals, ${connections} connections…`);
    const cpuNow = (): Cpu => ({
      bench: stack.cpu.bench(),
      server: stack.cpu.server(),
      worker: stack.cpu.worker(worker)(),
    });
    const measured = async (send: (atLastAnswer: () => void) => Promise<Sample>): Promise<Sample> => {
      const before = cpuNow();
      let after = before;
      const sample = await send(() => (after = cpuNow()));
      await settle(sample.latencies.length);
      return {
        ...sample,
        cpu: {
          bench: after.bench - before.bench,
          server: after.server - before.server,
          worker: after.worker - before.worker,
        },
      };
    };
    const rounds = Math.max(2, Math.min(DISTINCT_ROUNDS, Math.floor(n / connections)));
    const receiverRounds: Sample[] = [];
    const rawRounds: Sample[] = [];
    for (let r = 0; r < rounds; r++) {
      const slice = <T>(list: readonly T[]) =>
        list.slice(Math.floor((r * n) / rounds), Math.floor(((r + 1) * n) / rounds));
      const viaHttp = (atLast: () => void) =>
        fire(withMemory.webhookUrl, slice(viaReceiver).map(verifiedBody), connections, atLast);
      const direct = (atLast: () => void) => rawSignals(stack.client, slice(viaClient), connections, atLast);
      for (const way of r % 2 === 0 ? [viaHttp, direct] : [direct, viaHttp]) {
        (way === viaHttp ? receiverRounds : rawRounds).push(await measured(way));
      }
    }
    const receiverLoad = merged(receiverRounds);
    const rawLoad = merged(rawRounds);
    log(
      `    receiver ${show(receiverLoad)}; raw ${show(rawLoad)}; ` +
        `rate ${ratio(receiverLoad.perSecond, rawLoad.perSecond).toFixed(2)} ×, p99 ${ratio(receiverLoad.p99Ms, rawLoad.p99Ms).toFixed(2)} ×`,
    );

    // Duplicates. The decided runs' backend refuses their events, so they stay open once decided.
    for (const c of [decidedWithout, decidedWith, decidedRaw]) refused.add(c.id);
    log(`  duplicates: ${n} of one event for a decided open run (without memory, with, raw) and a closed run…`);
    await pool(4, [decidedWithout, decidedWith, decidedRaw, closed], (c) =>
      stack.client.workflow.getHandle(`kyc-${c.id}`).signal(customerVerified, verifiedData(c)),
    );
    await settle(1);
    await Promise.all([decidedWithout, decidedWith, decidedRaw].map((c) => stageReached(stack, c, 'verified')));
    const burst = async (c: HeldCustomer, send: () => Promise<Sample>) => {
      const before = await historyOf(stack, c);
      const sample = await send();
      const after = await settledHistory(stack, c);
      return {
        ...load(sample, n),
        historyEventsAdded: after.events - before.events,
        signalsAdded: after.signals - before.signals,
      };
    };
    const same = (c: HeldCustomer) => Array<string>(n).fill(verifiedBody(c));
    const decidedWithoutLoad = await burst(decidedWithout, () =>
      fire(withoutMemory.webhookUrl, same(decidedWithout), connections),
    );
    const decidedWithLoad = await burst(decidedWith, () => fire(withMemory.webhookUrl, same(decidedWith), connections));
    const decidedRawLoad = await burst(decidedRaw, () =>
      rawSignals(stack.client, Array<HeldCustomer>(n).fill(decidedRaw), connections),
    );
    const closedWithout = load(await fire(withoutMemory.webhookUrl, same(closed), connections), n);
    const closedWith = load(await fire(withMemory.webhookUrl, same(closed), connections), n);
    for (const [name, l] of [
      ['decided, without memory', decidedWithoutLoad],
      ['decided, with memory', decidedWithLoad],
      ['decided, raw signals', decidedRawLoad],
    ] as const) {
      log(`    ${name}: ${show(l)}; +${l.historyEventsAdded} history events, +${l.signalsAdded} signals`);
    }
    log(`    closed, without memory: ${show(closedWithout)}`);
    log(`    closed, with memory: ${show(closedWith)}`);

    return {
      connections,
      distinct: {
        receiver: receiverLoad,
        raw: rawLoad,
        rateRatio: ratio(receiverLoad.perSecond, rawLoad.perSecond),
        p99Ratio: ratio(receiverLoad.p99Ms, rawLoad.p99Ms),
      },
      duplicates: {
        decided: { withoutMemory: decidedWithoutLoad, withMemory: decidedWithLoad, raw: decidedRawLoad },
        closed: { withoutMemory: closedWithout, withMemory: closedWith },
        rateRatio: ratio(decidedWithLoad.perSecond, decidedRawLoad.perSecond),
      },
    };
  } finally {
    for (const r of receivers) await r.close();
    // The decided runs wait for a backend that refuses them; nothing else would end them.
    const open: string[] = [];
    for await (const run of stack.client.workflow.list({
      query: `TaskQueue = '${queue}' AND ExecutionStatus = 'Running'`,
    }))
      open.push(run.workflowId);
    await pool(8, open, (id) => stack.client.workflow.getHandle(id).terminate('bench done'));
    await worker.stop();
    await sink.close();
  }
}

function sum(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const show = (l: Load) =>
  `${l.perSecond.toFixed(0)}/s, p50 ${l.p50Ms.toFixed(0)} ms, p99 ${l.p99Ms.toFixed(0)} ms, ` +
  Object.entries(l.answers)
    .map(([answer, count]) => `${count} × ${answer}`)
    .join(', ') +
  (l.cpuMsPerRequest
    ? `; CPU ms/request: bench ${l.cpuMsPerRequest.bench.toFixed(1)}, server ${l.cpuMsPerRequest.server.toFixed(1)}, ` +
      `worker ${l.cpuMsPerRequest.worker.toFixed(1)}`
    : '');

async function stageReached(stack: Stack, c: HeldCustomer, stage: KycStage): Promise<void> {
  const handle = stack.client.workflow.getHandle(`kyc-${c.id}`);
  await waitUntil(`kyc-${c.id} at ${stage}`, async () => (await handle.query(statusQuery)).stage === stage, 60_000);
}

async function historyOf(stack: Stack, c: HeldCustomer) {
  const events = (await stack.client.workflow.getHandle(`kyc-${c.id}`).fetchHistory()).events ?? [];
  return { events: events.length, signals: events.filter((e) => e.workflowExecutionSignaledEventAttributes).length };
}

/** The history once the signals' workflow tasks have run: two reads in a row alike, 300 ms apart. */
async function settledHistory(stack: Stack, c: HeldCustomer) {
  let last = await historyOf(stack, c);
  await waitUntil(
    `kyc-${c.id}'s history to settle`,
    async () => {
      const now = await historyOf(stack, c);
      const same = now.events === last.events;
      last = now;
      return same;
    },
    60_000,
    300,
  );
  return last;
}

export function receiverVerdicts(f: ReceiverFigure): Verdict[] {
  const { distinct, duplicates } = f;
  const { decided, closed } = duplicates;
  const rate = (l: Load) => l.perSecond.toFixed(0);
  return [
    {
      figure: `webhook receiver, distinct deliveries/s (${f.connections} connections)`,
      kyc: rate(distinct.receiver),
      baseline: `${rate(distinct.raw)} (raw signals)`,
      ratio: distinct.rateRatio.toFixed(2),
      goal: `≥ ${receiverGoals.rateRatio} × raw`,
      pass: distinct.rateRatio >= receiverGoals.rateRatio,
    },
    {
      figure: `webhook receiver, distinct deliveries p50 / p99 ms`,
      kyc: `${distinct.receiver.p50Ms.toFixed(0)} / ${distinct.receiver.p99Ms.toFixed(0)}`,
      baseline: `${distinct.raw.p50Ms.toFixed(0)} / ${distinct.raw.p99Ms.toFixed(0)} (raw signals)`,
      ratio: `${distinct.p99Ratio.toFixed(2)} (p99)`,
      goal: `p99 ≤ ${receiverGoals.p99Ratio} × raw`,
      pass: distinct.p99Ratio <= receiverGoals.p99Ratio,
    },
    {
      figure: `${decided.withMemory.requests} duplicates of a decided run, signals added`,
      kyc: String(decided.withMemory.signalsAdded),
      baseline: `${decided.withoutMemory.signalsAdded} (no memory); ${decided.raw.signalsAdded} (raw)`,
      ratio: '—',
      goal: `≤ 1 (the first, per replica)`,
      pass: decided.withMemory.signalsAdded <= 1,
    },
    {
      figure: `duplicates of a decided run, deliveries/s`,
      kyc: rate(decided.withMemory),
      baseline: `${rate(decided.raw)} (raw signals to one run); ${rate(decided.withoutMemory)} (no memory)`,
      ratio: duplicates.rateRatio.toFixed(2),
      goal: `≥ 1 × raw`,
      pass: duplicates.rateRatio >= 1,
    },
    {
      figure: `duplicates of a closed run, deliveries/s`,
      kyc: rate(closed.withMemory),
      baseline: `${rate(closed.withoutMemory)} (no memory: signal + describe each)`,
      ratio: ratio(closed.withMemory.perSecond, closed.withoutMemory.perSecond).toFixed(2),
      goal: `≥ 1 × no memory`,
      pass: closed.withMemory.perSecond >= closed.withoutMemory.perSecond,
    },
  ];
}
