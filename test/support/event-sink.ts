// A stand-in for the backend's KYC_EVENTS_URL: records every event POSTed to it, with its Idempotency-Key.
import { createServer } from 'node:http';
import { listenOnFreePort } from '../../scripts/ports';

export interface ReceivedEvent {
  idempotencyKey: string | undefined;
  body: { type: string; customerId: string; customerReference: string; userMessage?: string; [k: string]: unknown };
}

export interface EventSinkOptions {
  /** The status answered for an event of this type (default 204); a 4xx is a refusal the worker must not retry. */
  answer?: (type: string) => number;
}

export async function startEventSink(options: EventSinkOptions = {}) {
  const events: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw) as ReceivedEvent['body'];
      const status = options.answer?.(body.type) ?? 204;
      if (status >= 300)
        return void res
          .writeHead(status, { 'content-type': 'application/json' })
          .end('{"error":"refused by the test backend"}');
      events.push({ idempotencyKey: req.headers['idempotency-key'] as string | undefined, body });
      res.writeHead(204).end();
    });
  });
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}/kyc-events`,
    events,
    for: (customerId: string) => events.filter((e) => e.body.customerId === customerId),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
