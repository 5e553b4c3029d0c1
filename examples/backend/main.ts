// Runs the example backend (examples/backend/README.md), configured by the environment. SIGINT/SIGTERM: stop
// accepting, let requests in flight finish, close the Temporal connection, exit 0.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KycClient, KycClientError } from '../../client/index';
import { webhookPath } from '../../webhook/index';
import { createBackendApp } from './app';

class ConfigError extends Error {}

function setting(name: string, fallback?: string): string {
  const value = process.env[name]?.trim() || fallback;
  if (!value) throw new ConfigError(`${name} is required (see examples/backend/README.md)`);
  return value;
}

async function main(): Promise<void> {
  const port = Number(setting('BACKEND_PORT', '3100'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('BACKEND_PORT must be a port number');
  const host = setting('BACKEND_HOST', '127.0.0.1');
  const partner = { url: setting('TECHNEST_API_URL'), apiKey: setting('TECHNEST_API_KEY') };
  const webhookSecrets = setting('WEBHOOK_SECRET')
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  // TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, KYC_TASK_QUEUE, KYC_PAYLOAD_KEYS: as the worker reads them.
  const kyc = await KycClient.connect();
  const server = createServer(createBackendApp({ kyc, partner, webhookSecrets }));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    const { address, port: bound } = server.address() as AddressInfo;
    const url = `http://${address}:${bound}`;
    console.log(`example backend listening on ${url} (the partner's webhooks: ${url}${webhookPath})`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    console.log(`${signal}: stopping`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await kyc.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const named = err instanceof ConfigError || err instanceof KycClientError;
    console.error(named ? err.message : err);
    process.exit(1);
  },
);
