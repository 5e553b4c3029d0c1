// Liveness and readiness of the worker process for an orchestrator: /livez answers while the process and its
// worker are alive; /readyz only while the worker is RUNNING (polling), so a draining worker leaves the pool.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { State } from '@temporalio/worker';

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

export async function startHealthServer(
  state: () => State | undefined,
  host: string,
  port: number,
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const current = state();
    const answer = (status: number, body: Record<string, unknown>) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, { error: 'use GET' });
    // Before the worker exists the process is starting: alive, not ready.
    if (path === '/livez')
      return current === 'FAILED'
        ? answer(503, { status: 'failed' })
        : answer(200, { status: 'ok', worker: current ?? 'STARTING' });
    if (path === '/readyz')
      return current === 'RUNNING'
        ? answer(200, { status: 'ready' })
        : answer(503, { status: 'not_ready', worker: current ?? 'STARTING' });
    return answer(404, { error: 'not found: /livez, /readyz' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
