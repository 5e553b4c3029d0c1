// Where a document's bytes come from, and where the worker is allowed to read them (docs/workflow.md, "Sources and
// where the worker may read"). One module for both the pre-flight check and the upload, so the two can never disagree
// on the policy: a path must stay inside KYC_SOURCE_ROOTS after resolving `..` and symlinks, a URL's host must be in
// KYC_SOURCE_HOSTS — otherwise an input could make the worker read /etc or fetch internal addresses.
import { constants as fsConstants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { safeUrl } from './redact';
import { checkSize, SourceProblem } from './source-problem';
import { openUrl } from './url-source';

export { checkSize, formatBytes, overLimit, SourceProblem } from './source-problem';

export interface SourcePolicy {
  /** Undefined = unrestricted. */
  sourceRoots?: readonly string[];
  /** Undefined = unrestricted. */
  sourceHosts?: readonly string[];
  maxFileBytes: number;
  /**
   * URL sources: the longest wait for the answer's headers, then between two chunks of its body (default
   * 10 s). A stalled source must fail the read, not hold the activity until its own timeout.
   */
  timeoutMs?: number;
}

export interface OpenedSource {
  /** Safe to log and to show: the path, or the URL without its query (pre-signed secrets). */
  label: string;
  /** Known before reading: the file's size, or the URL's Content-Length; undefined if the server did not say. */
  size: number | undefined;
  /** The bytes. Destroy it if you stop early: that closes the file or the connection. */
  stream: Readable;
}

/**
 * How much of a file one read takes. At the stream default (64 KiB) the worker paid per chunk — a read, a hash
 * update, a socket write, a buffer to collect — 760 times for a 50 MB PDF. Profiled on that upload, 256 KiB cut
 * the worker's CPU for it by 40 % and took it from 0.56 to 0.9 × curl's speed; 1 MiB gained little more, and its
 * chunks outlived young collections (up to 14 MiB of dead ones in the 20 MB upload's memory test, against 3 MiB).
 */
export const FILE_CHUNK_BYTES = 256 * 1024;

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
      throw new SourceProblem(
        `${requested} resolves to ${target}, which is outside the allowed source roots (KYC_SOURCE_ROOTS)`,
      );
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
    return {
      label: requested,
      size: stat.size,
      stream: handle.createReadStream({ autoClose: true, highWaterMark: FILE_CHUNK_BYTES }),
    };
  } catch (error) {
    await handle.close();
    throw error instanceof SourceProblem ? error : readProblem(error);
  }
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

function readProblem(error: unknown): SourceProblem {
  const err = error as NodeJS.ErrnoException;
  const code = err.code;
  // A missing or forbidden file stays that way; EMFILE, EIO and friends may pass on the next attempt.
  const permanent =
    code === 'ENOENT' ||
    code === 'EACCES' ||
    code === 'EISDIR' ||
    code === 'ENOTDIR' ||
    code === 'ELOOP' ||
    code === 'EPERM';
  const detail = (err.message ?? String(error)).replace(/^[A-Z]+: /, '');
  return new SourceProblem(`cannot read: ${code ? `${code} ` : ''}${detail}`, !permanent);
}
