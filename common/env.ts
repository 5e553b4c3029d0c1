// Reading the environment, the same way in every process: an empty variable means "not set" (shells and .env files
// often leave them blank), and a bad or missing variable stops the process with a message that names it — never its
// value, which may be a key or a token. Each process keeps its own schema; the pieces below are shared.
import ms from 'ms';
import { z } from 'zod';

/** A configuration the process cannot start with; the message names every bad variable. */
export class ConfigError extends Error {}

/** A TCP port; 0 asks the system for a free one. */
export const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a port number')
  .min(0, 'must be a port number')
  .max(65535, 'must be a port number');

/** "a, b,c" → ['a', 'b', 'c']; empty items dropped. */
export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/**
 * Milliseconds of "30s", "2m", "1500ms", "1.5h" (the `ms` package's grammar) or a bare number of milliseconds;
 * NaN for anything else.
 */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parsed = ms(trimmed as ms.StringValue) as number | undefined;
  return typeof parsed === 'number' ? parsed : NaN;
}

/** A positive duration, parsed to milliseconds; `example` goes into the message, e.g. "10s". */
export const duration = (example: string) =>
  z.string().transform((value, ctx) => {
    const parsed = durationMs(value);
    if (!Number.isFinite(parsed) || parsed <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a positive duration such as ${example} or a number of milliseconds`,
      });
      return z.NEVER;
    }
    return parsed;
  });

/** The variables that are set to something: an empty one is treated as unset. */
export function presentEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

export interface ParseEnvOptions {
  /** Opens the message, e.g. "Invalid worker configuration". */
  title: string;
  /** The error thrown; ConfigError unless the process has its own subclass. */
  error?: new (message: string) => Error;
  /** Say just "is required" for a missing variable, instead of its schema's message. */
  bareRequired?: boolean;
}

/** Parses the set variables with `schema`, or throws one error listing every bad variable by name. */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  env: NodeJS.ProcessEnv,
  options: ParseEnvOptions,
): z.output<T> {
  const present = presentEnv(env);
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    // Messages only: zod's issues never echo the values.
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const missing = options.bareRequired && issue.code === 'invalid_type' && present[name] === undefined;
      return `  ${name}: ${missing ? 'is required' : issue.message}`;
    });
    throw new (options.error ?? ConfigError)(`${options.title}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
