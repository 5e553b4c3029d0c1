// The product's processes on the stack: KYC workers (`npm run worker`) and the webhook receiver (`npm run webhooks`),
// each a real Node process, ready once it logs that it polls / listens.
import { spawnProductProcess, type ProductProcess } from '../product-process';

export interface WorkerEnv {
  temporalAddress: string;
  taskQueue: string;
  partnerUrl: string;
  partnerApiKey: string;
  sourceRoot: string;
  /** A prebuilt workflow bundle (KYC_WORKFLOW_BUNDLE); unset → each worker bundles at start. */
  workflowBundlePath?: string;
  /** Anything else the worker reads (KYC_MIN_POLL_INTERVAL, KYC_SHUTDOWN_GRACE_TIME, KYC_PAYLOAD_KEYS…). */
  extra?: Record<string, string>;
}

export function spawnStackWorker(env: WorkerEnv): Promise<ProductProcess> {
  return spawnProductProcess(
    'worker/main.ts',
    {
      TEMPORAL_ADDRESS: env.temporalAddress,
      KYC_TASK_QUEUE: env.taskQueue,
      TECHNEST_API_URL: env.partnerUrl,
      TECHNEST_API_KEY: env.partnerApiKey,
      KYC_SOURCE_ROOTS: env.sourceRoot,
      ...(env.workflowBundlePath ? { KYC_WORKFLOW_BUNDLE: env.workflowBundlePath } : {}),
      ...env.extra,
    },
    /kyc worker polling/,
    { readyTimeoutMs: 120_000 },
  );
}

export function spawnStackReceiver(env: {
  temporalAddress: string;
  port: number;
  secret: string;
  extra?: Record<string, string>;
}): Promise<ProductProcess> {
  return spawnProductProcess(
    'webhook-receiver/main.ts',
    {
      TEMPORAL_ADDRESS: env.temporalAddress,
      WEBHOOK_PORT: String(env.port),
      WEBHOOK_SECRET: env.secret,
      ...env.extra,
    },
    /listening on http:\/\/\S+\/webhooks\/technest/,
    { readyTimeoutMs: 60_000 },
  );
}
