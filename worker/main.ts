// `npm run worker`: the KYC worker alone, configured by the environment (docs/operations.md, "Configuration").
// The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown: polling stops, in-flight work finishes.
import { NativeConnection, type Worker } from '@temporalio/worker';
import { temporalTarget } from '../common/connection';
import { dataConverterFromEnv, payloadEncryptionWarning } from '../common/data-converter';
import { ConfigError } from '../common/env';
import { createJsonLogger } from '../common/logging';
import { PayloadKeysError } from '../common/payload-codec';
import { setupTracing } from '../tracing/setup';
import { parseWorkerConfig, sourcePolicyWarnings } from './config';
import { createKycWorker } from './create-worker';
import { startHealthServer } from './health';
import { parseOpsConfig, workerTuning } from './ops-config';
import { installWorkerRuntime } from './runtime';

async function main(): Promise<void> {
  // First: the HTTP instrumentation must be in place before any activity calls the partner.
  const tracing = await setupTracing({ serviceName: 'kyc-worker' });
  const config = parseWorkerConfig(process.env);
  const ops = parseOpsConfig(process.env);
  // JSON logs and the Prometheus endpoint, before anything makes the SDK create its default runtime.
  const log = createJsonLogger(ops.LOG_LEVEL, 'kyc-worker');
  const { metricsUrl } = installWorkerRuntime(ops, log);
  if (tracing.enabled)
    log.info({ serviceName: tracing.serviceName }, `tracing on: spans exported to ${tracing.exportsTo}`);
  else log.info(`tracing off: ${tracing.why}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () =>
      log.info({ signal }, `${signal}: no new tasks; in-flight activities finish, then the worker stops`),
    );
  }
  const dataConverter = dataConverterFromEnv(process.env);
  for (const warning of sourcePolicyWarnings(config)) log.warn(warning);
  const encryptionWarning = payloadEncryptionWarning(process.env);
  if (encryptionWarning) log.warn(encryptionWarning);
  const target = temporalTarget(process.env);
  let worker: Worker | undefined;
  const health =
    ops.KYC_HEALTH_PORT === undefined
      ? undefined
      : await startHealthServer(() => worker?.getState(), ops.KYC_OPS_HOST, ops.KYC_HEALTH_PORT);
  const connection = await NativeConnection.connect(target.connectionOptions);
  try {
    worker = await createKycWorker({
      connection,
      namespace: target.namespace,
      config,
      dataConverter,
      overrides: workerTuning(ops),
      tracing,
    });
    log.info(
      { taskQueue: config.KYC_TASK_QUEUE, namespace: target.namespace, metricsUrl, healthUrl: health?.url },
      `kyc worker polling task queue "${config.KYC_TASK_QUEUE}" on ${target.connectionOptions.address} ` +
        `(namespace ${target.namespace}), partner ${config.TECHNEST_API_URL}`,
    );
    await worker.run();
    log.info('kyc worker stopped: in-flight work finished');
  } finally {
    await health?.close();
    await connection.close();
    // The spans of the last activities are still in the batch.
    await tracing.shutdown();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof ConfigError || err instanceof PayloadKeysError ? err.message : err);
    process.exit(1);
  },
);
