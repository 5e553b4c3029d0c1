// The Temporal connection, per @temporalio/envconfig conventions: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TEMPORAL_TLS_* and TEMPORAL_PROFILE / a config file all work as the `temporal` CLI reads them.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

export interface TemporalTarget {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

export function temporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const loaded = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  return {
    connectionOptions: { ...loaded.connectionOptions, address: loaded.connectionOptions.address ?? '127.0.0.1:7233' },
    namespace: loaded.namespace ?? 'default',
  };
}
