// Our own backend as the chaos run plays it (KYC_EVENTS_URL): it records every event POSTed to it, answers 503 to
// everything during outage windows, and refuses (422) the first arrival of a few chosen Idempotency-Keys.
// docs/workflow.md ("Events") promises each event at least once under `<workflowId>:<type>`, in order per customer, and
// never a KYC flow held up by this backend; invariants check that against what arrived here.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  key: string | undefined;
  type: string | undefined;
  customerId: string | undefined;
  /** What the backend answered: 503 (down), 422 (refused), 204 (accepted), 400 (not a JSON event). */
  answered: number;
  at: number;
}

export interface EventBackend {
  url: string;
  arrivals: Arrival[];
  /** The 503 window is open while true. */
  down: boolean;
  /** Keys refused (422) the first time they arrive. */
  refuse: Set<string>;
  close(): Promise<void>;
}

export async function startEventBackend(): Promise<EventBackend> {
  const backend: EventBackend = { url: '', arrivals: [], down: false, refuse: new Set(), close: async () => undefined };
  const refusedOnce = new Set<string>();
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const key = req.headers['idempotency-key'] as string | undefined;
      let body: { type?: unknown; customerId?: unknown } | undefined;
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        body = undefined;
      }
      let answered = 204;
      if (backend.down) answered = 503;
      else if (!body || !key) answered = 400;
      else if (backend.refuse.has(key) && !refusedOnce.has(key)) {
        refusedOnce.add(key);
        answered = 422;
      }
      backend.arrivals.push({
        key,
        type: typeof body?.type === 'string' ? body.type : undefined,
        customerId: typeof body?.customerId === 'string' ? body.customerId : undefined,
        answered,
        at: Date.now(),
      });
      res
        .writeHead(answered, { 'content-type': 'application/json' })
        .end(answered === 204 ? undefined : JSON.stringify({ answered }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  backend.url = `http://127.0.0.1:${port}/kyc-events`;
  backend.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return backend;
}
