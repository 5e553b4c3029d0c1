// The webhook receiver process in production shape: JSON logs, /readyz checking Temporal, Prometheus metrics of
// its answers by code on a separate port, and a clean exit on SIGTERM.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { devServerAddress } from './support/temporal';
import { freePorts, jsonLines, parsePrometheus, tryFetch } from './support/production';
import { postWebhook, request, spawnReceiver, verifiedEvent, type ReceiverProcess } from './support/webhooks';

const secret = 'whsec_production_test';
let receiver: ReceiverProcess;
let metricsUrl: string;

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

afterAll(() => {
  if (receiver?.child.exitCode === null) receiver.child.kill('SIGKILL');
});

it('is ready while Temporal answers, counts answers by code, logs JSON, and exits 0 on SIGTERM', async () => {
  expect(receiver.url).toBeDefined();
  const ready = await request(receiver.url!, '/readyz');
  expect(ready.status).toBe(200);

  expect((await postWebhook(receiver.url!, verifiedEvent('ckcust_nobody_here', 'ref-x'), { secrets: 'wrong' })).status).toBe(401);
  expect((await postWebhook(receiver.url!, verifiedEvent('ckcust_nobody_here', 'ref-x'), { secrets: secret })).status).toBe(404);

  const text = await (await tryFetch(metricsUrl))!.text();
  const requests = parsePrometheus(text).filter((s) => s.name === 'kyc_webhook_requests_total');
  const count = (route: string, code: string) => requests.find((s) => s.labels.route === route && s.labels.code === code)?.value;
  expect(count('/webhooks/technest', '401')).toBe(1);
  expect(count('/webhooks/technest', '404')).toBe(1);
  expect(count('/readyz', '200')).toBe(1);
  expect(text).not.toContain('ckcust_nobody_here');

  receiver.child.kill('SIGTERM');
  expect(await receiver.exited).toBe(0);
  const stdout = receiver.output().split('\n').filter((line) => line.startsWith('{')).join('\n');
  const lines = jsonLines(stdout);
  expect(lines.some((l) => l.msg === 'SIGTERM: finishing in-flight deliveries, then stopping')).toBe(true);
  for (const line of lines) expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String), service: 'kyc-webhooks' });
  expect(receiver.output()).not.toContain(secret);
});
