// The stack's Temporal half: a throwaway PostgreSQL cluster with the schema applied, the Temporal server on it
// (persistence and SQL visibility), the namespace and the contract's search attributes. The native stack
// (stack.ts) adds the product's processes to it; the bench (bench/stack.ts) its own.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../ports';
import { ensureStackBinaries } from './binaries';
import { freeLowPorts } from './low-ports';
import { ensureNamespace } from './namespace';
import { startPostgres, type PostgresCluster } from './postgres';
import { applySchema } from './schema';
import { temporalPortNames, writeServerConfig, type TemporalPorts } from './server-config';
import { temporalServer, type TemporalServer } from './temporal-server';

export interface TemporalOnPostgresOptions {
  /** A folder of its own: PostgreSQL's cluster (<dir>/postgres), the server's config and log. Not removed here. */
  dir: string;
  namespace?: string;
  numHistoryShards?: number;
  /** Runs each step of the start (build, postgres, schema, temporal, namespace), e.g. to time it. */
  phase?: <T>(name: string, work: () => Promise<T> | T) => Promise<T>;
  /** Aborted (Ctrl-C) while starting: what has started is stopped once the step under way ends, and the start fails. */
  signal?: AbortSignal;
}

export interface TemporalOnPostgres {
  address: string;
  namespace: string;
  metricsUrl: string;
  logFile: string;
  pg: PostgresCluster;
  server: TemporalServer;
  /** The server first, then PostgreSQL. */
  stop(): Promise<void>;
}

export async function startTemporalOnPostgres(options: TemporalOnPostgresOptions): Promise<TemporalOnPostgres> {
  const phase = options.phase ?? (async (_name, work) => work());
  // Between steps, once what the last one started can be stopped.
  const checkpoint = () => options.signal?.throwIfAborted();
  const logFile = join(options.dir, 'temporal-server.log');
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    // Every step is tried: PostgreSQL is stopped even when the server would not stop cleanly.
    let first: unknown;
    for (const next of stops.splice(0).reverse()) await next().catch((err: unknown) => (first ??= err));
    if (first !== undefined)
      throw first instanceof Error ? first : new Error(`stopping the stack failed: ${JSON.stringify(first)}`);
  };
  try {
    const binaries = await phase('build', () => ensureStackBinaries({ quiet: true }));
    checkpoint();
    const pgPort = await freePort();
    const low = await freeLowPorts(temporalPortNames.length);
    const ports = Object.fromEntries(temporalPortNames.map((name, i) => [name, low[i]!])) as unknown as TemporalPorts;

    const pgDir = join(options.dir, 'postgres');
    mkdirSync(pgDir);
    const pg = await phase('postgres', () => startPostgres({ dir: pgDir, port: pgPort }));
    stops.push(() => pg.stop());
    checkpoint();
    await phase('schema', () => applySchema(binaries, pg));
    checkpoint();

    const configFile = writeServerConfig(join(options.dir, 'temporal.yaml'), {
      ports,
      db: pg,
      numHistoryShards: options.numHistoryShards ?? 4,
    });
    const address = `127.0.0.1:${ports.frontend}`;
    const server = temporalServer({ binary: binaries.server, configFile, address, logFile });
    stops.push(() => server.stop());
    await phase('temporal', () => server.start());
    checkpoint();
    const namespace = options.namespace ?? 'default';
    await phase('namespace', () => ensureNamespace(address, namespace));
    checkpoint();
    return { address, namespace, metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`, logFile, pg, server, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
