// Ports from one place, for tests, the chaos run and the bench: the OS picks a free port for a listener (`listen(0)`),
// and every helper below is built on that one call. Nothing guesses a port number.
import { createServer, type Server as NetServer } from 'node:net';

/** Anything that listens like node:net / node:http servers do. */
type Listener = Pick<NetServer, 'listen' | 'address' | 'once' | 'off'>;

/** Makes `server` listen on a port the OS picks (127.0.0.1 unless told) and returns that port. */
export function listenOnFreePort(server: Listener, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/** `count` distinct ports free right now on `host` (all held open together, then released), for a process to bind. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const probes = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(probes.map((probe) => listenOnFreePort(probe, host)));
  } finally {
    await Promise.all(probes.map((probe) => closeQuietly(probe)));
  }
}

/** One port free right now on `host`. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  return port!;
}

/** A URL on a port nobody listens on (found free, then released): a server that is down. */
export async function unusedUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** A port something is listening on until `close()`: for "the port is taken" tests. */
export async function takenPort(): Promise<{ port: number; close(): Promise<void> }> {
  const blocker = createServer();
  const port = await listenOnFreePort(blocker);
  return { port, close: () => closeQuietly(blocker) };
}

function closeQuietly(server: NetServer): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}
