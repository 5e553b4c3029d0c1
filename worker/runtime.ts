// The SDK runtime of the worker process, installed once before any connection: its logger is our JSON logger
// (workflow, activity and core logs alike), and its Prometheus endpoint serves the SDK's metrics together with
// the KYC metrics the workflows emit through `metricMeter` (workflows/metrics.ts). SIGINT/SIGTERM make the
// runtime shut every worker down gracefully: polling stops, in-flight activities get the grace time to finish.
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type pino from 'pino';
import { kycActivityHistogramBuckets } from '../activities/metrics';
import { kycHistogramBuckets } from '../workflows/metrics';
import { PinoSdkLogger } from '../common/logging';
import type { OpsConfig } from './ops-config';

export function installWorkerRuntime(ops: OpsConfig, log: pino.Logger): { metricsUrl?: string } {
  const bindAddress = ops.KYC_METRICS_PORT === undefined ? undefined : `${ops.KYC_OPS_HOST}:${ops.KYC_METRICS_PORT}`;
  Runtime.install({
    logger: new PinoSdkLogger(log),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(bindAddress && {
        metrics: {
          prometheus: {
            bindAddress,
            countersTotalSuffix: true,
            histogramBucketOverrides: { ...kycHistogramBuckets, ...kycActivityHistogramBuckets },
          },
        },
      }),
    },
  });
  return { metricsUrl: bindAddress && `http://${bindAddress}/metrics` };
}
