// Starts (or reuses) a local Temporal dev server with the Web UI and the search
// attributes of docs/workflow.md, its history kept in a SQLite file so runs survive a restart.
// `npm run temporal` runs it in the foreground until Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { kycSearchAttributes } from '../workflows/search-attributes';
import { projectRoot, requireTemporalCli } from './toolchain';

export interface DevServerOptions {
  ip?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  /** SQLite file; defaults to .data/temporal.sqlite. */
  dbFile?: string;
  readyTimeoutMs?: number;
  /** Where the server's own log goes; defaults to .data/temporal-server.log. */
  logFile?: string;
  /** A remote codec server the Web UI decodes payloads with (`--ui-codec-endpoint`); ignored when reusing a server. */
  uiCodecEndpoint?: string;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  /** True when a server was already listening and this call only made sure of the search attributes. */
  reused: boolean;
  stop(): Promise<void>;
}

const indexedType: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

function isListening(ip: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: ip, port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

async function waitReady(address: string, deadline: number, child?: ChildProcess): Promise<Connection> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`temporal server exited with code ${child.exitCode} before it was ready`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`Temporal at ${address} was not ready in time: ${String(lastError)}`);
}

/** Registers the search attributes of docs/workflow.md that the namespace lacks (a reused server may have none). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing: { customAttributes?: Record<string, unknown> | null } = await connection.operatorService
    .listSearchAttributes({ namespace })
    .catch(() => ({ customAttributes: {} }));
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of kycSearchAttributes) {
    if (!existing.customAttributes?.[key.name]) missing[key.name] = indexedType[key.type]!;
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? 8233;
  const namespace = options.namespace ?? 'default';
  const address = `${ip}:${port}`;
  const uiUrl = `http://${ip}:${uiPort}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);

  if (await isListening(ip, port)) {
    const connection = await waitReady(address, deadline);
    await ensureSearchAttributes(connection, namespace);
    await connection.close();
    return { address, uiUrl, reused: true, stop: async () => {} };
  }

  const dataDir = join(projectRoot, '.data');
  mkdirSync(dataDir, { recursive: true });
  const cli = requireTemporalCli();
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--db-filename',
    options.dbFile ?? join(dataDir, 'temporal.sqlite'),
    '--log-level',
    'warn',
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    ...kycSearchAttributes.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${key.type === 'BOOL' ? 'Bool' : 'Keyword'}`,
    ]),
  ];
  const log = openSync(options.logFile ?? join(dataDir, 'temporal-server.log'), 'a');
  const child = spawn(cli.path, args, { stdio: ['ignore', log, log] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  try {
    const connection = await waitReady(address, deadline, child);
    await ensureSearchAttributes(connection, namespace);
    await connection.close();
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }

  return {
    address,
    uiUrl,
    reused: false,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

if (require.main === module) {
  startDevServer().then(
    (server) => {
      console.log(
        server.reused
          ? `Temporal is already running at ${server.address}; search attributes checked.`
          : `Temporal dev server at ${server.address}, Web UI ${server.uiUrl} (Ctrl-C stops it)`,
      );
      if (server.reused) return;
      const shutdown = () => void server.stop().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
