// `npm start`: the whole product on embedded defaults — a Temporal dev server with its Web UI, the partner
// sandbox, the KYC worker and the webhook receiver — then sample onboardings that walk every path, with live
// progress. `--once` exits when they are done (0 if every path held, 1 otherwise); otherwise it keeps
// everything running for inspection until Ctrl-C.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { KycClient } from '../client/kyc-client';
import { startCodecServer } from '../codec-server/server';
import { kycDataConverter } from '../common/data-converter';
import { port as anyPort } from '../common/env';
import { AesGcmPayloadCodec, parsePayloadKeys } from '../common/payload-codec';
import { defaultTaskQueue } from '../common/task-queue';
import { Rail, sandboxApiKey } from '../sandbox/control-client';
import { startSandbox } from '../sandbox/server';
import { startWebhookReceiver } from '../webhook-receiver/receiver';
import { parseWorkerConfig } from '../worker/config';
import { createKycWorker } from '../worker/create-worker';
import { trackInFlight } from './demo/in-flight';
import { demoPaths, type PathOutcome } from './demo/onboardings';
import { Progress } from './demo/progress';
import { startDevServer } from './dev-server';
import { writeSampleDocuments } from './sample-documents';
import { projectRoot } from './toolchain';

// Ports the demo must own: fixed numbers, never 0 (any), since it prints where everything listens.
const port = anyPort.min(1, 'must be a port number');
const envSchema = z.object({
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  SANDBOX_PORT: port.default(4010),
  WEBHOOK_PORT: port.default(3000),
  KYC_CODEC_PORT: port.default(8234),
  /** Unset → the fixed demo key below. */
  KYC_PAYLOAD_KEYS: z.string().optional(),
  KYC_TASK_QUEUE: z.string().min(1).default(defaultTaskQueue),
  /** The dev server's SQLite file; defaults to .data/temporal.sqlite. */
  TEMPORAL_DB_FILE: z.string().min(1).optional(),
});

/** Everything started so far, stopped in reverse order on exit, on Ctrl-C and on any failure. */
const started: Array<() => Promise<unknown>> = [];
async function stopAll(): Promise<void> {
  for (const stop of started.splice(0).reverse()) await stop().catch(() => undefined);
}

/** The demo's webhook secret: fine for a sandbox on loopback, never for a real partner. */
const demoWebhookSecret = 'whsec_demo_only';

/**
 * The demo's payload key: fixed (so runs kept in .data/ stay readable across restarts) and published, so it protects
 * nothing — it only shows encryption at work. `npm run kyc` against the demo needs it: export KYC_PAYLOAD_KEYS=….
 */
const demoPayloadKeys = 'demo:1qnTIuLWCl21Z0DSnk9HDtq+PW1WDuyuIh6ZOy15pxY=';

/** Refuses to start anything when a port we must own is taken (Temporal's may be reused). */
async function assertPortFree(variable: string, value: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => reject(portError(err, variable, value)));
    probe.listen(value, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function portError(err: NodeJS.ErrnoException, variable: string, value: number): Error {
  if (err.code === 'EADDRINUSE') {
    return new Error(`port ${value} is already in use: stop what is using it, or set ${variable} to a free port`);
  }
  return err;
}

async function main(): Promise<number> {
  const once = process.argv.includes('--once');
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('\n'));
  }
  const env = parsed.data;
  // The demo prints its own progress; the SDK's logs would drown it (errors still show).
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  await assertPortFree('SANDBOX_PORT', env.SANDBOX_PORT);
  await assertPortFree('WEBHOOK_PORT', env.WEBHOOK_PORT);
  await assertPortFree('KYC_CODEC_PORT', env.KYC_CODEC_PORT);
  console.log('Starting the KYC worker on embedded defaults…');
  const payloadKeys = parsePayloadKeys(env.KYC_PAYLOAD_KEYS ?? demoPayloadKeys);
  const dataConverter = kycDataConverter(payloadKeys);
  // The Web UI decodes the encrypted payloads through this codec server. The dev server's UI has no login, so it
  // cannot send a bearer token: the demo's codec server runs without one, on loopback only (npm run codec-server
  // always requires KYC_CODEC_SERVER_TOKEN).
  const codecServer = await startCodecServer({
    codec: new AesGcmPayloadCodec(payloadKeys),
    token: undefined,
    corsOrigin: `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`,
    port: env.KYC_CODEC_PORT,
    host: '127.0.0.1',
  });
  started.push(() => codecServer.close());
  const temporal = await startDevServer({
    port: env.TEMPORAL_PORT,
    uiPort: env.TEMPORAL_UI_PORT,
    dbFile: env.TEMPORAL_DB_FILE,
    uiCodecEndpoint: codecServer.url,
  });
  started.push(() => temporal.stop());
  const receiverUrl = `http://127.0.0.1:${env.WEBHOOK_PORT}/webhooks/technest`;
  const sandbox = await startSandbox({
    port: env.SANDBOX_PORT,
    webhookUrl: receiverUrl,
    webhookSecret: demoWebhookSecret,
  }).catch((err: NodeJS.ErrnoException) => {
    throw portError(err, 'SANDBOX_PORT', env.SANDBOX_PORT);
  });
  started.push(() => sandbox.close());

  const connection = await Connection.connect({ address: temporal.address });
  started.push(() => connection.close());
  const client = new Client({ connection, dataConverter });
  const receiver = await startWebhookReceiver({
    client,
    secrets: [demoWebhookSecret],
    port: env.WEBHOOK_PORT,
    host: '127.0.0.1',
  }).catch((err: NodeJS.ErrnoException) => {
    throw portError(err, 'WEBHOOK_PORT', env.WEBHOOK_PORT);
  });
  started.push(() => receiver.close());

  const documentsDir = join(projectRoot, '.data', 'demo-documents');
  mkdirSync(documentsDir, { recursive: true });
  const samples = await writeSampleDocuments(documentsDir);

  const workerConnection = await NativeConnection.connect({ address: temporal.address });
  started.push(() => workerConnection.close());
  const worker = await createKycWorker({
    connection: workerConnection,
    namespace: 'default',
    config: parseWorkerConfig({
      KYC_TASK_QUEUE: env.KYC_TASK_QUEUE,
      TECHNEST_API_URL: sandbox.url,
      TECHNEST_API_KEY: sandboxApiKey,
      KYC_SOURCE_ROOTS: documentsDir,
      // The demo's reviews take seconds, so its runs poll every few seconds (production keeps the 1 min floor).
      KYC_MIN_POLL_INTERVAL: '1s',
    }),
    dataConverter,
    overrides: { shutdownGraceTime: '5s' },
  });
  const workerRun = worker.run();
  started.push(async () => {
    worker.shutdown();
    await workerRun;
  });

  console.log(`
  Temporal      ${temporal.address}${temporal.reused ? ' (already running, reused)' : ''}
  Web UI        ${temporal.uiUrl}/namespaces/default/workflows
  sandbox       ${sandbox.url}  (the Technest rail simulator; inspect: ${sandbox.url}/_sandbox/customers)
  webhooks      ${receiver.url}/webhooks/technest  (WEBHOOK_SECRET=${demoWebhookSecret})
  worker        task queue "${env.KYC_TASK_QUEUE}", documents readable under ${documentsDir}
  payloads      encrypted with key "${payloadKeys[0]!.id}"; the Web UI decodes them via ${codecServer.url}${temporal.reused ? ' (set it in the UI: the reused server was started without it)' : ''}
                for the CLI: export KYC_PAYLOAD_KEYS=${env.KYC_PAYLOAD_KEYS ? '<your KYC_PAYLOAD_KEYS>' : demoPayloadKeys}
`);

  const calls = trackInFlight(new KycClient(client, { taskQueue: env.KYC_TASK_QUEUE }));
  const kyc = calls.target;
  const progress = new Progress(kyc);
  const runTag = Date.now().toString(36);
  const outcomes = await Promise.all(
    demoPaths.map(async (path) => {
      try {
        return {
          path,
          outcome: await path.run({
            kyc,
            rail: new Rail(sandbox.url),
            runTag,
            track: (label, customerId) => progress.track(label, customerId),
            documents: [
              { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
              {
                category: 'id_document_back',
                filename: 'passport-back.png',
                contentType: 'image/png',
                source: samples.png,
              },
              {
                category: 'proof_of_address',
                filename: 'utility-bill.pdf',
                contentType: 'application/pdf',
                source: samples.pdf,
              },
            ],
          }),
        };
      } catch (err) {
        return { path, error: err as Error };
      }
    }),
  );
  await progress.stop();
  // Every path and the progress display have settled their calls by now; one still running would outlive the
  // connection closed below and crash later from the SDK's retry timer, so it fails the run here, by name.
  const leaked = calls.pending();
  if (leaked.length > 0) console.error(`npm start: Temporal calls still in flight at shutdown: ${leaked.join(', ')}`);

  console.log('\nEvery sample path:');
  let allHeld = true;
  for (const { path, outcome, error } of outcomes as Array<{
    path: (typeof demoPaths)[number];
    outcome?: PathOutcome;
    error?: Error;
  }>) {
    const held = !!outcome && outcome.checks.every((c) => c.ok);
    allHeld &&= held;
    const detail = error
      ? `failed: ${error.message}`
      : outcome!.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.what}`).join(', ');
    console.log(`  ${held ? 'ok  ' : 'FAIL'} ${path.name.padEnd(36)} ${detail}`);
  }
  allHeld &&= leaked.length === 0;
  console.log(
    `\nFind the runs in the Web UI: ${temporal.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`CustomerReference STARTS_WITH "demo-${runTag}"`)}`,
  );

  if (once) {
    await stopAll();
    return allHeld ? 0 : 1;
  }
  console.log(
    'Everything keeps running for inspection; drive a fresh onboarding with `npm run kyc -- --help`. Ctrl-C stops.',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stopAll();
  return allHeld ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: Error) => {
    console.error(`npm start: ${err.message}`);
    await stopAll();
    process.exit(1);
  },
);
