// The codec server's configuration, read from the environment once at start. A bad or missing variable stops the
// process with a message that names it, never its value (the keys and the token are secrets).
import { z } from 'zod';
import { ConfigError, parseEnv, port } from '../common/env';
import { parsePayloadKeys, PayloadKeysError, PAYLOAD_KEYS_VARIABLE } from '../common/payload-codec';

const codecEnvSchema = z.object({
  KYC_PAYLOAD_KEYS: z
    .string({ error: 'is required: the same keys as the worker (<key id>:<base64 32-byte key>, …)' })
    .transform((value, ctx) => {
      try {
        const keys = parsePayloadKeys(value);
        if (keys.length > 0) return keys;
        ctx.addIssue({ code: 'custom', message: 'must hold at least one key' });
      } catch (err) {
        if (!(err instanceof PayloadKeysError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message.replace(`${PAYLOAD_KEYS_VARIABLE}: `, '') });
      }
      return z.NEVER;
    }),
  KYC_CODEC_SERVER_TOKEN: z
    .string({ error: 'is required: the bearer token callers of the codec server must send' })
    .min(16, 'must be at least 16 characters'),
  KYC_CODEC_CORS_ORIGIN: z
    .url({ protocol: /^https?$/, error: 'must be the Web UI origin, e.g. http://127.0.0.1:8233' })
    .transform((value) => new URL(value).origin)
    .default('http://127.0.0.1:8233'),
  KYC_CODEC_PORT: port.default(8234),
  KYC_CODEC_HOST: z.string().min(1).default('127.0.0.1'),
});

export class CodecConfigError extends ConfigError {}

export type CodecServerConfig = z.output<typeof codecEnvSchema>;

export function parseCodecServerConfig(env: NodeJS.ProcessEnv): CodecServerConfig {
  return parseEnv(codecEnvSchema, env, { title: 'Invalid codec server configuration', error: CodecConfigError });
}
