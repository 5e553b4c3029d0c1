// The Temporal server and its SQL tool at the pinned version, with the PostgreSQL schema files of the same module:
// built once by scripts/install-stack.sh into .temporal/stack-bin/<version>/ (git-ignored), reused afterwards.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../toolchain';
import { readStackVersions } from './versions';

export interface StackBinaries {
  version: string;
  server: string;
  sqlTool: string;
  /** Holds temporal/versioned and visibility/versioned (schema/postgresql/v12 of the module). */
  schemaDir: string;
}

export function stackBinaries(version = readStackVersions().temporal): StackBinaries {
  const dir = join(projectRoot, '.temporal', 'stack-bin', version);
  return {
    version,
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema'),
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function stackBinariesPresent(binaries = stackBinaries()): boolean {
  return (
    isExecutable(binaries.server) && isExecutable(binaries.sqlTool) && existsSync(join(binaries.schemaDir, 'temporal'))
  );
}

/** The binaries, built first when missing (minutes on a cold machine). Returns how long the build took, 0 if none. */
export function ensureStackBinaries(options: { quiet?: boolean } = {}): StackBinaries & { buildMs: number } {
  const binaries = stackBinaries();
  if (stackBinariesPresent(binaries)) return { ...binaries, buildMs: 0 };
  const started = Date.now();
  const result = spawnSync('bash', [join(projectRoot, 'scripts', 'install-stack.sh')], {
    cwd: projectRoot,
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
  });
  if (result.status !== 0 || !stackBinariesPresent(binaries)) {
    throw new Error(`scripts/install-stack.sh failed (exit ${result.status}):\n${result.stderr ?? ''}`);
  }
  return { ...binaries, buildMs: Date.now() - started };
}
