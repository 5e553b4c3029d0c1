// The pinned versions of the production stack, read from deploy/versions.env: the one place both the compose file
// and this native stack take them from, so the two cannot drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../toolchain';

export const versionsFile = join(projectRoot, 'deploy', 'versions.env');

export interface StackVersions {
  /** The Temporal server and its SQL tool, e.g. 1.30.4 (built as go.temporal.io/server@v<version>). */
  temporal: string;
  /** The Web UI server, e.g. 2.53.1. */
  ui: string;
  /** The PostgreSQL major version the compose file runs; the native stack uses the machine's own. */
  postgres: string;
}

/** KEY=value lines; blank lines and # comments skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match && !line.trimStart().startsWith('#')) values[match[1]!] = match[2]!.replace(/^["']|["']$/g, '');
  }
  return values;
}

export function readStackVersions(file = versionsFile): StackVersions {
  const values = parseEnvFile(readFileSync(file, 'utf8'));
  const required = (key: string) => {
    const value = values[key];
    if (!value) throw new Error(`${file}: ${key} is missing`);
    return value;
  };
  return {
    temporal: required('TEMPORAL_VERSION'),
    ui: required('TEMPORAL_UI_VERSION'),
    postgres: required('POSTGRES_VERSION'),
  };
}
