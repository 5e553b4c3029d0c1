// The webhook receiver process in production shape: JSON logs, /readyz checking Temporal, Prometheus metrics of
// its answers by code on a separate port, and a clean exit on SIGTERM.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { kycStartOptions } from '../client/start-options';
import { kycWorkflow } from '../workflows';
import { devServerAddress, uniqueTaskQueue } from './support/temporal';
import { jsonLines, parsePrometheus, tryFetch } from './support/production';
import { freePorts } from '../scripts/ports';
import { postWebhook, request, spawnReceiver, verifiedEvent, type ReceiverProcess } from './support/webhooks';

const secret = 'whsec_production_test';
let receiver: ReceiverProcess;
let metricsUrl: string;
let connection: Connection;

beforeAll(async () => {
  const [port, metricsPort] = await freePorts(2);
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  receiver = await spawnReceiver({
    TEMPORAL_ADDRESS: devServerAddress(),
    WEBHOOK_SECRET: secret,
    WEBHOOK_PORT: String(port),
    WEBHOOK_METRICS_PORT: String(metricsPort),
  });
});

afterAll(async () => {
  if (receiver?.child.exitCode === null) receiver.child.kill('SIGKILL');
  await connection?.close();
});

/** A KYC run that ended without a decision: started on a queue no worker polls, then terminated. */
async function terminatedRun(customerId: string, reference: string) {
  connection = await Connection.connect({ address: devServerAddress() });
  const client = new Client({ connection });
  const input = { customerId, customerReference: reference, documents: [] };
  const handle = await client.workflow.start(kycWorkflow, kycStartOptions(input, uniqueTaskQueue('kyc-unpolled')));
  await handle.terminate('test: a run that ended without recording a decision');
  return handle.workflowId;
}

it('is ready while Temporal answers, counts answers by code, logs JSON, and exits 0 on SIGTERM', async () => {
  expect(receiver.url).toBeDefined();
  const ready = await request(receiver.url!, '/readyz');
  expect(ready.status).toBe(200);

  expect(
    (await postWebhook(receiver.url!, verifiedEvent('ckcust_nobody_here', 'ref-x'), { secrets: 'wrong' })).status,
  ).toBe(401);
  expect(
    (await postWebhook(receiver.url!, verifiedEvent('ckcust_nobody_here', 'ref-x'), { secrets: secret })).status,
  ).toBe(404);
  // A verdict nobody can record: refused with 503 so the partner retries, logged at error level, counted.
  const orphan = `ckcust_orphan${Date.now().toString(36)}`;
  const orphanReference = `pouch-user-orphan-${Date.now()}`;
  const workflowId = await terminatedRun(orphan, orphanReference);
  const refused = await postWebhook(receiver.url!, verifiedEvent(orphan, orphanReference), { secrets: secret });
  expect(refused.status).toBe(503);
  expect(refused.body.error.type).toBe('run_needs_resume');

  const text = await (await tryFetch(metricsUrl))!.text();
  const requests = parsePrometheus(text).filter((s) => s.name === 'kyc_webhook_requests_total');
  const count = (route: string, code: string) =>
    requests.find((s) => s.labels.route === route && s.labels.code === code)?.value;
  expect(count('/webhooks/technest', '401')).toBe(1);
  expect(count('/webhooks/technest', '404')).toBe(1);
  expect(count('/readyz', '200')).toBe(1);
  expect(count('/webhooks/technest', '503')).toBe(1);
  const deliveries = parsePrometheus(text).filter((s) => s.name === 'kyc_webhook_deliveries_total');
  const delivered = (answer: string) =>
    deliveries.find((s) => s.labels.event === 'customer_verified' && s.labels.answer === answer)?.value;
  expect(delivered('run_needs_resume')).toBe(1);
  expect(delivered('customer_not_found')).toBe(1);
  expect(text).not.toContain('ckcust_nobody_here');
  expect(text).not.toContain(orphan);

  receiver.child.kill('SIGTERM');
  expect(await receiver.exited).toBe(0);
  const stdout = receiver
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .join('\n');
  const lines = jsonLines(stdout);
  expect(lines.some((l) => l.msg === 'SIGTERM: finishing in-flight deliveries, then stopping')).toBe(true);
  for (const line of lines)
    expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String), service: 'kyc-webhooks' });
  // The operator's cue: error level, the workflow id and what to run; the customer id is the only personal datum.
  const needsResume = lines.filter((l) => l.outcome === 'run_needs_resume');
  expect(needsResume).toEqual([
    expect.objectContaining({
      level: 'error',
      workflowId,
      customerId: orphan,
      ending: 'TERMINATED',
      msg: expect.stringContaining(`kyc resume ${orphan}`),
    }),
  ]);
  expect(receiver.output()).not.toContain(orphanReference);
  expect(receiver.output()).not.toContain(secret);
});
