// The worker's configuration, read from the environment once at start (contract §1–§3, §5).
// A bad or missing variable stops the process with a message that names it. The Temporal connection
// itself (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, API key, TLS) is read by ./connection.ts.
import { z } from 'zod';

const commaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
  .optional();

const workerEnvSchema = z.object({
  KYC_TASK_QUEUE: z.string().min(1).default('kyc'),
  TECHNEST_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:4010' }),
  TECHNEST_API_KEY: z.string({ error: 'is required (the partner API key, sent as a Bearer token)' }).min(1),
  KYC_EVENTS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  KYC_SOURCE_ROOTS: commaList,
  KYC_SOURCE_HOSTS: commaList,
  KYC_MAX_FILE_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** A workflow bundle built ahead of time (production images); unset → bundled at start. */
  KYC_WORKFLOW_BUNDLE: z.string().min(1).optional(),
});

export type WorkerConfig = z.output<typeof workerEnvSchema>;

export class ConfigError extends Error {}

export function parseWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  // An empty variable means "not set": shells and .env files often leave them blank.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = workerEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      return `  ${name}: ${issue.code === 'invalid_type' && present[name] === undefined ? 'is required' : issue.message}`;
    });
    throw new ConfigError(`Invalid worker configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Said once at start: an unbounded source policy lets a workflow input make the worker read anything. */
export function sourcePolicyWarnings(config: WorkerConfig): string[] {
  const warnings: string[] = [];
  if (!config.KYC_SOURCE_ROOTS) warnings.push('KYC_SOURCE_ROOTS is unset: document paths may point anywhere on this machine');
  if (!config.KYC_SOURCE_HOSTS) warnings.push('KYC_SOURCE_HOSTS is unset: document URLs may point at any host');
  return warnings;
}
