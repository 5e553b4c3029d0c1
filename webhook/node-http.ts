// The webhook in a plain `node:http` server: a request listener that reads the raw body itself (capped) and writes
// the core's answer. Express hands its handlers the same request and response objects, so express.ts builds on it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { payloadTooLarge, type WebhookAnswer } from './answers';
import { signatureHeader, type TechnestWebhookHandler } from './handler';
import { declaredLength, readRawBody } from './raw-body';

/** Where the body comes from: the stream itself, bytes a raw-body parser already read, or nowhere any more. */
export type BodySource = { stream: true } | { bytes: Buffer } | { consumed: string };

/**
 * A `(req, res)` listener that answers every request it is given as a Technest delivery: route to it yourself
 * (`if (path === '/webhooks/technest') return technest(req, res)`), or hand it to `http.createServer` whole.
 */
export function technestNodeListener(
  handler: TechnestWebhookHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // Rejected only when the sender left mid-body: nobody is there to answer.
    answerNodeRequest(handler, req, res, { body: { stream: true } }).catch(() => res.destroy());
  };
}

export interface NodeRequestOptions {
  body: BodySource;
  /** The path as the sender wrote it, when a router rewrote `req.url` (Express's `originalUrl`). */
  url?: string | undefined;
}

/** Reads the body `options.body` names, lets the core decide, writes the answer. Rejects only when the sender left. */
export async function answerNodeRequest(
  handler: TechnestWebhookHandler,
  req: IncomingMessage,
  res: ServerResponse,
  { body: source, url = req.url }: NodeRequestOptions,
): Promise<void> {
  const head = {
    method: req.method ?? 'GET',
    path: (url ?? '/').split('?', 1)[0],
    contentType: req.headers['content-type'],
    contentLength: declaredLength(req.headers['content-length']),
  };
  const early = handler.refuseBeforeBody(head);
  // The body was not read: close the connection after answering rather than drain whatever the sender streams.
  if (early) return writeAnswer(res, early, 'stream' in source && bodyFollows(req));
  if ('consumed' in source) return writeAnswer(res, handler.bodyAlreadyConsumed(source.consumed));

  let rawBody: Buffer;
  if ('bytes' in source) {
    rawBody = source.bytes;
  } else {
    const read = await readRawBody(req, handler.bodyLimit);
    if (!read.ok) return writeAnswer(res, payloadTooLarge(), true);
    rawBody = read.bytes;
  }
  const answer = await handler.handle({ ...head, rawBody, signatureHeader: req.headers[signatureHeader] });
  writeAnswer(res, answer);
}

function bodyFollows(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function writeAnswer(res: ServerResponse, answer: WebhookAnswer, closeConnection = false): void {
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-length': String(Buffer.byteLength(body)),
    ...(closeConnection ? { connection: 'close' } : {}),
  });
  res.end(body);
}
