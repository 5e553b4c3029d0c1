// `npm run stack`: the production topology on this machine, in the foreground until Ctrl-C / SIGTERM, which stops
// everything cleanly (workers drained, receiver, sandbox, Temporal server, PostgreSQL; temp folder removed).
import { startStack } from './stack';

async function main(): Promise<void> {
  console.log('Starting the native production stack (first run builds Temporal: minutes)…');
  const stack = await startStack({ log: (line) => console.log(line) });
  console.log(`
  Temporal      ${stack.temporalAddress}  (namespace ${stack.namespace}, PostgreSQL persistence + SQL visibility)
  metrics       ${stack.temporalMetricsUrl}
  PostgreSQL    ${stack.postgres.host}:${stack.postgres.port}  (user ${stack.postgres.user}, databases temporal, temporal_visibility)
  sandbox       ${stack.sandboxUrl}  (the partner; inspect: ${stack.sandboxUrl}/_sandbox/customers)
  webhooks      ${stack.webhookUrl}  (WEBHOOK_SECRET=${stack.webhookSecret})
  workers       ${stack.workers.length} on task queue "${stack.taskQueue}", documents under ${stack.sourceRoot}
  data, logs    ${stack.dir}

Drive an onboarding: TEMPORAL_ADDRESS=${stack.temporalAddress} npm run kyc -- --help. Ctrl-C stops everything.`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log(`${signal}: draining the workers, then stopping the receiver, the sandbox, Temporal and PostgreSQL…`);
  await stack.stop();
  console.log('stack stopped');
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`npm run stack: ${err.message}`);
    process.exit(1);
  },
);
