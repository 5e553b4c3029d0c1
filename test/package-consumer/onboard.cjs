// The README's "Use it from your backend", end to end, in one plain-JavaScript process of a fresh project that
// installed the packed tarball: a worker from `kyc-worker/worker`, the webhook mounted in a node:http server, a KYC
// started with KycClient, and the partner's verdict arriving by webhook. Configured by the environment like every
// process of the package (TEMPORAL_ADDRESS, TECHNEST_API_URL, TECHNEST_API_KEY, KYC_TASK_QUEUE, WEBHOOK_SECRET)
// plus WEBHOOK_PORT and DOCUMENT. Its last line of output is one JSON object.
/* global fetch */
const http = require('node:http');
const { KycClient } = require('kyc-worker');
const { createTechnestWebhookHandler, technestNodeListener, webhookPath } = require('kyc-worker/webhook');
const {
  NativeConnection,
  createKycWorker,
  dataConverterFromEnv,
  parseWorkerConfig,
  prebuiltWorkflowBundle,
  temporalTarget,
} = require('kyc-worker/worker');

async function main() {
  // The worker: a process of its own in production (or `npx kyc-worker`); beside the backend here for brevity.
  const { connectionOptions, namespace } = temporalTarget();
  const connection = await NativeConnection.connect(connectionOptions);
  const worker = await createKycWorker({
    connection,
    namespace,
    config: parseWorkerConfig(process.env),
    workflowBundle: prebuiltWorkflowBundle(),
    dataConverter: dataConverterFromEnv(),
  });
  const running = worker.run();

  // The backend: a KycClient, and the partner's webhook mounted on its HTTP server.
  const kyc = await KycClient.connect();
  const technest = technestNodeListener(
    createTechnestWebhookHandler({ client: kyc.client, secrets: process.env.WEBHOOK_SECRET.split(',') }),
  );
  const server = http.createServer((req, res) => {
    if (req.url.startsWith(webhookPath)) return technest(req, res);
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(Number(process.env.WEBHOOK_PORT), '127.0.0.1', resolve));

  // On customer creation: the backend creates the customer at the partner, then starts its KYC.
  const reply = await fetch(`${process.env.TECHNEST_API_URL}/v1/customers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${process.env.TECHNEST_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ customer_reference: 'consumer-1' }),
  });
  const customer = await reply.json();
  await kyc.start({
    customerId: customer.id,
    customerReference: 'consumer-1',
    documents: [
      { category: 'id_document', filename: 'passport.jpg', contentType: 'image/jpeg', source: process.env.DOCUMENT },
    ],
  });
  const result = await kyc.result(customer.id);
  const status = await kyc.status(customer.id);

  server.close();
  server.closeAllConnections();
  worker.shutdown();
  await running;
  await kyc.close();
  await connection.close();
  console.log(JSON.stringify({ customerId: customer.id, result, decidedVia: status.outcome?.via }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
