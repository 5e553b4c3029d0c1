// Builds the KYC worker from its configuration; used by the worker process and by the tests alike.
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Tracing } from '../tracing/setup';
import type { WorkerConfig } from './config';
import { workflowCode } from './workflow-code';

export const workflowsPath = join(__dirname, '..', 'workflows');

export interface CreateKycWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  config: WorkerConfig;
  /** A prebuilt bundle (bundleWorkflowCode) instead of bundling at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload encryption and encoded failures (./data-converter.ts); unset → plain payloads. */
  dataConverter?: DataConverter;
  /** Extra options, e.g. a shorter shutdownGraceTime in tests. */
  overrides?: Partial<WorkerOptions>;
  /**
   * From setupTracing (tracing/setup.ts). On: activities and workflows are traced (./workflow-code.ts says what that
   * adds). Off or unset: the worker is built exactly as without tracing, its workflow bundle unchanged.
   */
  tracing?: Tracing;
}

export const defaultMaxCachedWorkflows = 100;

export async function createKycWorker({
  connection,
  namespace,
  config,
  workflowBundle,
  dataConverter,
  overrides,
  tracing,
}: CreateKycWorkerOptions) {
  const bundle = workflowBundle ?? (config.KYC_WORKFLOW_BUNDLE ? { codePath: config.KYC_WORKFLOW_BUNDLE } : undefined);
  const code = await workflowCode(workflowsPath, bundle, tracing);
  if (code.notice) Runtime.instance().logger.warn(code.notice);
  return Worker.create({
    connection,
    namespace,
    taskQueue: config.KYC_TASK_QUEUE,
    ...(dataConverter ? { dataConverter } : {}),
    ...code.options,
    activities: createActivities({
      partnerUrl: config.TECHNEST_API_URL,
      partnerApiKey: config.TECHNEST_API_KEY,
      eventsUrl: config.KYC_EVENTS_URL,
      sourceRoots: config.KYC_SOURCE_ROOTS,
      sourceHosts: config.KYC_SOURCE_HOSTS,
      maxFileBytes: config.KYC_MAX_FILE_BYTES,
      requestTimeoutMs: config.KYC_REQUEST_TIMEOUT,
      sourceAttempts: config.KYC_SOURCE_ATTEMPTS,
      runSettings: { minPollIntervalMs: config.KYC_MIN_POLL_INTERVAL },
    }),
    // In-flight uploads get time to finish on shutdown before being handed to another worker.
    shutdownGraceTime: '30s',
    // Runs wait for days: a small sticky cache keeps memory flat (bench, figure 4: 375 MiB RSS holding 20,000
    // pending runs, 336 MiB holding 1,000; the SDK's default cache held 1,000 at 1,587 MiB), and an evicted run
    // replays its short history when its webhook comes. KYC_MAX_CACHED_WORKFLOWS overrides it.
    maxCachedWorkflows: defaultMaxCachedWorkflows,
    ...overrides,
  });
}
