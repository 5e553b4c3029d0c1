// A worker in its own process, driven by the bench over IPC, so its memory is measured alone (the harness's
// handles, clients and sandbox do not count). `kyc`: the product worker exactly as `npm run worker` builds it
// (createKycWorker + parseWorkerConfig). `floor`: the floor workflow with no-op activities, same options.
// It also runs the upload activity's PUT on request, inside an activity context, for the upload figure.
import { readFileSync } from 'node:fs';
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createUploadSteps, type UploadedDocument } from '../activities';
import { parseWorkerConfig } from '../worker/config';
import { createKycWorker, defaultMaxCachedWorkflows } from '../worker/create-worker';
import { floorDecided, type FloorActivities } from './floor-workflow';
import type { ChildReply, ChildRequest, MemorySample, WorkerSpec } from './protocol';

Runtime.install({ logger: new DefaultLogger('ERROR') });

let worker: Worker | undefined;
let running: Promise<void> | undefined;
let connection: NativeConnection | undefined;
let signalConnection: Connection | undefined;

const counters = { floorClosed: 0 };

// Peak RSS since the last `memory` request with reset: every 100 ms, and every 20 ms during a PUT (often enough
// to catch an upload's buffers). A sample costs about 0.13 ms of CPU (profiled): at 20 ms all the time, 0.7 % of a core
// per worker process, taken from the figures that measure throughput.
let peakRss = process.memoryUsage.rss();
const samplePeak = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};
setInterval(samplePeak, 100).unref();

function memory(): MemorySample {
  const rss = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, rss);
  const status = readFileSync('/proc/self/status', 'utf8');
  const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rss, peakRss, hwm: hwmKb * 1024, heapUsed: process.memoryUsage().heapUsed };
}

function floorActivities(client: Client): FloorActivities {
  const noop = async () => undefined;
  return {
    floorCheck: noop,
    floorUpload: noop,
    floorAttach: noop,
    async floorEvent(type) {
      if (type !== 'submitted') counters.floorClosed++;
    },
    async floorSubmit(signalSelf) {
      if (!signalSelf) return;
      // The "webhook": the decision arrives right after submit, from outside the run.
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
      setImmediate(
        () =>
          void client.workflow
            .getHandle(workflowId)
            .signal(floorDecided, { status: 'verified' })
            .catch(() => undefined),
      );
    },
  };
}

async function start(spec: WorkerSpec): Promise<void> {
  connection = await NativeConnection.connect({ address: spec.address });
  const overrides: Partial<WorkerOptions> = { shutdownGraceTime: '1s', ...spec.overrides };
  if (spec.kind === 'kyc') {
    const config = parseWorkerConfig(spec.env);
    worker = await createKycWorker({ connection, namespace: 'default', config, overrides });
  } else {
    signalConnection = await Connection.connect({ address: spec.address });
    worker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue: spec.taskQueue,
      workflowBundle: { codePath: spec.bundlePath },
      activities: floorActivities(new Client({ connection: signalConnection })),
      // The KYC worker's cache, so that both hold as many runs in memory (the SDK's own default grows with the
      // heap limit: thousands of runs, which figure 4's floor would then keep while the KYC worker keeps 100).
      maxCachedWorkflows: defaultMaxCachedWorkflows,
      ...overrides,
    });
  }
  running = worker.run();
  running.catch((err: unknown) => {
    console.error(`bench ${spec.kind} worker stopped:`, err);
    process.exit(1);
  });
}

/** The upload activity's PUT (createUploadSteps().putDocument), timed and with the memory it took. */
async function put(req: Extract<ChildRequest, { type: 'put' }>) {
  const steps = createUploadSteps({
    partnerUrl: req.partnerUrl,
    partnerApiKey: 'unused-for-put',
    maxFileBytes: req.maxFileBytes,
  });
  const before = memory();
  peakRss = before.rss;
  const fine = setInterval(samplePeak, 20);
  const started = performance.now();
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 60_000 });
  let uploaded: UploadedDocument;
  try {
    uploaded = await env.run(() => steps.putDocument({ source: req.source, intent: req.intent }));
  } finally {
    clearInterval(fine);
  }
  const ms = performance.now() - started;
  const after = memory();
  return { ms, bytes: uploaded.bytes, sha256: uploaded.sha256, rssBefore: before.rss, rssPeak: after.peakRss };
}

async function handle(req: ChildRequest): Promise<unknown> {
  switch (req.type) {
    case 'start':
      return start(req.spec);
    case 'memory': {
      if (req.collect) globalThis.gc?.({ type: 'major', execution: 'sync' } as never);
      const sample = memory();
      if (req.resetPeak) peakRss = sample.rss;
      return sample;
    }
    case 'put':
      return put(req);
    case 'counters':
      return { ...counters };
    case 'stop':
      worker?.shutdown();
      await running?.catch(() => undefined);
      await connection?.close();
      await signalConnection?.close();
      setImmediate(() => process.exit(0));
      return undefined;
  }
}

process.on('message', (message: { id: number; req: ChildRequest }) => {
  handle(message.req).then(
    (value) => process.send!({ id: message.id, ok: true, value } satisfies ChildReply),
    (err: unknown) =>
      process.send!({
        id: message.id,
        ok: false,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      } satisfies ChildReply),
  );
});
process.on('disconnect', () => process.exit(0));
