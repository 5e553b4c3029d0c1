// `npm run webhooks` as a process: it refuses to start without its secret, names a taken port, listens, answers,
// and stops cleanly on SIGTERM.
import { describe, expect, it } from 'vitest';
import { takenPort } from '../scripts/ports';
import { devServerAddress } from './support/temporal';
import { postWebhook, request, spawnReceiver, verifiedEvent, within } from './support/webhooks';

describe('webhook-receiver/main.ts', () => {
  it('refuses to start without WEBHOOK_SECRET, naming it (exit 1)', async () => {
    const receiver = await spawnReceiver({ TEMPORAL_ADDRESS: devServerAddress(), WEBHOOK_PORT: '0' });
    expect(receiver.url).toBeUndefined();
    expect(await within(receiver.exited, 10_000, 'exit')).toBe(1);
    expect(receiver.output()).toMatch(/WEBHOOK_SECRET: is required/);
  });

  it('names WEBHOOK_PORT when the port is taken (exit 1)', async () => {
    const blocker = await takenPort();
    const { port } = blocker;
    try {
      const receiver = await spawnReceiver({
        TEMPORAL_ADDRESS: devServerAddress(),
        WEBHOOK_SECRET: 'whsec_main_test',
        WEBHOOK_PORT: String(port),
      });
      expect(receiver.url).toBeUndefined();
      expect(await within(receiver.exited, 10_000, 'exit')).toBe(1);
      expect(receiver.output()).toContain(`WEBHOOK_PORT ${port} is already in use`);
    } finally {
      await blocker.close();
    }
  });

  it('starts, prints its URL, answers /healthz and webhooks, and exits 0 on SIGTERM', async () => {
    const receiver = await spawnReceiver({
      TEMPORAL_ADDRESS: devServerAddress(),
      // Rotation: the new secret first, the old one still accepted.
      WEBHOOK_SECRET: 'whsec_new, whsec_old',
      WEBHOOK_PORT: '0',
    });
    try {
      expect(receiver.url, receiver.output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const url = receiver.url!;
      const health = await request(url, '/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });
      const unknown = verifiedEvent(`ckcust_main${Date.now()}`, 'main');
      expect((await postWebhook(url, unknown, { secrets: 'whsec_old' })).status).toBe(404);
      expect((await postWebhook(url, unknown, { secrets: 'whsec_other' })).status).toBe(401);
    } finally {
      receiver.child.kill('SIGTERM');
    }
    expect(await within(receiver.exited, 15_000, 'exit after SIGTERM')).toBe(0);
    expect(receiver.output()).not.toContain('whsec_new');
  });
});
