// A stand-in for the backend's KYC_EVENTS_URL: records every event POSTed to it, with its Idempotency-Key.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  idempotencyKey: string | undefined;
  body: { type: string; customerId: string; customerReference: string; userMessage?: string; [k: string]: unknown };
}

export async function startEventSink() {
  const events: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      events.push({ idempotencyKey: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(raw) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/kyc-events`,
    events,
    for: (customerId: string) => events.filter((e) => e.body.customerId === customerId),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
