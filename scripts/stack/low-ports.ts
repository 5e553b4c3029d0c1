// Free ports below 32768 for the Temporal server's membership: its cluster_membership table stores the RPC port as
// a PostgreSQL smallint, so a port the OS hands out for listen(0) (32768–60999 on Linux) makes the server exit with
// "value … is out of range for type smallint". Candidates are drawn at random from 20000–32767 and each is proven
// free by listening on it; all are held together until every one is found, then released for the server to bind.
import { createServer, type Server } from 'node:net';

const low = 20_000;
const high = 32_767;

function tryListen(port: number, host: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => resolve(server));
  });
}

export async function freeLowPorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempt = 0; ports.length < count; attempt++) {
      if (attempt > 1000) throw new Error(`no ${count} free ports between ${low} and ${high} on ${host}`);
      const port = low + Math.floor(Math.random() * (high - low + 1));
      if (ports.includes(port)) continue;
      const server = await tryListen(port, host);
      if (!server) continue;
      held.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
