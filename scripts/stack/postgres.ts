// A throwaway PostgreSQL cluster for the native stack: initdb in a temp folder, listening on 127.0.0.1 on a port
// of our choice, password authentication over TCP like a real deployment. PostgreSQL refuses to run as root, so as
// root every command runs as the `postgres` system user (runuser), on a folder handed over to it.
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresOptions {
  /** A folder of its own (created if absent); the cluster lives in <dir>/data. */
  dir: string;
  port: number;
  user?: string;
  password?: string;
}

export interface PostgresCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  logFile: string;
  start(): Promise<void>;
  /** A fast shutdown (open sessions are disconnected, data flushed), as an operator's restart does. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  isRunning(): boolean;
}

/** The folder holding initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<major>/bin (newest first). */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const initdb = join(dir, 'initdb');
    if (existsSync(initdb)) return dirname(realpathSync(initdb));
  }
  const debian = '/usr/lib/postgresql';
  const majors = existsSync(debian) ? readdirSync(debian).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) if (existsSync(join(debian, major, 'bin', 'initdb'))) return join(debian, major, 'bin');
  throw new Error('PostgreSQL not found (no initdb on PATH or in /usr/lib/postgresql): run scripts/install-stack.sh');
}

/** As root, the command line that runs `argv` as the postgres user; otherwise `argv` itself. */
function asClusterOwner(argv: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [argv[0]!, argv.slice(1)];
  return ['runuser', ['-u', 'postgres', '--', ...argv]];
}

function handOver(dir: string): void {
  if (process.getuid?.() !== 0) return;
  // The postgres user must reach the folder: the temp folders above it (mkdtemp makes them 0700) become traversable.
  const top = resolve(tmpdir());
  for (let parent = dirname(resolve(dir)); parent.startsWith(`${top}/`); parent = dirname(parent)) {
    chmodSync(parent, statSync(parent).mode | 0o001);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: false }) as string[]) {
    chownSync(join(dir, entry), uid, gid);
  }
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  const user = options.user ?? 'temporal';
  const password = options.password ?? 'temporal';
  const dataDir = join(options.dir, 'data');
  const socketDir = join(options.dir, 'socket');
  const logFile = join(options.dir, 'postgres.log');
  mkdirSync(socketDir, { recursive: true });
  writeFileSync(join(options.dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
  handOver(options.dir);
  const pg = async (argv: string[]) => {
    const [file, args] = asClusterOwner(argv);
    return run(file, args, { cwd: options.dir, timeout: 120_000 });
  };
  await pg([
    join(bin, 'initdb'),
    '-D',
    dataDir,
    '-U',
    user,
    `--pwfile=${join(options.dir, 'pwfile')}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  const serverOptions = [
    `-p ${options.port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${socketDir}`,
    // Four Temporal services with a pool each, the SQL tool and psql sessions.
    '-c max_connections=200',
  ].join(' ');
  let running = false;
  const cluster: PostgresCluster = {
    host: '127.0.0.1',
    port: options.port,
    user,
    password,
    logFile,
    async start() {
      await pg([join(bin, 'pg_ctl'), '-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop() {
      if (!running) return;
      await pg([join(bin, 'pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    async restart() {
      await cluster.stop();
      await cluster.start();
    },
    isRunning: () => running,
  };
  await cluster.start();
  return cluster;
}
