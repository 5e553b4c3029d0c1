// The production topology natively (scripts/stack): PostgreSQL persistence and SQL visibility under the pinned
// Temporal server, two KYC worker processes, the webhook receiver and the partner sandbox. Onboardings go down every
// path while a worker is SIGKILLed mid-upload, the Temporal server is restarted and PostgreSQL is restarted; then
// nothing is lost, each customer was submitted exactly once, and every run ended as its path promised.
// The first run on a machine builds Temporal with `go install` (scripts/install-stack.sh): minutes, reported below.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { KycClient } from '../client/kyc-client';
import { quoteLiteral } from '../client/visibility';
import { Rail } from '../sandbox/control-client';
import { demoPaths } from '../scripts/demo/onboardings';
import { makeLargePdf, writeSampleDocuments } from '../scripts/sample-documents';
import { ensureStackBinaries } from '../scripts/stack/binaries';
import { startStack, type Stack } from '../scripts/stack/stack';
import { waitFor } from '../scripts/stack/wait';
import type { KycInput } from '../workflows/input';

const timing = { firstPollAfter: '1s', maxPollInterval: '2s', escalateAfter: '1h' } as const;
let stack: Stack;
let connection: Connection;
let kyc: KycClient;
let rail: Rail;
let documents: KycInput['documents'];
let large: { path: string; bytes: number; sha256: string };
/** Every customer this file started, with what its run must end as. */
const started = new Map<string, 'verified' | 'rejected'>();
const tag = Date.now().toString(36);
/** Every reference of this file starts with it: the demo paths' `demo-<tag>-…` and ours. */
const prefix = `demo-${tag}`;
const report: string[] = [];

beforeAll(async () => {
  const build = ensureStackBinaries({ quiet: true });
  if (build.buildMs > 0) report.push(`cold build of Temporal ${build.version}: ${Math.round(build.buildMs / 1000)} s`);
  const t0 = Date.now();
  stack = await startStack({
    workers: 2,
    workflowBundlePath: inject('workflowBundlePath'),
    workerEnv: { KYC_MIN_POLL_INTERVAL: '200ms', KYC_SHUTDOWN_GRACE_TIME: '5s' },
  });
  report.push(`stack ready in ${Date.now() - t0} ms (${JSON.stringify(stack.timings)})`);
  const samples = await writeSampleDocuments(stack.sourceRoot);
  documents = [
    { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
    { category: 'proof_of_address', filename: 'bill.pdf', contentType: 'application/pdf', source: samples.pdf },
  ];
  mkdirSync(join(stack.sourceRoot, 'large'), { recursive: true });
  large = await makeLargePdf(join(stack.sourceRoot, 'large', 'statement.pdf'), 9 * 1024 * 1024);
  connection = await Connection.connect({ address: stack.temporalAddress });
  kyc = new KycClient(new Client({ connection, namespace: stack.namespace }), { taskQueue: stack.taskQueue });
  rail = new Rail(stack.sandboxUrl);
}, 1_800_000);

afterAll(async () => {
  await connection?.close();
  const t0 = Date.now();
  await stack?.stop();
  report.push(`stack stopped in ${Date.now() - t0} ms`);
  console.log(`production stack:\n  ${report.join('\n  ')}`);
}, 120_000);

/** A customer at the partner with a review plan, and its run started. */
async function onboard(
  name: string,
  plan: { outcome: 'verify' | 'reject' | 'never'; after_ms?: number },
  extra: { faults?: Record<string, number | boolean>; docs?: KycInput['documents']; escalateAfter?: string } = {},
) {
  const reference = `${prefix}-${name.replace(/\W+/g, '-')}`;
  const customerId = await rail.createCustomer(reference, 'GB');
  if (extra.faults) await rail.faults(customerId, extra.faults);
  await rail.review(customerId, plan);
  await kyc.start({
    customerId,
    customerReference: reference,
    country: 'GB',
    documents: extra.docs ?? documents,
    timing: { ...timing, ...(extra.escalateAfter ? { escalateAfter: extra.escalateAfter } : {}) },
  });
  started.set(customerId, plan.outcome === 'reject' ? 'rejected' : 'verified');
  return { customerId, reference };
}

/** Workflow ids visibility answers for `query` (KYC runs of this file only). */
async function visible(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const run of kyc.client.workflow.list({ query })) ids.push(run.workflowId);
  return ids;
}

async function stageOf(customerId: string): Promise<string | undefined> {
  return (await kyc.status(customerId).catch(() => undefined))?.stage;
}

/** Several onboardings, a fault once every run is past its start, then every run verified. */
async function throughFault(name: string, fault: () => Promise<void>) {
  const runs = await Promise.all(
    [0, 1, 2].map((i) =>
      onboard(`${name}-${i}`, { outcome: 'verify', after_ms: 1500 }, i === 2 ? { faults: { dropWebhook: true } } : {}),
    ),
  );
  await waitFor(
    `${name}: runs under way`,
    async () => (await Promise.all(runs.map((r) => stageOf(r.customerId)))).every((s) => s && s !== 'starting'),
    60_000,
  );
  const t0 = Date.now();
  await fault();
  report.push(`${name}: back in ${Date.now() - t0} ms`);
  const results = await Promise.all(runs.map((r) => kyc.result(r.customerId)));
  report.push(`${name}: ${runs.length} runs ended ${Date.now() - t0} ms after the fault began`);
  expect(results.map((r) => r.status)).toEqual(['verified', 'verified', 'verified']);
}

describe('the native production stack (PostgreSQL, SQL visibility, two workers)', { timeout: 600_000 }, () => {
  it('walks every onboarding path on PostgreSQL', async () => {
    const samples = { jpeg: documents[0]!.source, pdf: documents[1]!.source };
    const outcomes = await Promise.all(
      demoPaths
        .filter((path) => !path.name.startsWith('escalated'))
        .map((path) =>
          path.run({
            kyc,
            rail,
            runTag: tag,
            track: (label, customerId) =>
              started.set(customerId, label.startsWith('rejected') ? 'rejected' : 'verified'),
            documents: [
              { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg },
              {
                category: 'proof_of_address',
                filename: 'bill.pdf',
                contentType: 'application/pdf',
                source: samples.pdf,
              },
            ],
          }),
        ),
    );
    for (const outcome of outcomes) expect(outcome.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('answers the KycStatus, CustomerReference and KycEscalated filters from SQL visibility', async () => {
    const pending = await onboard('pending', { outcome: 'never' });
    const escalating = await onboard('escalating', { outcome: 'never' }, { escalateAfter: '2s' });
    const byReference = await waitFor(
      'CustomerReference filter',
      async () => {
        const ids = await visible(`CustomerReference = ${quoteLiteral(pending.reference)}`);
        return ids.length === 1 ? ids : false;
      },
      30_000,
    );
    expect(byReference[0]).toContain(pending.customerId);
    await waitFor(
      "KycStatus = 'pending_review'",
      async () =>
        (await visible(`KycStatus = 'pending_review' AND CustomerReference STARTS_WITH ${quoteLiteral(prefix)}`)).some(
          (id) => id.includes(pending.customerId),
        ),
      30_000,
    );
    const escalated = await waitFor(
      'KycEscalated = true',
      async () => {
        const ids = await visible(`KycEscalated = true AND CustomerReference STARTS_WITH ${quoteLiteral(prefix)}`);
        return ids.length > 0 ? ids : false;
      },
      30_000,
    );
    expect(escalated).toEqual([expect.stringContaining(escalating.customerId)]);
    // Partner support decides; both runs end verified.
    await rail.decide(pending.customerId, 'verify');
    await rail.decide(escalating.customerId, 'verify');
    expect((await kyc.result(pending.customerId)).status).toBe('verified');
    expect((await kyc.result(escalating.customerId)).status).toBe('verified');
  });

  it('finishes a large upload on the other worker when one is SIGKILLed mid-upload', async () => {
    const docs: KycInput['documents'] = [
      documents[0]!,
      { category: 'proof_of_address', filename: 'statement.pdf', contentType: 'application/pdf', source: large.path },
    ];
    const run = await onboard('killed', { outcome: 'verify', after_ms: 500 }, { faults: { latencyMs: 3000 }, docs });
    const handle = kyc.client.workflow.getHandle((await kyc.describe(run.customerId)).workflowId);
    const identity = await waitFor(
      'upload of the large document under way',
      async () => {
        const described = await handle.describe();
        const upload = described.raw.pendingActivities?.find(
          (a) => a.activityType?.name === 'uploadDocument' && a.lastWorkerIdentity,
        );
        return upload?.lastWorkerIdentity ?? false;
      },
      60_000,
      { everyMs: 100 },
    );
    const victim = stack.workers.findIndex((w) => identity.startsWith(`${w.child.pid}@`));
    expect(victim, `no worker has identity ${identity}`).toBeGreaterThanOrEqual(0);
    const t0 = Date.now();
    await stack.killWorker(victim);
    const result = await kyc.result(run.customerId);
    report.push(`worker SIGKILLed mid-upload: the other worker finished the run ${Date.now() - t0} ms later`);
    expect(result.status).toBe('verified');
    const seen = await rail.inspect(run.customerId);
    const big = seen.uploads.find((u) => u.file_category === 'proof_of_address');
    expect(big?.bytes).toBe(large.bytes);
    expect(big?.sha256).toBe(large.sha256);
    await stack.replaceWorker(victim);
  });

  it('carries runs through a Temporal server restart', async () => {
    await throughFault('Temporal restart', () => stack.restartTemporal());
  });

  it('carries runs through a PostgreSQL restart', async () => {
    await throughFault('PostgreSQL restart', () => stack.restartPostgres());
  });

  it('lost nothing: every run closed as promised, one submit per customer', async () => {
    const ids = await waitFor(
      'every run of this file visible',
      async () => {
        const found = await visible(
          `WorkflowType = 'kycWorkflow' AND CustomerReference STARTS_WITH ${quoteLiteral(prefix)}`,
        );
        return found.length >= started.size ? found : false;
      },
      30_000,
    );
    expect(ids.length).toBe(started.size);
    for (const [customerId, promised] of started) {
      const result = await kyc.result(customerId);
      expect(result.status, customerId).toBe(promised);
      expect((await rail.inspect(customerId)).submit_count, customerId).toBe(1);
    }
    const open = await visible(`ExecutionStatus = 'Running' AND CustomerReference STARTS_WITH ${quoteLiteral(prefix)}`);
    expect(open).toEqual([]);
  });
});
