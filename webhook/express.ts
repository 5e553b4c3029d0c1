// The webhook in an Express app: `app.all('/webhooks/technest', technestExpressHandler(handler))` (`all`, so that
// a GET earns the contract's 405 rather than Express's 404). Express passes Node's own request and response, so
// this is node-http.ts plus one question: who read the body? The signature covers the exact bytes, so:
// - nobody (the handler is mounted before `express.json()`): it reads the stream itself, capped;
// - `express.raw({ type: 'application/json' })` on the route: those bytes are the raw body;
// - a parser that decoded it (`express.json()`, `express.text()` …): the bytes are gone, and every delivery would
//   fail its signature check; answered 500 `webhook_misconfigured` naming the fix, so the partner retries once the
//   mounting is fixed instead of dropping events as forged.
// Typed structurally (Express's Request and Response are these Node types), so nothing here needs express itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TechnestWebhookHandler } from './handler';
import { answerNodeRequest, type BodySource } from './node-http';

/** What Express adds to Node's request that matters here. */
export interface ExpressLikeRequest extends IncomingMessage {
  /** Set by a body parser that ran before this handler; unset (Express 5) when none did. */
  body?: unknown;
  originalUrl?: string;
}

const fix =
  'mount the webhook route before express.json() (or any body parser), or give it express.raw({ type: "application/json" })';

export function technestExpressHandler(
  handler: TechnestWebhookHandler,
): (req: ExpressLikeRequest, res: ServerResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    answerNodeRequest(handler, req, res, { body: bodySource(req), url: req.originalUrl }).catch(next);
  };
}

function bodySource(req: ExpressLikeRequest): BodySource {
  if (Buffer.isBuffer(req.body)) return { bytes: req.body };
  // A parsed body, or a stream some middleware drained without saying what it found.
  if (req.body !== undefined || req.readableEnded) return { consumed: fix };
  return { stream: true };
}
