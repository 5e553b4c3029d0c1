// Renders the Temporal server's configuration from server-config.template.yaml: every `${NAME}` replaced, none left
// over (a field the template gained but nobody fills fails here, not as a server that listens on port "${…}").
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackDatabases } from './schema';

export const serverConfigTemplate = join(__dirname, 'server-config.template.yaml');
export const dynamicConfigFile = join(__dirname, 'dynamic-config.yaml');

export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
}

export const temporalPortNames: Array<keyof TemporalPorts> = [
  'frontend',
  'frontendHttp',
  'frontendMembership',
  'history',
  'historyMembership',
  'matching',
  'matchingMembership',
  'worker',
  'workerMembership',
  'metrics',
];

export interface ServerConfigInput {
  ports: TemporalPorts;
  db: { host: string; port: number; user: string; password: string };
  numHistoryShards?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export function renderServerConfig(input: ServerConfigInput, template = readFileSync(serverConfigTemplate, 'utf8')) {
  const values: Record<string, string | number> = {
    LOG_LEVEL: input.logLevel ?? 'warn',
    NUM_HISTORY_SHARDS: input.numHistoryShards ?? 4,
    DB_NAME: stackDatabases.temporal,
    VISIBILITY_DB_NAME: stackDatabases.visibility,
    DB_ADDRESS: `${input.db.host}:${input.db.port}`,
    DB_USER: JSON.stringify(input.db.user),
    DB_PASSWORD: JSON.stringify(input.db.password),
    METRICS_PORT: input.ports.metrics,
    FRONTEND_PORT: input.ports.frontend,
    FRONTEND_HTTP_PORT: input.ports.frontendHttp,
    FRONTEND_MEMBERSHIP_PORT: input.ports.frontendMembership,
    HISTORY_PORT: input.ports.history,
    HISTORY_MEMBERSHIP_PORT: input.ports.historyMembership,
    MATCHING_PORT: input.ports.matching,
    MATCHING_MEMBERSHIP_PORT: input.ports.matchingMembership,
    WORKER_PORT: input.ports.worker,
    WORKER_MEMBERSHIP_PORT: input.ports.workerMembership,
    DYNAMIC_CONFIG_FILE: dynamicConfigFile,
  };
  const rendered = template.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => {
    if (!(name in values)) throw new Error(`server config template: no value for ${whole}`);
    return String(values[name]);
  });
  return rendered;
}

export function writeServerConfig(file: string, input: ServerConfigInput): string {
  writeFileSync(file, renderServerConfig(input));
  return file;
}
