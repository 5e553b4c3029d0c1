// `npm run webhooks`: the Technest webhook receiver alone, configured by the environment (docs/webhook-receiver.md,
// "Configuration"). SIGINT/SIGTERM: stop accepting, let in-flight deliveries finish, close the Temporal connection,
// exit 0.
import { Client, Connection } from '@temporalio/client';
import { ConfigError } from '../common/env';
import { temporalTarget } from '../common/connection';
import { dataConverterFromEnv, payloadEncryptionWarning } from '../common/data-converter';
import { PayloadKeysError } from '../common/payload-codec';
import { createJsonLogger, jsonLoggerOptions } from '../common/logging';
import { parseWebhookConfig, WebhookConfigError } from './config';
import { createReceiverMetrics, startMetricsServer } from './metrics';
import { PortInUseError, startWebhookReceiver } from './receiver';

class StartupError extends Error {}

async function main(): Promise<void> {
  const config = parseWebhookConfig(process.env);
  const log = createJsonLogger(config.LOG_LEVEL, 'kyc-webhooks');
  const metrics = config.WEBHOOK_METRICS_PORT === undefined ? undefined : createReceiverMetrics();
  const dataConverter = dataConverterFromEnv(process.env);
  const encryptionWarning = payloadEncryptionWarning(process.env);
  if (encryptionWarning) log.warn(encryptionWarning);
  const target = temporalTarget(process.env);
  const address = target.connectionOptions.address;
  const connection = await Connection.connect(target.connectionOptions).catch((err: unknown) => {
    throw new StartupError(`cannot connect to Temporal at ${address} (TEMPORAL_ADDRESS): ${(err as Error).message}`);
  });
  try {
    const client = new Client({ connection, namespace: target.namespace, dataConverter });
    const receiver = await startWebhookReceiver({
      client,
      secrets: config.WEBHOOK_SECRET,
      port: config.WEBHOOK_PORT,
      host: config.WEBHOOK_HOST,
      logger: jsonLoggerOptions(config.LOG_LEVEL, 'kyc-webhooks'),
      metrics,
    }).catch((err: unknown) => {
      if (err instanceof PortInUseError) {
        throw new StartupError(
          `WEBHOOK_PORT ${err.port} is already in use on ${err.host}: stop what holds it or set WEBHOOK_PORT`,
        );
      }
      throw err;
    });
    const metricsServer =
      metrics && (await startMetricsServer(metrics, config.WEBHOOK_HOST, config.WEBHOOK_METRICS_PORT!));
    log.info(
      { metricsUrl: metricsServer?.url },
      `technest webhook receiver listening on ${receiver.webhookUrl} (Temporal ${address}, namespace ${target.namespace}, ` +
        `${config.WEBHOOK_SECRET.length} secret(s))`,
    );
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    log.info({ signal }, `${signal}: finishing in-flight deliveries, then stopping`);
    await receiver.close();
    await metricsServer?.close();
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const named =
      err instanceof WebhookConfigError ||
      err instanceof StartupError ||
      err instanceof PayloadKeysError ||
      err instanceof ConfigError;
    console.error(named ? err.message : err);
    process.exit(1);
  },
);
