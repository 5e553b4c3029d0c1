// `npm run webhooks`: the Technest webhook receiver alone, configured by the environment (contract §4, §5).
// SIGINT/SIGTERM: stop accepting, let in-flight deliveries finish, close the Temporal connection, exit 0.
import { Client, Connection } from '@temporalio/client';
import { temporalTarget } from '../../worker/connection';
import { parseWebhookConfig, WebhookConfigError } from './config';
import { PortInUseError, startWebhookReceiver } from './receiver';

class StartupError extends Error {}

async function main(): Promise<void> {
  const config = parseWebhookConfig(process.env);
  const target = temporalTarget(process.env);
  const address = target.connectionOptions.address;
  const connection = await Connection.connect(target.connectionOptions).catch((err: unknown) => {
    throw new StartupError(`cannot connect to Temporal at ${address} (TEMPORAL_ADDRESS): ${(err as Error).message}`);
  });
  try {
    const client = new Client({ connection, namespace: target.namespace });
    const receiver = await startWebhookReceiver({
      client,
      secrets: config.WEBHOOK_SECRET,
      port: config.WEBHOOK_PORT,
      host: config.WEBHOOK_HOST,
      logger: true,
    }).catch((err: unknown) => {
      if (err instanceof PortInUseError) {
        throw new StartupError(`WEBHOOK_PORT ${err.port} is already in use on ${err.host}: stop what holds it or set WEBHOOK_PORT`);
      }
      throw err;
    });
    console.log(
      `technest webhook receiver listening on ${receiver.webhookUrl} (Temporal ${address}, namespace ${target.namespace}, ` +
        `${config.WEBHOOK_SECRET.length} secret(s))`,
    );
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    console.log(`${signal}: finishing in-flight deliveries, then stopping`);
    await receiver.close();
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof WebhookConfigError || err instanceof StartupError ? err.message : err);
    process.exit(1);
  },
);
