// `npm run sandbox`: the partner simulator as its own process, configured from the environment.
import { z } from 'zod';
import { DEFAULT_API_KEY, DEFAULT_REVIEW_AFTER_MS } from './options';
import { startSandbox } from './server';

const port = z.coerce.number().int().min(0).max(65535);
const ms = (max: number) => z.coerce.number().int().min(0).max(max);

const envSchema = z.object({
  SANDBOX_PORT: port.default(4010),
  SANDBOX_HOST: z.string().default('127.0.0.1'),
  SANDBOX_API_KEY: z.string().min(8).default(DEFAULT_API_KEY),
  SANDBOX_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  SANDBOX_WEBHOOK_SECRET: z.string().min(1).optional(),
  SANDBOX_REVIEW: z.enum(['verify', 'reject', 'never']).default('verify'),
  SANDBOX_REVIEW_AFTER_MS: ms(7 * 24 * 3600 * 1000).default(DEFAULT_REVIEW_AFTER_MS),
  SANDBOX_REJECTION_REASON: z.string().min(1).optional(),
  SANDBOX_UPLOAD_TTL_MS: ms(24 * 3600 * 1000)
    .min(1)
    .optional(),
});

/** Our variables only, with empty strings read as unset (as `FOO= npm run sandbox` means). */
function sandboxEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[0].startsWith('SANDBOX_') && entry[1] !== undefined && entry[1] !== '',
    ),
  );
}

function fail(message: string): never {
  console.error(`sandbox: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(sandboxEnv());
  if (!parsed.success) {
    fail(parsed.error.issues.map((issue) => `invalid ${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  const env = parsed.data;
  if (env.SANDBOX_WEBHOOK_URL && !env.SANDBOX_WEBHOOK_SECRET) {
    fail('missing SANDBOX_WEBHOOK_SECRET: it is required when SANDBOX_WEBHOOK_URL is set (events are signed)');
  }

  const sandbox = await startSandbox({
    port: env.SANDBOX_PORT,
    host: env.SANDBOX_HOST,
    apiKey: env.SANDBOX_API_KEY,
    webhookUrl: env.SANDBOX_WEBHOOK_URL,
    webhookSecret: env.SANDBOX_WEBHOOK_SECRET,
    review: { outcome: env.SANDBOX_REVIEW, afterMs: env.SANDBOX_REVIEW_AFTER_MS, reason: env.SANDBOX_REJECTION_REASON },
    uploadUrlTtlMs: env.SANDBOX_UPLOAD_TTL_MS,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') {
      fail(`port ${env.SANDBOX_PORT} on ${env.SANDBOX_HOST} is already in use (set SANDBOX_PORT to another port)`);
    }
    if (error.code === 'EACCES') fail(`not allowed to listen on port ${env.SANDBOX_PORT} (SANDBOX_PORT)`);
    throw error;
  });

  // The API key is a credential: say whether it is the default, never print it.
  console.log(`sandbox: Technest KYC rail simulator listening on ${sandbox.url}`);
  console.log(
    `sandbox: review ${env.SANDBOX_REVIEW}${env.SANDBOX_REVIEW === 'never' ? '' : ` after ${env.SANDBOX_REVIEW_AFTER_MS} ms`}; ` +
      `webhooks ${env.SANDBOX_WEBHOOK_URL ? `to ${env.SANDBOX_WEBHOOK_URL}` : 'off (polling only)'}; ` +
      `api key ${env.SANDBOX_API_KEY === DEFAULT_API_KEY ? 'default' : 'from SANDBOX_API_KEY'}`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`sandbox: ${signal} received, shutting down`);
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('sandbox: error while shutting down', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('sandbox: failed to start', error);
  process.exit(1);
});
