// Temporal servers for tests, always from the binaries resolved by scripts/toolchain.ts.
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureSearchAttributes } from '../../scripts/dev-server';
import { findTestServer, requireTemporalCli, sdkExecutable } from '../../scripts/toolchain';
import { kycSearchAttributes } from '../../workflows/search-attributes';

/**
 * A fresh time-skipping test server (one per test file: skipped time is shared by its workflows), with the
 * contract's search attributes registered as on a real cluster.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: sdkExecutable(findTestServer()) },
  });
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/**
 * A dev server of the file's own that suggests continue-as-new once a run's history holds `events` events, so
 * that a waiting run hands over within a test (production's limit is thousands of events).
 */
export function createDevServerSuggestingContinueAsNew(events: number): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTemporalCli().path },
      searchAttributes: kycSearchAttributes,
      ip: '127.0.0.1',
      extraArgs: [
        '--log-level',
        'error',
        '--dynamic-config-value',
        `limit.historyCount.suggestContinueAsNew=${events}`,
      ],
    },
  });
}

/** The dev server the global setup started, shared by every file. */
export const devServerAddress = (): string => inject('temporalAddress');

/** The workflow bundle the global setup built, for Worker.create({ workflowBundle }). */
export const workflowBundle = () => ({ codePath: inject('workflowBundlePath') });

let counter = 0;
/** A task queue no other test file polls. */
export const uniqueTaskQueue = (name: string): string => `${name}-${process.pid}-${++counter}`;
