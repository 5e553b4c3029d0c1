// `npm run worker`: the KYC worker alone, configured by the environment (contract §5).
// The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown: polling stops, in-flight work finishes.
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, parseWorkerConfig, sourcePolicyWarnings } from './config';
import { temporalTarget } from './connection';
import { createKycWorker } from './create-worker';

async function main(): Promise<void> {
  const config = parseWorkerConfig(process.env);
  for (const warning of sourcePolicyWarnings(config)) console.warn(`warning: ${warning}`);
  const target = temporalTarget(process.env);
  const connection = await NativeConnection.connect(target.connectionOptions);
  try {
    const worker = await createKycWorker({ connection, namespace: target.namespace, config });
    console.log(
      `kyc worker polling task queue "${config.KYC_TASK_QUEUE}" on ${target.connectionOptions.address} ` +
        `(namespace ${target.namespace}), partner ${config.TECHNEST_API_URL}`,
    );
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
