// An http(s) document source (e.g. a pre-signed object-store URL), read under the policy and with two
// clocks: the headers must come within the timeout, and then no wait between two body chunks may exceed
// it. A source that stalls fails the read as a retryable problem instead of holding the activity (and its
// upload intent) until the activity's own timeout.
import { Readable } from 'node:stream';
import { safeUrl } from './redact';
import { checkSize, SourceProblem } from './source-problem';
import type { OpenedSource, SourcePolicy } from './sources';

export const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;

export async function openUrl(url: URL, policy: SourcePolicy, signal: AbortSignal | undefined): Promise<OpenedSource> {
  const label = safeUrl(url);
  if (policy.sourceHosts !== undefined && !hostAllowed(url, policy.sourceHosts)) {
    throw new SourceProblem(`host ${url.hostname} is not in KYC_SOURCE_HOSTS`);
  }
  const timeoutMs = policy.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS;
  // Our own controller (not AbortSignal.timeout): it must stop the wait for headers without limiting a long,
  // steadily moving body; it also closes the connection when the reader gives up.
  const connection = new AbortController();
  const headersTimer = setTimeout(
    () => connection.abort(new SourceProblem(`cannot read ${label}: no answer within ${timeoutMs} ms`, true)),
    timeoutMs,
  );
  let response: Response;
  try {
    // No redirects: a redirect could lead to a host the policy never saw.
    response = await fetch(url, {
      method: 'GET',
      redirect: 'error',
      signal: signal ? AbortSignal.any([signal, connection.signal]) : connection.signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    if (connection.signal.reason instanceof SourceProblem) throw connection.signal.reason;
    throw new SourceProblem(`cannot read ${label}: ${fetchReason(error)}`, true);
  } finally {
    clearTimeout(headersTimer);
  }
  if (!response.ok || response.body === null) {
    connection.abort();
    const transient = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new SourceProblem(`cannot read ${label}: GET answered ${response.status}`, transient);
  }
  const declared = response.headers.get('content-length');
  const size = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (size !== undefined) {
    try {
      checkSize(size, policy.maxFileBytes);
    } catch (error) {
      connection.abort();
      throw error;
    }
  }
  const stream = bodyWithIdleTimeout(response.body.getReader(), timeoutMs, connection, label);
  return { label, size, stream };
}

/**
 * The body as a Node stream whose every read must yield within `idleMs`. Only the wait for the source is
 * timed (from a read request to its chunk): a slow consumer downstream never trips it.
 */
function bodyWithIdleTimeout(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  idleMs: number,
  connection: AbortController,
  label: string,
): Readable {
  let timer: NodeJS.Timeout | undefined;
  const stream = new Readable({
    read() {
      timer = setTimeout(
        () => stream.destroy(new SourceProblem(`cannot read ${label}: no data for ${idleMs} ms`, true)),
        idleMs,
      );
      reader.read().then(
        ({ done, value }) => {
          clearTimeout(timer);
          if (stream.destroyed) return;
          stream.push(done ? null : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!stream.destroyed) stream.destroy(new SourceProblem(`cannot read ${label}: ${fetchReason(error)}`, true));
        },
      );
    },
    destroy(error, callback) {
      clearTimeout(timer);
      // Closes the connection: the source server sees us leave instead of a reader that never comes back.
      connection.abort();
      reader.cancel().catch(() => undefined);
      callback(error);
    },
  });
  return stream;
}

/** Entries are host names (any port) or host:port; IPv6 with or without brackets. */
export function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const host = url.host.toLowerCase();
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === host || e.replace(/^\[(.*)\]$/, '$1') === hostname;
  });
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
