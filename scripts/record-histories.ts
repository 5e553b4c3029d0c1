// `npm run record-histories`: runs kycWorkflow down every path on the time-skipping server, against the in-process
// partner sandbox, and writes each run's history to test/histories/<release>/<path>.json (the release is
// package.json's version). test/replay.test.ts replays every release's histories against the current workflow code,
// so a change that would break runs already in flight fails a test first (docs/operations.md, "Changing the
// workflow safely").
// Recorded WITHOUT the payload codec: the files stay readable JSON and do not depend on any key.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { kycStartOptions } from '../client/start-options';
import { Rail } from '../sandbox/control-client';
import { startSandbox } from '../sandbox/server';
import { parseWorkerConfig } from '../worker/config';
import { createKycWorker } from '../worker/create-worker';
import { kycWorkflow } from '../workflows';
import type { KycInput } from '../workflows/input';
import { customerRejected, customerVerified, statusQuery, type KycStage } from '../workflows/messages';
import { ensureSearchAttributes } from './dev-server';
import { historyToJson } from './history-json';
import { writeSampleDocuments } from './sample-documents';
import { findTestServer, projectRoot, sdkExecutable } from './toolchain';

export const historiesDir = join(projectRoot, 'test', 'histories');
/** This release's histories; earlier releases' folders stay as they were recorded. */
const releaseDir = join(
  historiesDir,
  (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version,
);

type Handle = WorkflowHandle<typeof kycWorkflow>;

async function waitForStage(handle: Handle, stage: KycStage, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if ((await handle.query(statusQuery)).stage === stage) return;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} did not reach ${stage} in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: sdkExecutable(findTestServer()) },
  });
  const sandbox = await startSandbox({ review: { outcome: 'never' } });
  const rail = new Rail(sandbox.url);
  const docsDir = mkdtempSync(join(tmpdir(), 'kyc-record-'));
  const samples = await writeSampleDocuments(docsDir);
  const documents: KycInput['documents'] = [
    { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
    { category: 'id_document_back', filename: 'passport-back.png', contentType: 'image/png', source: samples.png },
    { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'application/pdf', source: samples.pdf },
  ];
  const taskQueue = 'kyc-record-histories';
  try {
    await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
    const worker = await createKycWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      config: parseWorkerConfig({
        KYC_TASK_QUEUE: taskQueue,
        TECHNEST_API_URL: sandbox.url,
        TECHNEST_API_KEY: rail.apiKey,
        KYC_SOURCE_ROOTS: docsDir,
      }),
      overrides: { shutdownGraceTime: '1s' },
    });
    const client = env.client;
    const start = async (
      reference: string,
      input: Partial<KycInput> = {},
      prepare?: (customerId: string) => Promise<unknown>,
    ) => {
      const customerId = await rail.createCustomer(reference);
      await prepare?.(customerId);
      const handle = await client.workflow.start(
        kycWorkflow,
        kycStartOptions({ customerId, customerReference: reference, documents, ...input }, taskQueue),
      );
      return { customerId, handle };
    };
    const verified = (id: string) =>
      ({
        object: 'customer',
        id,
        customer_reference: 'replay',
        status: 'verified',
        verified_at: '2026-05-05T12:00:00Z',
      }) as const;

    // One per path a customer can take; each returns the handle once the run is closed.
    const paths: Record<string, () => Promise<Handle>> = {
      'webhook-verified': async () => {
        const { customerId, handle } = await start('replay-webhook');
        await waitForStage(handle, 'pending_review');
        await env.sleep('1h');
        await handle.signal(customerVerified, verified(customerId));
        await handle.result();
        return handle;
      },
      'polling-verified': async () => {
        const { customerId, handle } = await start('replay-polling');
        await waitForStage(handle, 'pending_review');
        await env.sleep('20h');
        await rail.decide(customerId, 'verify');
        await handle.result();
        return handle;
      },
      rejected: async () => {
        const { customerId, handle } = await start('replay-rejected');
        await waitForStage(handle, 'pending_review');
        await rail.decide(customerId, 'reject', 'ID document unreadable');
        await handle.signal(customerRejected, {
          object: 'customer',
          id: customerId,
          customer_reference: 'replay-rejected',
          status: 'rejected',
          rejected_at: '2026-05-05T12:00:00Z',
          rejection_reason: 'ID document unreadable',
        });
        await handle.result();
        return handle;
      },
      'escalated-then-verified': async () => {
        const { customerId, handle } = await start('replay-escalated');
        await waitForStage(handle, 'pending_review');
        await env.sleep('30h');
        await handle.signal(customerVerified, verified(customerId));
        await handle.result();
        return handle;
      },
      'expired-url-refreshed': async () => {
        const { customerId, handle } = await start('replay-expired-url', {}, (id) =>
          rail.faults(id, { expireUploads: 2 }),
        );
        await waitForStage(handle, 'pending_review');
        await handle.signal(customerVerified, verified(customerId));
        await handle.result();
        return handle;
      },
      'malformed-signals-then-verified': async () => {
        const { customerId, handle } = await start('replay-malformed');
        await waitForStage(handle, 'pending_review');
        const raw = client.workflow.getHandle(handle.workflowId);
        await raw.signal('customerVerified');
        await raw.signal('customerRejected', { id: customerId });
        await handle.signal(customerVerified, verified(customerId));
        await handle.result();
        return handle;
      },
      'resumed-after-terminate': async () => {
        const { customerId, handle } = await start('replay-resumed');
        await waitForStage(handle, 'pending_review');
        await handle.terminate('recording a resume');
        const input = { customerId, customerReference: 'replay-resumed', documents };
        const resumed = await client.workflow.start(kycWorkflow, {
          ...kycStartOptions(input, taskQueue),
          args: [input, { resume: 'from-partner' }],
        });
        await waitForStage(resumed, 'pending_review');
        await resumed.signal(customerVerified, verified(customerId));
        await resumed.result();
        return resumed;
      },
      'invalid-input': async () => {
        const { handle } = await start('replay-invalid', {
          documents: [{ ...documents[0]!, source: join(docsDir, 'missing.jpg') }],
        });
        await handle.result().then(
          () => {
            throw new Error('invalid-input: the run was expected to fail with InvalidKycInput');
          },
          () => undefined,
        );
        return handle;
      },
    };

    mkdirSync(releaseDir, { recursive: true });
    await worker.runUntil(async () => {
      for (const [name, run] of Object.entries(paths)) {
        const handle = await run();
        const history = await handle.fetchHistory();
        const file = join(releaseDir, `${name}.json`);
        writeFileSync(file, `${historyToJson(history)}\n`);
        console.log(`${name.padEnd(24)} ${history.events?.length ?? 0} events → ${file}`);
      }
    });
  } finally {
    await sandbox.close();
    await env.teardown();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
