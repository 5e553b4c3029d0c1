// The product's own processes, as the chaos run starts, kills and restarts them: the worker (`npm run worker`)
// and the webhook receiver (`npm run webhooks`), each a real Node process running its entry point through tsx.
import { spawnProductProcess, type ProductProcess } from '../product-process';

export type { ProductProcess } from '../product-process';

export interface WorkerProcessEnv {
  temporalAddress: string;
  taskQueue: string;
  partnerUrl: string;
  partnerApiKey: string;
  sourceRoot: string;
  workflowBundlePath: string;
  /** Our backend's events endpoint (KYC_EVENTS_URL). */
  eventsUrl?: string;
}

export function spawnWorker(env: WorkerProcessEnv): Promise<ProductProcess> {
  return spawnProductProcess(
    'worker/main.ts',
    {
      TEMPORAL_ADDRESS: env.temporalAddress,
      KYC_TASK_QUEUE: env.taskQueue,
      TECHNEST_API_URL: env.partnerUrl,
      TECHNEST_API_KEY: env.partnerApiKey,
      KYC_SOURCE_ROOTS: env.sourceRoot,
      // Chaos runs review in seconds: below the production floor of 1 min between polls.
      KYC_MIN_POLL_INTERVAL: '500ms',
      KYC_WORKFLOW_BUNDLE: env.workflowBundlePath,
      ...(env.eventsUrl ? { KYC_EVENTS_URL: env.eventsUrl } : {}),
    },
    /kyc worker polling/,
  );
}

export function spawnReceiver(env: { temporalAddress: string; port: number; secret: string }): Promise<ProductProcess> {
  return spawnProductProcess(
    'webhook-receiver/main.ts',
    { TEMPORAL_ADDRESS: env.temporalAddress, WEBHOOK_PORT: String(env.port), WEBHOOK_SECRET: env.secret },
    /listening on http:\/\/\S+\/webhooks\/technest/,
    { readyTimeoutMs: 30_000 },
  );
}
