// The Temporal toolchain: both servers start from the project's own binaries and run real workflows.
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { requireTemporalCli, requireTestServer, findTestServer } from '../scripts/toolchain';
import { createTimeSkippingEnv, devServerAddress, uniqueTaskQueue } from './support/temporal';
import { echo, sleepForADay } from './workflows/toolchain-probe';

const probeWorkflows = join(__dirname, 'workflows', 'toolchain-probe.ts');

describe('binary resolution', () => {
  it('finds the locally installed binaries without touching the network', () => {
    expect(findTestServer({ env: { PATH: '' } })).toMatchObject({ from: 'local' });
    expect(requireTemporalCli({ env: { PATH: '' } }).path).toMatch(/\.temporal\/bin\/temporal$/);
  });

  it('prefers an explicit path from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kyc-bin-'));
    const fake = join(dir, 'temporal');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    expect(requireTemporalCli({ env: { TEMPORAL_CLI_PATH: fake } })).toEqual({ path: fake, from: 'env' });
  });

  it('names every place it tried, and the fix, when nothing is found', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kyc-nobin-'));
    const attempt = () => requireTestServer({ env: { PATH: `${empty}/a:${empty}/b` }, localBin: `${empty}/local` });
    expect(attempt).toThrow(`${empty}/local/temporal-test-server (local)`);
    expect(attempt).toThrow(`${empty}/a/temporal-test-server (PATH)`);
    expect(attempt).toThrow(`${empty}/b/temporal-test-server (PATH)`);
    expect(attempt).toThrow(/npm run toolchain/);
  });

  it('reports a wrong explicit path instead of silently using another binary', () => {
    expect(() => requireTemporalCli({ env: { TEMPORAL_CLI_PATH: '/nowhere/temporal' } })).toThrow(
      'TEMPORAL_CLI_PATH=/nowhere/temporal is not an executable file',
    );
  });
});

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  it('skips a 24-hour sleep in well under a second of waiting', async () => {
    const taskQueue = uniqueTaskQueue('probe');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: probeWorkflows });
    const before = await env.currentTimeMs();
    const started = performance.now();
    const result = await worker.runUntil(
      env.client.workflow.execute(sleepForADay, { taskQueue, workflowId: `sleep-${taskQueue}` }),
    );
    const waitedMs = performance.now() - started;
    expect(result).toBe('woke up');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    expect(waitedMs).toBeLessThan(1000);
  });
});

describe('dev server', () => {
  it('runs a workflow and has the contract search attributes registered', async () => {
    const address = devServerAddress();
    const connection = await NativeConnection.connect({ address });
    const clientConnection = await Connection.connect({ address });
    try {
      const taskQueue = uniqueTaskQueue('probe');
      const worker = await Worker.create({ connection, taskQueue, workflowsPath: probeWorkflows });
      const client = new Client({ connection: clientConnection });
      const result = await worker.runUntil(
        client.workflow.execute(echo, { taskQueue, workflowId: `echo-${taskQueue}`, args: ['hello'] }),
      );
      expect(result).toBe('hello');
      const { customAttributes } = await clientConnection.operatorService.listSearchAttributes({
        namespace: 'default',
      });
      expect(Object.keys(customAttributes ?? {})).toEqual(
        expect.arrayContaining(['KycStatus', 'CustomerReference', 'KycEscalated']),
      );
    } finally {
      await clientConnection.close();
      await connection.close();
    }
  });
});
