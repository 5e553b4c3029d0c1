// The receiver's configuration, read from the environment once at start (contract §4, §5). A bad or missing
// variable stops the process with a message that names it. Temporal itself is read by worker/connection.ts.
import { z } from 'zod';
import { logLevels } from '../../worker/logging';

const webhookEnvSchema = z.object({
  WEBHOOK_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a port number')
    .min(0, 'must be a port number')
    .max(65535, 'must be a port number')
    .default(3000),
  WEBHOOK_HOST: z.string().min(1).default('127.0.0.1'),
  // Several secrets while the partner rotates keys: the new one first, the old one still accepted until retired.
  WEBHOOK_SECRET: z
    .string({ error: 'is required: the Technest webhook signing secret (comma-separated while rotating, newest first)' })
    .transform((value) => value.split(',').map((secret) => secret.trim()).filter(Boolean))
    .refine((secrets) => secrets.length > 0, 'must hold at least one secret'),
  /** Prometheus /metrics on its own port (kept off the public webhook port); unset = none. Listens on WEBHOOK_HOST. */
  WEBHOOK_METRICS_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a port number')
    .min(0, 'must be a port number')
    .max(65535, 'must be a port number')
    .optional(),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
});

export type WebhookConfig = z.output<typeof webhookEnvSchema>;

export class WebhookConfigError extends Error {}

export function parseWebhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  // An empty variable means "not set": shells and .env files often leave them blank.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = webhookEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${String(issue.path[0] ?? 'environment')}: ${issue.message}`);
    throw new WebhookConfigError(`Invalid webhook receiver configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
