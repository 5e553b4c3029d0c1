// The Temporal connection, per @temporalio/envconfig conventions: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TEMPORAL_TLS_* and TEMPORAL_PROFILE / a config file all work as the `temporal` CLI reads them.
import { accessSync, constants, statSync } from 'node:fs';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError } from './env';

export interface TemporalTarget {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

export function temporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  checkTlsEnv(env);
  const loaded = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  return {
    connectionOptions: { ...loaded.connectionOptions, address: loaded.connectionOptions.address ?? '127.0.0.1:7233' },
    namespace: loaded.namespace ?? 'default',
  };
}

const tlsFiles = [
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
] as const;

/**
 * What envconfig would otherwise report as a bare ENOENT, or silently drop (a certificate without its key), named
 * by variable before anything connects: Temporal Cloud by mTLS needs both halves of the pair.
 */
export function checkTlsEnv(env: NodeJS.ProcessEnv): void {
  const set = (name: string) => (env[name] ?? '') !== '';
  const problems: string[] = [];
  for (const name of tlsFiles) {
    if (!set(name)) continue;
    const path = env[name]!;
    try {
      if (!statSync(path).isFile()) throw new Error('not a file');
      accessSync(path, constants.R_OK);
    } catch {
      problems.push(`  ${name}: cannot read ${path} (missing, not a file, or not readable)`);
    }
  }
  const cert = set('TEMPORAL_TLS_CLIENT_CERT_PATH') || set('TEMPORAL_TLS_CLIENT_CERT_DATA');
  const key = set('TEMPORAL_TLS_CLIENT_KEY_PATH') || set('TEMPORAL_TLS_CLIENT_KEY_DATA');
  if (cert && !key)
    problems.push(
      '  TEMPORAL_TLS_CLIENT_KEY_PATH: is required with a client certificate (or TEMPORAL_TLS_CLIENT_KEY_DATA)',
    );
  if (key && !cert)
    problems.push('  TEMPORAL_TLS_CLIENT_CERT_PATH: is required with a client key (or TEMPORAL_TLS_CLIENT_CERT_DATA)');
  if (problems.length) throw new ConfigError(`Invalid Temporal connection configuration:\n${problems.join('\n')}`);
}
