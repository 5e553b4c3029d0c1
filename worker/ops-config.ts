// The worker's operational knobs (logs, metrics, health, tuning), read from the environment once at start.
// Kept apart from ./config.ts (what the worker does) because these only change how it runs. A bad variable
// stops the process with a message that names it, like every other configuration error.
import { z } from 'zod';
import type { WorkerOptions } from '@temporalio/worker';
import { parseEnv, port } from '../common/env';
import { logLevels } from '../common/logging';

const positiveInt = z.coerce
  .number({ error: 'must be a positive integer' })
  .int('must be a positive integer')
  .positive('must be a positive integer');

const opsEnvSchema = z.object({
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  /** Prometheus endpoint (/metrics) of the SDK runtime, KYC metrics included; unset = no endpoint. */
  KYC_METRICS_PORT: port.optional(),
  /** /livez and /readyz; unset = no health server. */
  KYC_HEALTH_PORT: port.optional(),
  /** Interface both listen on; 0.0.0.0 in a container. */
  KYC_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  KYC_MAX_CONCURRENT_ACTIVITIES: positiveInt.optional(),
  KYC_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt.optional(),
  KYC_MAX_CACHED_WORKFLOWS: z.coerce
    .number({ error: 'must be an integer ≥ 0' })
    .int()
    .min(0, 'must be an integer ≥ 0')
    .optional(),
  /** How long in-flight activities may run on after SIGTERM before they are cancelled (ms-style duration). */
  KYC_SHUTDOWN_GRACE_TIME: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(ms|s|m|h)?$/, 'must be a duration such as 30s, 2m or 45000')
    .optional(),
});

export type OpsConfig = z.output<typeof opsEnvSchema>;

export function parseOpsConfig(env: NodeJS.ProcessEnv): OpsConfig {
  return parseEnv(opsEnvSchema, env, { title: 'Invalid worker configuration' });
}

/** The tuning knobs as Worker.create options; only what was set, so the SDK's defaults stay the defaults. */
export function workerTuning(ops: OpsConfig): Partial<WorkerOptions> {
  const tuning: Partial<WorkerOptions> = {};
  if (ops.KYC_MAX_CONCURRENT_ACTIVITIES) tuning.maxConcurrentActivityTaskExecutions = ops.KYC_MAX_CONCURRENT_ACTIVITIES;
  if (ops.KYC_MAX_CONCURRENT_WORKFLOW_TASKS)
    tuning.maxConcurrentWorkflowTaskExecutions = ops.KYC_MAX_CONCURRENT_WORKFLOW_TASKS;
  if (ops.KYC_MAX_CACHED_WORKFLOWS !== undefined) tuning.maxCachedWorkflows = ops.KYC_MAX_CACHED_WORKFLOWS;
  if (ops.KYC_SHUTDOWN_GRACE_TIME) {
    const value = ops.KYC_SHUTDOWN_GRACE_TIME.replace(/\s+/g, '');
    tuning.shutdownGraceTime = /^\d+(\.\d+)?$/.test(value) ? Number(value) : (value as `${number}s`);
  }
  return tuning;
}
