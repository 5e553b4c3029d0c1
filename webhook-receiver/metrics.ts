// The receiver's Prometheus metrics: requests by route and answer code (the partner's view of us), and Temporal
// calls that failed (the 503s). Served on WEBHOOK_METRICS_PORT, apart from the public webhook port. Labels are
// route templates and status codes only: never a customer id or anything from a body.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ReceiverMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'code'>;
  duration: Histogram<'route'>;
  /** Signed, well-formed events by what became of them: delivered, duplicate, ignored (completed run), run_needs_resume, … */
  deliveries: Counter<'event' | 'answer'>;
}

export function createReceiverMetrics(): ReceiverMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kyc_webhook_process_' });
  return {
    registry,
    requests: new Counter({
      name: 'kyc_webhook_requests_total',
      help: 'Webhook receiver requests by route template, method and answer code',
      labelNames: ['route', 'method', 'code'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'kyc_webhook_request_duration_seconds',
      help: 'Time to answer, by route template',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'kyc_webhook_deliveries_total',
      help:
        'Signed, well-formed partner events by event and answer: delivered, duplicate (answered from memory, no ' +
        'signal), ignored_completed, run_needs_resume ' +
        '(a verdict for a failed/terminated run, refused with 503 until `kyc resume`), customer_not_found, temporal_unavailable',
      labelNames: ['event', 'answer'],
      registers: [registry],
    }),
  };
}

export async function startMetricsServer(metrics: ReceiverMetrics, host: string, port: number) {
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return res.writeHead(404).end();
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { address, port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
