// Production wiring of the worker process, end to end on the dev server: a workflow bundle built by
// scripts/build-workflow-bundle.ts (as the image does) is what the worker runs; its Prometheus endpoint serves the
// SDK's metrics and the KYC series with bounded, PII-free labels; its stdout is JSON lines correlated by workflow
// id; /livez and /readyz answer.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { kycStartOptions } from '../client/start-options';
import { projectRoot } from '../scripts/toolchain';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { kycWorkflow } from '../workflows';
import type { KycInput } from '../workflows/input';
import { customerRejected, customerVerified, statusQuery } from '../workflows/messages';
import { writeSampleDocuments } from './support/fixtures';
import { waitForStage } from './support/kyc-harness';
import { eventually, jsonLines, parsePrometheus, tryFetch } from './support/production';
import { freePorts } from '../scripts/ports';
import { Rail } from '../sandbox/control-client';
import { devServerAddress, uniqueTaskQueue } from './support/temporal';
import { rejectedData, verifiedData } from './support/decisions';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const taskQueue = uniqueTaskQueue('kyc-prod');
const apiKey = 'sk_test_technest_sandbox';
let sandbox: Sandbox;
let rail: Rail;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;
let documents: KycInput['documents'];
let bundlePath: string;
let metricsUrl: string;
let healthUrl: string;

beforeAll(async () => {
  sandbox = await startSandbox({ review: { outcome: 'never' } });
  rail = new Rail(sandbox.url);
  const dir = mkdtempSync(join(tmpdir(), 'kyc-prod-'));
  const samples = await writeSampleDocuments(dir);
  documents = [{ category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: samples.jpeg }];

  bundlePath = join(dir, 'dist', 'workflow-bundle.js');
  execFileSync(
    process.execPath,
    [join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/build-workflow-bundle.ts', bundlePath],
    {
      cwd: projectRoot,
      stdio: 'pipe',
      timeout: 120_000,
    },
  );

  const [metricsPort, healthPort] = await freePorts(2);
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  healthUrl = `http://127.0.0.1:${healthPort}`;
  worker = await startWorkerProcess(
    {
      TEMPORAL_ADDRESS: devServerAddress(),
      KYC_TASK_QUEUE: taskQueue,
      TECHNEST_API_URL: sandbox.url,
      TECHNEST_API_KEY: apiKey,
      KYC_SOURCE_ROOTS: dir,
      KYC_SOURCE_HOSTS: 'uploads.invalid',
      KYC_WORKFLOW_BUNDLE: bundlePath,
      KYC_METRICS_PORT: String(metricsPort),
      KYC_HEALTH_PORT: String(healthPort),
      KYC_OPS_HOST: '127.0.0.1',
      KYC_MAX_CONCURRENT_ACTIVITIES: '20',
      LOG_LEVEL: 'debug',
    },
    60_000,
  );
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
}, 180_000);

afterAll(async () => {
  const code = await worker?.stop();
  await connection?.close();
  await sandbox?.close();
  expect(code).toBe(0);
});

async function start(reference: string, timing: KycInput['timing'] = { firstPollAfter: '1h', escalateAfter: '1h' }) {
  const customerId = await rail.createCustomer(reference);
  const handle = await client.workflow.start(
    kycWorkflow,
    kycStartOptions({ customerId, customerReference: reference, documents, timing }, taskQueue),
  );
  return { customerId, handle };
}

const pii = {
  reference: `prod-alice-${Date.now()}`,
  rejectedReference: `prod-bob-${Date.now()}`,
  reason: 'ID document unreadable: Bob Example, born 1990-02-03',
};
const ids: { verified?: string; rejected?: string } = {};

describe('the production worker process', () => {
  it('runs the prebuilt bundle: an onboarding with an expired URL and an escalation, then a rejection', async () => {
    expect(existsSync(bundlePath) && statSync(bundlePath).size).toBeGreaterThan(100_000);

    const verified = await start(pii.reference, { firstPollAfter: '1h', escalateAfter: 300 });
    ids.verified = verified.customerId;
    await rail.faults(verified.customerId, { expireUploads: 1 });
    await waitForStage(verified.handle, 'pending_review', 30_000);
    await eventually(async () => (await verified.handle.query(statusQuery)).escalatedAt, 'escalation');
    await rail.decide(verified.customerId, 'verify');
    await verified.handle.signal(customerVerified, verifiedData(verified.customerId, pii.reference));
    expect(await verified.handle.result()).toMatchObject({ status: 'verified' });
    expect((await verified.handle.query(statusQuery)).files[0]?.urlRefreshes).toBe(1);

    const rejected = await start(pii.rejectedReference);
    ids.rejected = rejected.customerId;
    // The webhook may overtake the submission: the run keeps the decision and still submits once.
    await rejected.handle.signal(
      customerRejected,
      rejectedData(rejected.customerId, pii.rejectedReference, pii.reason),
    );
    expect(await rejected.handle.result()).toMatchObject({ status: 'rejected', rejectionReason: pii.reason });
  });

  it('serves the SDK metrics and the KYC series on one Prometheus endpoint, with no PII in labels', async () => {
    // The SDK exports on scrape; the workflow's last metrics land with its last task, so poll for them.
    const text = await eventually(async () => {
      const body = await (await tryFetch(metricsUrl))?.text();
      return body && /kyc_rejections\w*\{[^}]*reason_class="unreadable"/.test(body) ? body : undefined;
    }, 'the KYC series on /metrics');
    const samples = parsePrometheus(text);
    const find = (fragment: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name.includes(fragment) && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    expect(find('workflow_completed').length + find('activity_execution_latency').length).toBeGreaterThan(0); // the SDK's own
    for (const stage of [
      'validating',
      'uploading',
      'attaching',
      'submitting',
      'pending_review',
      'verified',
      'rejected',
    ]) {
      const series = find('kyc_stage_entered', { stage, taskQueue: taskQueue });
      expect(series.length, `kyc_stage_entered{stage="${stage}"}`).toBeGreaterThan(0);
    }
    expect(find('kyc_stage_entered', { stage: 'pending_review', taskQueue: taskQueue })[0]?.value).toBe(2);
    expect(find('kyc_upload_url_refreshes', { category: 'id_document', taskQueue: taskQueue })[0]?.value).toBe(1);
    expect(find('kyc_escalations', { taskQueue: taskQueue })[0]?.value).toBe(1);
    expect(find('kyc_rejections', { reason_class: 'unreadable', taskQueue: taskQueue })[0]?.value).toBe(1);
    const pendingCount = find('kyc_pending_review_seconds_count', { taskQueue: taskQueue });
    expect(pendingCount.map((s) => s.labels.outcome).sort()).toEqual(['rejected', 'verified']);
    expect(
      find('kyc_pending_review_seconds_bucket', { le: '86400', outcome: 'verified', taskQueue: taskQueue })[0]?.value,
    ).toBe(1);

    // No customer id, reference, workflow id or partner text anywhere in the exposition.
    for (const secret of [
      ids.verified!,
      ids.rejected!,
      pii.reference,
      pii.rejectedReference,
      'Bob Example',
      '1990-02-03',
      apiKey,
    ]) {
      expect(text).not.toContain(secret);
    }
    const kycLabelNames = new Set(
      samples
        .filter((s) => s.name.startsWith('kyc_') || s.name.includes('_kyc_'))
        .flatMap((s) => Object.keys(s.labels)),
    );
    for (const name of kycLabelNames) {
      expect([
        'stage',
        'category',
        'outcome',
        'reason_class',
        'le',
        'namespace',
        'taskQueue',
        'workflowType',
        'service_name',
        // activities/metrics.ts: the SDK tags activity metrics with activityType; partner errors by operation, status.
        'activityType',
        'operation',
        'status',
      ]).toContain(name);
    }
  });

  it('answers /livez and /readyz while polling', async () => {
    expect((await tryFetch(`${healthUrl}/livez`))?.status).toBe(200);
    const ready = await tryFetch(`${healthUrl}/readyz`);
    expect(ready?.status).toBe(200);
    expect(await ready?.json()).toEqual({ status: 'ready' });
  });

  it('logs JSON lines only, and workflow and activity lines carry the workflow id', () => {
    const lines = jsonLines(worker.stdout());
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      expect(typeof line.level, JSON.stringify(line)).toBe('string');
      expect(typeof line.msg, JSON.stringify(line)).toBe('string');
      expect(Number.isNaN(Date.parse(String(line.time))), JSON.stringify(line)).toBe(false);
    }
    const workflowLines = lines.filter((l) => l.sdkComponent === 'workflow' || l.sdkComponent === 'activity');
    expect(workflowLines.length).toBeGreaterThan(0);
    for (const line of workflowLines) expect(line.workflowId, JSON.stringify(line)).toMatch(/^kyc-ckcust_/);
    const upload = lines.find((l) => l.msg === 'uploaded KYC document' && l.workflowId === `kyc-${ids.verified}`);
    expect(upload).toBeDefined();
    expect(worker.output()).not.toContain(apiKey);
  });
});
