// Everything the bench runs against, started by itself on free ports: a Temporal dev server (temp SQLite db),
// the partner sandbox (no latency, reviews held unless a customer's plan says otherwise, webhooks signed to
// the real receiver), the webhook receiver, a backend event sink, sample documents and prebuilt bundles.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../webhook-receiver/receiver';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { Rail } from '../sandbox/control-client';
import { startDevServer, type DevServer } from '../scripts/dev-server';
import { writeSampleDocuments } from '../scripts/sample-documents';
import { freePort } from '../scripts/ports';
import { projectRoot } from '../scripts/toolchain';
import type { KycInput } from '../workflows/input';
import { WorkerChild, type WorkerSpec } from './protocol';

export const webhookSecret = 'whsec_bench_only';

/** The backend's KYC_EVENTS_URL: answers 204 and keeps nothing. */
async function startEventSink() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/kyc-events`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function buildBundle(workflowsPath: string, outFile: string): Promise<string> {
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  writeFileSync(outFile, bundle.code);
  return outFile;
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };

export interface Stack {
  dir: string;
  server: DevServer;
  client: Client;
  sandbox: Sandbox;
  rail: Rail;
  receiver: RunningWebhookReceiver;
  eventsUrl: string;
  documents: KycInput['documents'];
  bundles: { kyc: string; floor: string; naive: string };
  /** A KYC worker process (the product's own wiring) on `taskQueue`, against this stack's sandbox. */
  kycWorker(
    taskQueue: string,
    extraEnv?: Record<string, string>,
    overrides?: WorkerSpec['overrides'],
  ): Promise<WorkerChild>;
  floorWorker(taskQueue: string, overrides?: WorkerSpec['overrides']): Promise<WorkerChild>;
  close(): Promise<void>;
}

export async function startStack(log: (line: string) => void): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'kyc-bench-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  };
  try {
    log('building workflow bundles (kyc, floor, naive)…');
    const bundles = {
      kyc: await buildBundle(join(projectRoot, 'workflows'), join(dir, 'kyc-bundle.js')),
      floor: await buildBundle(join(__dirname, 'floor-workflow.ts'), join(dir, 'floor-bundle.js')),
      naive: await buildBundle(join(__dirname, 'naive-workflow.ts'), join(dir, 'naive-bundle.js')),
    };

    const [port, uiPort] = [await freePort(), await freePort()];
    log(`starting a Temporal dev server on 127.0.0.1:${port} (temp db)…`);
    const server = await startDevServer({
      port,
      uiPort,
      dbFile: join(dir, 'temporal.sqlite'),
      logFile: join(dir, 'temporal.log'),
    });
    cleanups.push(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });

    const receiver = await startWebhookReceiver({ client, secrets: [webhookSecret], port: 0 });
    cleanups.push(() => receiver.close());
    const sink = await startEventSink();
    cleanups.push(() => sink.close());
    // Reviews are held by default; the throughput figure gives its customers an immediate "verify" plan.
    const sandbox = await startSandbox({
      port: 0,
      review: { outcome: 'never' },
      faults: {},
      webhookUrl: receiver.webhookUrl,
      webhookSecret,
    });
    cleanups.push(() => sandbox.close());
    const rail = new Rail(sandbox.url);

    const docsDir = join(dir, 'docs');
    mkdirSync(docsDir, { recursive: true });
    const samples = await writeSampleDocuments(docsDir);
    const documents: KycInput['documents'] = [
      { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
      { category: 'id_document_back', filename: 'passport-back.png', contentType: 'image/png', source: samples.png },
      { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'application/pdf', source: samples.pdf },
    ];

    const children = new Set<WorkerChild>();
    cleanups.push(async () => {
      await Promise.all([...children].map((c) => c.stop()));
    });
    const track = async (child: Promise<WorkerChild>) => {
      const c = await child;
      children.add(c);
      c.process.once('exit', () => children.delete(c));
      return c;
    };

    return {
      dir,
      server,
      client,
      sandbox,
      rail,
      receiver,
      eventsUrl: sink.url,
      documents,
      bundles,
      kycWorker: (taskQueue, extraEnv = {}, overrides) =>
        track(
          WorkerChild.start('kyc', {
            kind: 'kyc',
            address: server.address,
            taskQueue,
            bundlePath: bundles.kyc,
            env: {
              KYC_TASK_QUEUE: taskQueue,
              TECHNEST_API_URL: sandbox.url,
              TECHNEST_API_KEY: rail.apiKey,
              KYC_EVENTS_URL: sink.url,
              KYC_SOURCE_ROOTS: dir,
              KYC_WORKFLOW_BUNDLE: bundles.kyc,
              ...extraEnv,
            },
            ...(overrides ? { overrides } : {}),
          }),
        ),
      floorWorker: (taskQueue, overrides) =>
        track(
          WorkerChild.start('floor', {
            kind: 'floor',
            address: server.address,
            taskQueue,
            bundlePath: bundles.floor,
            env: {},
            ...(overrides ? { overrides } : {}),
          }),
        ),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
