// Step 2 of docs/partner-api.md: PUT the bytes to the pre-signed URL. Streamed from the source straight into the
// request with a known Content-Length (S3-style stores refuse chunked uploads), hashed on the way, so a
// 20 MB file costs a few 256 KiB buffers (sources.ts). The partner key is never sent here: the URL is the credential.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import { readCappedText } from '../common/capped-body';
import { UploadUrlExpired } from '../workflows/failures';
import { activityLog, cancellationSignal, heartbeat, progressHeartbeat } from './activity-context';
import { ByteMeter } from './byte-meter';
import { kycActivityMetrics } from './metrics';
import { describeErrorBody, ERROR_BODY_LIMIT, failureForAnswer, failureForNoAnswer } from './http-failures';
import { safeUrl } from './redact';
import { SourceProblem, type SourcePolicy } from './sources';
import { asUploadFailure, openForUpload, sourceChanged, type ReadySource } from './upload-source';
import type { UploadedDocument, UploadIntent } from './types';

/** An intent this close to expiry would likely expire mid-PUT: ask for a fresh one instead. */
export const EXPIRY_SAFETY_MARGIN_MS = 5_000;

export interface UploadOptions {
  policy: SourcePolicy;
  /** Idle timeout of the PUT (no bytes moving), not a total: a big file on a slow link may take longer. */
  idleTimeoutMs: number;
}

/** Step 2 on its own: the intent's expiry checked before the source is even opened, then the PUT. */
export async function putDocument(
  req: { source: string; intent: UploadIntent },
  options: UploadOptions,
): Promise<UploadedDocument> {
  assertUsable(req.intent);
  const ready = await openForUpload(req.source, options.policy, cancellationSignal());
  return sendDocument(ready, req.intent, options);
}

/** An intent this close to expiry would likely expire mid-PUT: ask for a fresh one instead. */
function assertUsable(intent: UploadIntent): void {
  const expiresAt = Date.parse(intent.expiresAt);
  if (!(expiresAt - EXPIRY_SAFETY_MARGIN_MS > Date.now())) {
    throw ApplicationFailure.create({
      type: UploadUrlExpired,
      nonRetryable: true,
      message: `upload URL for ${intent.fileId} expired at ${intent.expiresAt} (or expires within ${EXPIRY_SAFETY_MARGIN_MS / 1000} s); nothing was sent`,
    });
  }
}

/** PUTs an already opened source to the intent's URL; the source is consumed or destroyed either way. */
export async function sendDocument(
  ready: ReadySource,
  intent: UploadIntent,
  options: UploadOptions,
): Promise<UploadedDocument> {
  const { opened: source, size } = ready;
  const target = safeUrl(intent.uploadUrl);
  try {
    assertUsable(intent);
  } catch (error) {
    source.stream.destroy();
    throw error;
  }
  const signal = cancellationSignal();
  activityLog.info('uploading KYC document', { fileId: intent.fileId, source: source.label, target, bytes: size });
  const meter = new ByteMeter({
    exactBytes: size,
    onLengthMismatch: (actual) => sourceChanged(ready.source, size, actual),
    // Heartbeats while sending are progress reports; more than one a second is noise.
    onProgress: progressHeartbeat('bytesSent'),
  });

  const startedAt = performance.now();
  const request = put(intent, size, options.idleTimeoutMs, signal);
  // The answer may come before the body is sent (a 403 from a store that does not wait), so the response
  // and the sending are awaited separately; the first error decides.
  let sendError: unknown;
  const sending = pipeline(source.stream, meter, request.body, ...(signal ? [{ signal }] : [])).catch(
    (error: unknown) => {
      sendError = error;
      request.body.destroy();
    },
  );
  let response: IncomingMessage;
  try {
    response = await request.response;
  } catch (error) {
    await sending;
    throw failureWhileSending(ready.source, target, sendError ?? error, signal, options.idleTimeoutMs);
  }
  if (response.statusCode === undefined || response.statusCode < 200 || response.statusCode > 299) {
    // Read the answer before stopping the body: stopping it closes the connection the answer is on.
    const failure = await failureForUpload(target, intent.fileId, response);
    source.stream.destroy();
    await sending;
    throw failure;
  }
  await sending;
  response.resume();
  if (sendError !== undefined)
    throw failureWhileSending(ready.source, target, sendError, signal, options.idleTimeoutMs);

  heartbeat({ bytesSent: meter.bytes });
  const uploaded = { bytes: meter.bytes, sha256: meter.sha256() };
  kycActivityMetrics.uploaded(uploaded.bytes, (performance.now() - startedAt) / 1000);
  activityLog.info('uploaded KYC document', { fileId: intent.fileId, bytes: uploaded.bytes, sha256: uploaded.sha256 });
  return uploaded;
}

function put(intent: UploadIntent, size: number, idleTimeoutMs: number, signal: AbortSignal | undefined) {
  const url = new URL(intent.uploadUrl);
  // Exactly the required headers, plus the length we know; a length or encoding of theirs would contradict it.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(intent.requiredHeaders)) {
    if (!/^(content-length|transfer-encoding)$/i.test(name)) headers[name] = value;
  }
  headers['Content-Length'] = String(size);
  const send = url.protocol === 'https:' ? https.request : http.request;
  const body = send(url, { method: 'PUT', headers, ...(signal ? { signal } : {}) });
  body.setTimeout(idleTimeoutMs, () => {
    body.destroy(Object.assign(new Error(`no progress for ${idleTimeoutMs} ms`), { name: 'TimeoutError' }));
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    body.once('response', resolve);
    body.once('error', reject);
  });
  response.catch(() => undefined); // awaited later; avoid an unhandled rejection meanwhile
  return { body, response };
}

function failureWhileSending(
  source: string,
  target: string,
  error: unknown,
  signal: AbortSignal | undefined,
  idleTimeoutMs: number,
): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof SourceProblem) return asUploadFailure(source, error, signal);
  return failureForNoAnswer(`PUT ${target}`, error, signal, idleTimeoutMs);
}

async function failureForUpload(
  target: string,
  fileId: string,
  response: IncomingMessage,
): Promise<ApplicationFailure> {
  const bodyText = await readCappedText(response, ERROR_BODY_LIMIT, { keepPartialOnError: true });
  response.destroy();
  const status = response.statusCode ?? 0;
  if (status === 403) {
    // A 403 there means the URL expired: request a fresh one (docs/partner-api.md, Step 2).
    const said = describeErrorBody(bodyText);
    return ApplicationFailure.create({
      type: UploadUrlExpired,
      nonRetryable: true,
      message: `PUT ${target} answered 403 for ${fileId}${said ? `: ${said}` : ''}; request a fresh upload intent`,
      details: [{ status }],
    });
  }
  const retryAfter = response.headers['retry-after'];
  return failureForAnswer(`PUT ${target}`, {
    status,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
    bodyText,
  });
}
