// Temporal itself restarts: a dev server with its history in a SQLite file, onboardings in flight (some uploading,
// some pending review, one decided while the server is down), the server stopped and started again on the same
// port and file. Every run must resume where it was and end right, with one submit each. The worker process and
// the client's connection stay up throughout, as in production.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { kycStartOptions } from '../client/start-options';
import { historyFacts } from '../scripts/chaos/invariants';
import { spawnWorker, type ProductProcess } from '../scripts/chaos/processes';
import { startDevServer, type DevServer } from '../scripts/dev-server';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { kycWorkflow } from '../workflows';
import type { KycInput } from '../workflows/input';
import { statusQuery, type KycStage } from '../workflows/messages';
import { writeSampleDocuments } from './support/fixtures';
import { freePorts } from '../scripts/ports';
import { Rail } from '../sandbox/control-client';
import { workflowBundle } from './support/temporal';

const timing = { firstPollAfter: '1s', maxPollInterval: '2s', escalateAfter: '1h' };
const workDir = mkdtempSync(join(tmpdir(), 'kyc-restart-'));
const dbFile = join(workDir, 'temporal.sqlite');
const logFile = join(workDir, 'temporal-server.log');
let ports: { port: number; uiPort: number };
let server: DevServer;
let sandbox: Sandbox;
let rail: Rail;
let worker: ProductProcess;
let connection: Connection;
let client: Client;
let documents: KycInput['documents'];
const taskQueue = `kyc-restart-${process.pid}`;

beforeAll(async () => {
  const [port, uiPort] = await freePorts(2);
  ports = { port: port!, uiPort: uiPort! };
  server = await startDevServer({ ...ports, dbFile, logFile });
  sandbox = await startSandbox({ review: { outcome: 'never' } });
  rail = new Rail(sandbox.url);
  const samples = await writeSampleDocuments(workDir);
  documents = [
    { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
    { category: 'id_document_back', filename: 'passport-back.png', contentType: 'image/png', source: samples.png },
    { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'application/pdf', source: samples.pdf },
  ];
  worker = await spawnWorker({
    temporalAddress: server.address,
    taskQueue,
    partnerUrl: sandbox.url,
    partnerApiKey: rail.apiKey,
    sourceRoot: workDir,
    workflowBundlePath: workflowBundle().codePath,
  });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
});

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await server?.stop();
  await sandbox?.close();
  rmSync(workDir, { recursive: true, force: true });
});

type Plan = { outcome: 'verify' | 'reject'; reason?: string };
const verifyPlan: Plan = { outcome: 'verify' };

async function onboard(reference: string, prepare: (customerId: string) => Promise<unknown>) {
  const customerId = await rail.createCustomer(reference);
  await prepare(customerId);
  const input: KycInput = { customerId, customerReference: reference, documents, timing };
  const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, taskQueue));
  return { customerId, reference, handle };
}

/** Polls the status query, with a deadline, until the run is at `stage`. */
async function reachStage(
  handle: WorkflowHandle<typeof kycWorkflow>,
  stage: KycStage,
  deadlineMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.stage === stage) return;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} still at ${status.stage}, expected ${stage}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Temporal server restart', () => {
  it(
    'every run in flight resumes after the server restarts on the same port and database',
    { timeout: 150_000 },
    async () => {
      const tag = Date.now().toString(36);
      // Submitted, with reviews that end while the server is down: only polling after the restart can see them.
      const decidedWhileDown: Array<Awaited<ReturnType<typeof onboard>> & { plan: Plan }> = [];
      // Submitted, with reviews that end after the restart.
      const decidedAfter: Array<Awaited<ReturnType<typeof onboard>> & { plan: Plan }> = [];
      for (const [i, plan] of (
        [{ outcome: 'verify' }, { outcome: 'reject', reason: 'ID document expired' }] as Plan[]
      ).entries()) {
        decidedWhileDown.push({
          ...(await onboard(`restart-${tag}-down-${i}`, (id) => rail.review(id, { outcome: 'never' }))),
          plan,
        });
        decidedAfter.push({
          ...(await onboard(`restart-${tag}-after-${i}`, (id) => rail.review(id, { outcome: 'never' }))),
          plan,
        });
      }
      await Promise.all([...decidedWhileDown, ...decidedAfter].map((run) => reachStage(run.handle, 'pending_review')));
      // Slow partner calls (2.5 s each) keep these uploading when the server goes down.
      const uploading = await Promise.all(
        [0, 1, 2].map((i) =>
          onboard(`restart-${tag}-uploading-${i}`, (id) =>
            Promise.all([rail.faults(id, { latencyMs: 2500 }), rail.review(id, { outcome: 'verify', after_ms: 500 })]),
          ),
        ),
      );
      await Promise.all(uploading.map((run) => reachStage(run.handle, 'uploading')));
      // The uploading runs really are mid-upload at the partner: intents issued, nothing submitted yet.
      for (const run of uploading) {
        const partner = await rail.inspect(run.customerId);
        expect(partner.status).toBe('created');
        expect(partner.submit_count).toBe(0);
      }

      await server.stop();
      // Decisions the partner makes while Temporal is down: no signal could reach a run now.
      for (const run of decidedWhileDown) await rail.decide(run.customerId, run.plan.outcome, run.plan.reason);
      server = await startDevServer({ ...ports, dbFile, logFile });
      expect(server.reused).toBe(false);
      for (const run of decidedAfter) await rail.decide(run.customerId, run.plan.outcome, run.plan.reason);

      const all = [...uploading.map((run) => ({ ...run, plan: verifyPlan })), ...decidedWhileDown, ...decidedAfter];
      const results = await Promise.all(all.map((run) => run.handle.result()));
      for (const [i, run] of all.entries()) {
        const result = results[i]!;
        if (run.plan.outcome === 'verify') {
          expect(result).toMatchObject({
            status: 'verified',
            customerId: run.customerId,
            customerReference: run.reference,
          });
        } else {
          expect(result).toMatchObject({
            status: 'rejected',
            customerId: run.customerId,
            rejectionReason: run.plan.reason,
            retryCustomerReference: `${run.reference}-r2`,
          });
        }
        const partner = await rail.inspect(run.customerId);
        expect(partner.submit_count, run.reference).toBe(1);
        expect(Object.keys(partner.attached).sort(), run.reference).toEqual([
          'id_file',
          'id_file_back',
          'proof_of_address_file',
        ]);
        const facts = historyFacts(await run.handle.fetchHistory());
        expect(facts.workflowTaskFailures, `${run.reference}: ${facts.failureMessages.join(' | ')}`).toBe(0);
      }
      // Decided while the server was down: no webhook is configured, so the poller found them after the restart.
      for (const run of decidedWhileDown) expect((await run.handle.query(statusQuery)).outcome?.via).toBe('poll');
      expect(worker.child.exitCode, worker.output()).toBeNull();
    },
  );
});
