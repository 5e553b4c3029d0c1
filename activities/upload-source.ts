// The source side of an upload: the document opened (a file opened and fstat'd, a URL answered 200 with
// its headers) and its size known, before any upload intent is requested — a source that cannot be read
// never costs the partner an intent. Its problems become the upload's typed failures.
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidKycInput, SourceChanged, SourceUnavailable } from '../workflows/failures';
import { ByteMeter } from './byte-meter';
import {
  checkSize,
  openSource,
  overLimit,
  SourceProblem,
  sourceLabel,
  type OpenedSource,
  type SourcePolicy,
} from './sources';

/** A source ready to stream into a PUT: its bytes and the exact length the PUT will announce. */
export interface ReadySource {
  source: string;
  opened: OpenedSource;
  size: number;
}

/** Opens the source under the same policy as the check: the input or the file may have changed since. */
export async function openForUpload(
  source: string,
  policy: SourcePolicy,
  signal: AbortSignal | undefined,
): Promise<ReadySource> {
  let opened = await open(source, policy, signal);
  if (opened.size !== undefined) return { source, opened, size: opened.size };
  // A URL that did not say its length: count it once, then read it again for the PUT.
  const size = await measure(source, opened, policy, signal);
  opened = await open(source, policy, signal);
  if (opened.size !== undefined && opened.size !== size) {
    opened.stream.destroy();
    throw sourceChanged(source, size, opened.size);
  }
  return { source, opened, size };
}

/** Counts a source whose size was not announced, within the size limit. */
async function measure(
  source: string,
  opened: OpenedSource,
  policy: SourcePolicy,
  signal: AbortSignal | undefined,
): Promise<number> {
  const meter = new ByteMeter({
    maxBytes: policy.maxFileBytes,
    onOverLimit: () => overLimit(0, policy.maxFileBytes, true),
  });
  const discard = new Writable({ write: (_chunk, _enc, done) => done() });
  try {
    await pipeline(opened.stream, meter, discard, ...(signal ? [{ signal }] : []));
    checkSize(meter.bytes, policy.maxFileBytes);
  } catch (error) {
    throw asUploadFailure(source, error, signal);
  }
  return meter.bytes;
}

async function open(source: string, policy: SourcePolicy, signal: AbortSignal | undefined): Promise<OpenedSource> {
  try {
    return await openSource(source, policy, signal);
  } catch (error) {
    throw asUploadFailure(source, error, signal);
  }
}

export function asUploadFailure(source: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (!(error instanceof SourceProblem)) return error;
  const message = `${sourceLabel(source)}: ${error.message}`;
  // Policy, size and type problems will not go away; a flaky source server may.
  return error.retryable
    ? ApplicationFailure.create({ message, nonRetryable: false, type: SourceUnavailable })
    : ApplicationFailure.create({ type: InvalidKycInput, nonRetryable: true, message });
}

export function sourceChanged(source: string, expected: number, actual: number): ApplicationFailure {
  // The next attempt re-reads the size; a file still being written settles.
  return ApplicationFailure.create({
    type: SourceChanged,
    nonRetryable: false,
    message: `${sourceLabel(source)} changed while uploading: expected ${expected} bytes, read ${actual}`,
  });
}
