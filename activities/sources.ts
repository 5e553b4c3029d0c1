// Where a document's bytes come from, and where the worker is allowed to read them (contract §2).
// One module for both the pre-flight check and the upload, so the two can never disagree on the policy:
// a path must stay inside KYC_SOURCE_ROOTS after resolving `..` and symlinks, a URL's host must be in
// KYC_SOURCE_HOSTS — otherwise an input could make the worker read /etc or fetch internal addresses.
import { constants as fsConstants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { safeUrl } from './redact';

export interface SourcePolicy {
  /** Undefined = unrestricted. */
  sourceRoots?: readonly string[];
  /** Undefined = unrestricted. */
  sourceHosts?: readonly string[];
  maxFileBytes: number;
}

/**
 * A reason a source cannot be used, worded for the person who sent the input. `retryable` marks the ones
 * that may pass later (a flaky source server); policy, size and type problems never will.
 */
export class SourceProblem extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'SourceProblem';
  }
}

export interface OpenedSource {
  /** Safe to log and to show: the path, or the URL without its query (pre-signed secrets). */
  label: string;
  /** Known before reading: the file's size, or the URL's Content-Length; undefined if the server did not say. */
  size: number | undefined;
  /** The bytes. Destroy it if you stop early: that closes the file or the connection. */
  stream: Readable;
}

type ParsedSource = { kind: 'file'; path: string } | { kind: 'url'; url: URL };

/** Reads the source string: an absolute path, a file:// URL or an http(s):// URL. */
export function parseSource(source: string): ParsedSource {
  if (/^https?:\/\//i.test(source)) {
    try {
      return { kind: 'url', url: new URL(source) };
    } catch {
      throw new SourceProblem('source is not a valid http(s) URL');
    }
  }
  if (/^file:/i.test(source)) {
    try {
      return { kind: 'file', path: fileURLToPath(source) };
    } catch (error) {
      throw new SourceProblem(`source is not a usable file:// URL (${(error as Error).message})`);
    }
  }
  if (path.isAbsolute(source)) return { kind: 'file', path: source };
  throw new SourceProblem('source must be an absolute path, a file:// URL or an http(s):// URL');
}

/** A label safe for logs and failure messages. */
export function sourceLabel(source: string): string {
  return /^https?:\/\//i.test(source) ? safeUrl(source) : source;
}

/**
 * Applies the policy, then opens the source for reading. Throws SourceProblem with a specific sentence.
 * The size limit is enforced here when the size is known up front; callers meter the stream for the rest.
 */
export async function openSource(source: string, policy: SourcePolicy, signal?: AbortSignal): Promise<OpenedSource> {
  const parsed = parseSource(source);
  return parsed.kind === 'file' ? openFile(parsed.path, policy) : openUrl(parsed.url, policy, signal);
}

async function openFile(requested: string, policy: SourcePolicy): Promise<OpenedSource> {
  const resolved = path.resolve(requested);
  let target = resolved;
  if (policy.sourceRoots !== undefined) {
    const roots = await resolveRoots(policy.sourceRoots);
    // Checked before touching the path at all: otherwise "cannot read: ENOENT" vs "outside" would tell a
    // caller which files exist outside the roots.
    if (!roots.some((r) => isInside(r.lexical, resolved) || isInside(r.real, resolved))) {
      throw new SourceProblem(`${requested} is outside the allowed source roots (KYC_SOURCE_ROOTS)`);
    }
    target = await realpath(resolved).catch((error: unknown) => {
      throw readProblem(error);
    });
    if (!roots.some((r) => isInside(r.real, target))) {
      throw new SourceProblem(`${requested} resolves to ${target}, which is outside the allowed source roots (KYC_SOURCE_ROOTS)`);
    }
  }
  // Open first, then stat the open descriptor: the size and kind we check are those of what we read.
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever, holding a libuv thread (and the
  // worker's shutdown); it changes nothing for the regular files we go on to read.
  const handle = await open(target, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK).catch((error: unknown) => {
    throw readProblem(error);
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new SourceProblem('cannot read: not a regular file');
    checkSize(stat.size, policy.maxFileBytes);
    return { label: requested, size: stat.size, stream: handle.createReadStream({ autoClose: true }) };
  } catch (error) {
    await handle.close();
    throw error instanceof SourceProblem ? error : readProblem(error);
  }
}

async function openUrl(url: URL, policy: SourcePolicy, signal: AbortSignal | undefined): Promise<OpenedSource> {
  const label = safeUrl(url);
  if (policy.sourceHosts !== undefined && !hostAllowed(url, policy.sourceHosts)) {
    throw new SourceProblem(`host ${url.hostname} is not in KYC_SOURCE_HOSTS`);
  }
  let response: Response;
  try {
    // No redirects: a redirect could lead to a host the policy never saw.
    response = await fetch(url, { method: 'GET', redirect: 'error', ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new SourceProblem(`cannot read ${label}: ${fetchReason(error)}`, true);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    const transient = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new SourceProblem(`cannot read ${label}: GET answered ${response.status}`, transient);
  }
  const declared = response.headers.get('content-length');
  const size = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (size !== undefined) {
    try {
      checkSize(size, policy.maxFileBytes);
    } catch (error) {
      await response.body.cancel().catch(() => undefined);
      throw error;
    }
  }
  const stream = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  return { label, size, stream };
}

export function checkSize(size: number, maxFileBytes: number): void {
  if (size === 0) throw new SourceProblem('file is empty');
  if (size > maxFileBytes) throw overLimit(size, maxFileBytes);
}

export function overLimit(size: number, maxFileBytes: number, stoppedReading = false): SourceProblem {
  return stoppedReading
    ? new SourceProblem(`more than ${formatBytes(maxFileBytes)}: over the ${formatBytes(maxFileBytes)} limit (stopped reading)`)
    : new SourceProblem(`${formatBytes(size)} is over the ${formatBytes(maxFileBytes)} limit`);
}

/** "12.3 MiB", "10 MiB", "512 KiB", "17 bytes". */
export function formatBytes(n: number): string {
  const units: Array<[number, string]> = [
    [1024 * 1024, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} byte${n === 1 ? '' : 's'}`;
}

async function resolveRoots(roots: readonly string[]): Promise<Array<{ lexical: string; real: string }>> {
  return Promise.all(
    roots.map(async (root) => {
      const lexical = path.resolve(root);
      // A root that does not exist yet can hold nothing; its lexical form is as good as any.
      const real = await realpath(lexical).catch(() => lexical);
      return { lexical, real };
    }),
  );
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** Entries are host names (any port) or host:port; IPv6 with or without brackets. */
function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const host = url.host.toLowerCase();
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === host || e.replace(/^\[(.*)\]$/, '$1') === hostname;
  });
}

function readProblem(error: unknown): SourceProblem {
  const err = error as NodeJS.ErrnoException;
  const code = err.code;
  // A missing or forbidden file stays that way; EMFILE, EIO and friends may pass on the next attempt.
  const permanent = code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EPERM';
  const detail = (err.message ?? String(error)).replace(/^[A-Z]+: /, '');
  return new SourceProblem(`cannot read: ${code ? `${code} ` : ''}${detail}`, !permanent);
}

function fetchReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (/redirect/i.test(cause.message)) return 'it answered a redirect, which is not followed';
    return code ? `${code} ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
