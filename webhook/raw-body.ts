// The webhook's body as the partner sent it, byte for byte: the signature covers the exact bytes, so nothing may
// decode, re-encode or parse them first. Capped, because the partner's events are a few hundred bytes and a
// sender that streams more is not the partner.
import type { Readable } from 'node:stream';

/** The largest body accepted (64 KiB); a larger one is answered 413 without being kept. */
export const webhookBodyLimit = 64 * 1024;

/** The length a request's Content-Length header declares; undefined when it declares none (or nonsense). */
export function declaredLength(header: string | undefined): number | undefined {
  const length = Number(header);
  return header === undefined || !Number.isInteger(length) || length < 0 ? undefined : length;
}

export type RawBody = { ok: true; bytes: Buffer } | { ok: false; tooLarge: true };

/**
 * Reads `body` (an `http.IncomingMessage`) up to `limit` bytes. Past the limit it stops keeping bytes but lets the
 * rest flow away unread, rather than destroying the stream: destroying a request destroys its socket, and the
 * sender would never see the 413. Rejects when the sender goes away mid-body (nobody is left to answer).
 */
export function readRawBody(body: Readable, limit = webhookBodyLimit): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        stop();
        body.resume();
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve({ ok: true, bytes: Buffer.concat(chunks, received) });
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    // 'close' before 'end': the connection went away with the body half sent.
    const onClose = () => onError(new Error('the request was aborted before its body was complete'));
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}
