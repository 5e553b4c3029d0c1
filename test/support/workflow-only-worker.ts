// A worker process that runs workflow tasks and no activity, for tests that need the worker holding a run (its
// sticky queue) to die while the run's activities go on elsewhere — as when the host of one worker of many dies.
// Env: TEMPORAL_ADDRESS, KYC_TASK_QUEUE, KYC_WORKFLOW_BUNDLE (the product's names, docs/operations.md).
import { NativeConnection, Worker } from '@temporalio/worker';
import { dataConverterFromEnv } from '../../common/data-converter';

async function main(): Promise<void> {
  const { TEMPORAL_ADDRESS: address, KYC_TASK_QUEUE: taskQueue, KYC_WORKFLOW_BUNDLE: codePath } = process.env;
  if (!address || !taskQueue || !codePath) throw new Error('TEMPORAL_ADDRESS, KYC_TASK_QUEUE, KYC_WORKFLOW_BUNDLE');
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { codePath },
    dataConverter: dataConverterFromEnv(process.env),
    enableNonLocalActivities: false,
  });
  console.log(`workflow-only worker ${process.pid} polling task queue "${taskQueue}"`);
  await worker.run();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
