// The receiver's configuration, read from the environment once at start (docs/webhook-receiver.md, "Configuration"). A
// bad or missing variable stops the process with a message that names it. Temporal itself is read by
// common/connection.ts.
import { z } from 'zod';
import { ConfigError, commaList, parseEnv, port } from '../common/env';
import { logLevels } from '../common/logging';

const webhookEnvSchema = z.object({
  WEBHOOK_PORT: port.default(3000),
  WEBHOOK_HOST: z.string().min(1).default('127.0.0.1'),
  // Several secrets while the partner rotates keys: the new one first, the old one still accepted until retired.
  WEBHOOK_SECRET: z
    .string({
      error: 'is required: the Technest webhook signing secret (comma-separated while rotating, newest first)',
    })
    .pipe(commaList)
    .refine((secrets) => secrets.length > 0, 'must hold at least one secret'),
  /** Prometheus /metrics on its own port (kept off the public webhook port); unset = none. Listens on WEBHOOK_HOST. */
  WEBHOOK_METRICS_PORT: port.optional(),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
});

export type WebhookConfig = z.output<typeof webhookEnvSchema>;

export class WebhookConfigError extends ConfigError {}

export function parseWebhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  return parseEnv(webhookEnvSchema, env, {
    title: 'Invalid webhook receiver configuration',
    error: WebhookConfigError,
  });
}
