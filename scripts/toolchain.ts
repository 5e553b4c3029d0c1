// Finds the Temporal binaries this project runs against, in a fixed and documented order:
//   1. an explicit path in the environment (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH)
//   2. the local install made by scripts/install-temporal.sh (.temporal/bin)
//   3. a binary on PATH
//   4. nothing: the SDK's own download (works only on machines with internet access)
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const projectRoot = resolve(__dirname, '..');
const defaultLocalBin = join(projectRoot, '.temporal', 'bin');

/** Where to look; tests point it elsewhere. */
export interface SearchPlaces {
  env?: NodeJS.ProcessEnv;
  localBin?: string;
}

export interface ResolvedBinary {
  path: string;
  from: 'env' | 'local' | 'PATH';
}

interface Spec {
  envVar: string;
  name: string;
}

const cliSpec: Spec = { envVar: 'TEMPORAL_CLI_PATH', name: 'temporal' };
const testServerSpec: Spec = { envVar: 'TEMPORAL_TEST_SERVER_PATH', name: 'temporal-test-server' };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function places(spec: Spec, { env = process.env, localBin = defaultLocalBin }: SearchPlaces) {
  const found: Array<{ path: string; from: ResolvedBinary['from'] }> = [];
  const explicit = env[spec.envVar];
  if (explicit) found.push({ path: resolve(explicit), from: 'env' });
  found.push({ path: join(localBin, spec.name), from: 'local' });
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    found.push({ path: join(dir, spec.name), from: 'PATH' });
  }
  return found;
}

function find(spec: Spec, where: SearchPlaces): ResolvedBinary | undefined {
  const explicit = (where.env ?? process.env)[spec.envVar];
  if (explicit && !isExecutable(resolve(explicit))) {
    // A wrong explicit path is a mistake to report, not a reason to quietly use something else.
    throw new Error(`${spec.envVar}=${explicit} is not an executable file`);
  }
  return places(spec, where).find((p) => isExecutable(p.path));
}

function notFound(spec: Spec, where: SearchPlaces): Error {
  const tried = places(spec, where)
    .map((p) => `  - ${p.path} (${p.from})`)
    .join('\n');
  return new Error(
    `No ${spec.name} binary found. Tried:\n${tried}\n` +
      `Fix: run 'npm run toolchain' (installs the pinned binaries into .temporal/bin), ` +
      `or set ${spec.envVar} to an existing binary.`,
  );
}

export const findTemporalCli = (where: SearchPlaces = {}) => find(cliSpec, where);
export const findTestServer = (where: SearchPlaces = {}) => find(testServerSpec, where);

/** For callers that cannot fall back to a download: the binary, or an error naming every place tried. */
export function requireTemporalCli(where: SearchPlaces = {}): ResolvedBinary {
  const found = findTemporalCli(where);
  if (!found) throw notFound(cliSpec, where);
  return found;
}

export function requireTestServer(where: SearchPlaces = {}): ResolvedBinary {
  const found = findTestServer(where);
  if (!found) throw notFound(testServerSpec, where);
  return found;
}

/** The SDK's `executable` option: the resolved binary, else the SDK's own download (order step 4). */
export function sdkExecutable(found: ResolvedBinary | undefined) {
  return found ? ({ type: 'existing-path', path: found.path } as const) : ({ type: 'cached-download' } as const);
}
