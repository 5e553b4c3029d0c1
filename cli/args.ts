// Turning what an operator typed into typed values, with usage errors (exit 2) that say exactly what is wrong —
// all before anything is started.
import { existsSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { customerIdProblem, isCustomerId } from '../workflows/customer-id';
import { documentCategories, type ContentType, type DocumentCategory } from '../workflows/documents';
import type { KycInput } from '../workflows/input';

/** A mistake in the command line itself: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

/** The flags every command takes. */
export const commonOptions = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export function parseCommandLine(args: string[], options: Options): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...commonOptions, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (err) {
    // node's messages are good ("Unknown option '--x'"); only their advice on '--' is noise here.
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export function requiredString(values: Values, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`missing --${flag}`);
  return value;
}

export function optionalString(values: Values, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
}

export function onePositional(positionals: string[], what: string): string {
  const [value, ...extra] = positionals;
  if (!value) throw new UsageError(`missing ${what}`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return value;
}

/** A customer id as typed, checked against the one grammar every boundary uses (workflows/customer-id.ts). */
export function customerIdFrom(value: string, what = 'CUSTOMER_ID'): string {
  if (!isCustomerId(value)) throw new UsageError(`${what} ${JSON.stringify(value)} ${customerIdProblem}`);
  return value;
}

/** The one positional CUSTOMER_ID of status, result, resume. */
export function customerIdPositional(positionals: string[]): string {
  return customerIdFrom(onePositional(positionals, 'CUSTOMER_ID'));
}

/** The content types the partner accepts, by the extensions operators name their files with. */
const contentTypeByExtension: Readonly<Record<string, ContentType>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.pdf': 'application/pdf',
};

const isCategory = (value: string): value is DocumentCategory =>
  (documentCategories as readonly string[]).includes(value);

/**
 * `category=path` arguments → the input's documents. A path is made absolute (the worker resolves nothing relative
 * to the operator's directory); an http(s):// or file:// source is passed on as it is, for the worker to fetch.
 */
export function documentsFrom(args: string[], cwd = process.cwd()): KycInput['documents'] {
  if (args.length === 0) throw new UsageError('no documents: add at least id_document=PATH');
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    const category = arg.slice(0, eq);
    const where = arg.slice(eq + 1);
    if (eq <= 0 || where === '')
      throw new UsageError(`"${arg}" is not a document: write category=path, e.g. id_document=./passport.jpg`);
    if (!isCategory(category)) {
      throw new UsageError(
        `unknown document category "${category}" in "${arg}": use one of ${documentCategories.join(', ')}`,
      );
    }
    const isUrl = /^(https?|file):\/\//i.test(where);
    const pathPart = isUrl ? new URL(where).pathname : where;
    const contentType = contentTypeByExtension[extname(pathPart).toLowerCase()];
    if (!contentType) {
      throw new UsageError(`cannot tell the type of "${where}" (${category}): use a .jpg, .jpeg, .png or .pdf file`);
    }
    const source = isUrl ? where : resolve(cwd, where);
    if (!isUrl && !(existsSync(source) && statSync(source).isFile())) {
      throw new UsageError(`no such file: ${source} (${category})`);
    }
    return { category, filename: basename(decodeURIComponent(pathPart)), contentType, source };
  });
}

/** The timing flags, shared by `start` and `retry`. */
export const timingOptions = {
  'timing-first-poll': { type: 'string' },
  'timing-max-poll-interval': { type: 'string' },
  'timing-escalate-after': { type: 'string' },
} as const satisfies Options;

/** Durations as typed ("15m", or plain milliseconds); the input schema judges them, listing every bad one. */
export function timingFrom(values: Values): KycInput['timing'] | undefined {
  const duration = (flag: string) => {
    const value = optionalString(values, flag);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : value;
  };
  const timing = {
    firstPollAfter: duration('timing-first-poll'),
    maxPollInterval: duration('timing-max-poll-interval'),
    escalateAfter: duration('timing-escalate-after'),
  };
  const given = Object.entries(timing).filter(([, v]) => v !== undefined);
  return given.length ? Object.fromEntries(given) : undefined;
}
