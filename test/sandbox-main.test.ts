// `npm run sandbox` as a real process: env validation, the printed URL, the review env, port clash, shutdown.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { takenPort } from '../scripts/ports';
import { waitUntil } from './support/sandbox-harness';

const root = join(__dirname, '..');
const tsxCli = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function launch(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SANDBOX_')));
  const child = spawn(process.execPath, [tsxCli, join(root, 'sandbox', 'main.ts')], {
    cwd: root,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('sandbox/main.ts', () => {
  it.concurrent.each([
    ['SANDBOX_PORT', 'not-a-port'],
    ['SANDBOX_REVIEW', 'maybe'],
    ['SANDBOX_REVIEW_AFTER_MS', '-5'],
    ['SANDBOX_WEBHOOK_URL', 'ftp://example.com'],
    ['SANDBOX_UPLOAD_TTL_MS', '0'],
  ])('exits 1 naming %s when it is bad', async (name, value) => {
    const run = launch({ [name]: value });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toContain(name);
  });

  it('exits 1 naming SANDBOX_WEBHOOK_SECRET when a webhook URL comes without it', async () => {
    const run = launch({ SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/technest' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toContain('SANDBOX_WEBHOOK_SECRET');
  });

  it('says clearly when the port is taken', async () => {
    const blocker = await takenPort();
    try {
      const { port } = blocker;
      const run = launch({ SANDBOX_PORT: String(port) });
      expect(await run.exited).toBe(1);
      expect(run.output().stderr).toMatch(new RegExp(`port ${port} .*already in use`));
    } finally {
      await blocker.close();
    }
  });

  it('prints its URL, applies the review env, and stops cleanly on SIGTERM', async () => {
    const run = launch({
      SANDBOX_PORT: '0',
      SANDBOX_API_KEY: 'sk_test_from_env',
      SANDBOX_REVIEW: 'reject',
      SANDBOX_REVIEW_AFTER_MS: '0',
      SANDBOX_REJECTION_REASON: 'Selfie does not match',
    });
    try {
      const url = await waitUntil(async () => /listening on (http:\S+)/.exec(run.output().stdout)?.[1], 20_000);
      expect(run.output().stdout).not.toContain('sk_test_from_env');
      const headers = { authorization: 'Bearer sk_test_from_env', 'content-type': 'application/json' };
      // `any`: JSON answers whose shape the assertions check.
      const post = async (path: string, body: unknown): Promise<any> =>
        (await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })).json();
      const customer = await post('/v1/customers', { customer_reference: `main-${process.pid}` });
      const intent = await post(`/v1/customers/${customer.id}/files`, {
        file_category: 'id_document',
        filename: 'id.png',
        content_type: 'image/png',
      });
      await fetch(intent.upload_url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: 'png' });
      await post(`/v1/customers/${customer.id}/files/attach`, { id_file: intent.file_id });
      expect((await post(`/v1/customers/${customer.id}/kyc`, {})).status).toBe('pending');
      const decided = await waitUntil(async () => {
        const body: any = await (await fetch(`${url}/v1/customers/${customer.id}`, { headers })).json();
        return body.status === 'rejected' ? body : undefined;
      });
      expect(decided.rejection_reason).toBe('Selfie does not match');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(run.output().stdout).toMatch(/SIGTERM received/);
  });
});
