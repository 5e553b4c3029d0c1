// The databases and their schema, applied as the official setup-postgres.sh of the admin-tools image does:
// temporal-sql-tool create-database, setup-schema -v 0.0 (the versioning tables), update-schema up to the newest
// version shipped in the pinned module. Idempotent: a database that exists is kept and brought up to date.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StackBinaries } from './binaries';
import type { PostgresCluster } from './postgres';

const run = promisify(execFile);

export const stackDatabases = { temporal: 'temporal', visibility: 'temporal_visibility' } as const;

/** `temporal-sql-tool` with the connection flags for `database`. */
async function sqlTool(binaries: StackBinaries, pg: PostgresCluster, database: string, command: string[]) {
  const args = [
    '--plugin',
    'postgres12',
    '--ep',
    pg.host,
    '-p',
    String(pg.port),
    '-u',
    pg.user,
    '--pw',
    pg.password,
    '--db',
    database,
    ...command,
  ];
  try {
    return await run(binaries.sqlTool, args, { timeout: 120_000 });
  } catch (err) {
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    throw new Error(`temporal-sql-tool ${command.join(' ')} on ${database} failed:\n${stderr ?? ''}${stdout ?? ''}`);
  }
}

export async function applySchema(binaries: StackBinaries, pg: PostgresCluster): Promise<void> {
  const plan: Array<[database: string, folder: string]> = [
    [stackDatabases.temporal, 'temporal'],
    [stackDatabases.visibility, 'visibility'],
  ];
  for (const [database, folder] of plan) {
    await sqlTool(binaries, pg, database, ['create-database']).catch((err: Error) => {
      if (!/already exists/.test(err.message)) throw err;
    });
    await sqlTool(binaries, pg, database, ['setup-schema', '-v', '0.0']);
    await sqlTool(binaries, pg, database, ['update-schema', '-d', join(binaries.schemaDir, folder, 'versioned')]);
  }
}
