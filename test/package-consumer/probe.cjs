// A backend in plain CommonJS, run by test/package.test.ts inside a fresh project that installed the packed tarball:
// every entry loads with require(), and what it hands out works. Prints one JSON line of what a user would see.
const { existsSync, statSync } = require('node:fs');
const kyc = require('kyc-worker');
const webhook = require('kyc-worker/webhook');
const messages = require('kyc-worker/messages');
// Measured before the worker entry loads: a backend that only starts runs and takes webhooks never loads the
// worker's native bridge or its activities.
const loadedByBackend = Object.keys(require.cache);
const worker = require('kyc-worker/worker');
const tracing = require('kyc-worker/tracing');

const input = {
  customerId: 'ckcust_probe',
  customerReference: 'probe-1',
  documents: [{ category: 'id_document', filename: 'p.jpg', contentType: 'image/jpeg', source: '/tmp/p.jpg' }],
};
const handler = webhook.createTechnestWebhookHandler({ client: {}, secrets: ['whsec_probe'] });
const outcome = (fn) => {
  try {
    return { returned: fn() };
  } catch (err) {
    return { threw: err.code ?? err.message };
  }
};

console.log(
  JSON.stringify({
    client: {
      connect: typeof kyc.KycClient.connect,
      notFound: new kyc.KycRunNotFoundError('ckcust_probe').message,
      workflowId: kyc.kycStartOptions(input).workflowId,
    },
    webhook: {
      path: webhook.webhookPath,
      getIsRefused: handler.refuseBeforeBody({ method: 'GET', path: webhook.webhookPath }).status,
      signs: typeof webhook.signWebhook,
      nodeListener: typeof webhook.technestNodeListener(handler),
    },
    messages: {
      signals: [messages.customerVerified.name, messages.customerRejected.name],
      query: messages.statusQuery.name,
      update: messages.customerDecision.name,
      workflowId: messages.kycWorkflowId('ckcust_probe'),
    },
    backendLoadedNativeBridge: loadedByBackend.some((file) => file.includes('core-bridge')),
    backendLoadedActivities: loadedByBackend.some((file) => file.includes('/dist/activities/')),
    worker: {
      create: typeof worker.createKycWorker,
      activities: Object.keys(
        worker.createActivities({ partnerUrl: 'http://127.0.0.1:1', partnerApiKey: 'k', maxFileBytes: 1024 }),
      ).length,
      workflowsPath: statSync(worker.workflowsPath).isDirectory(),
      bundle: existsSync(worker.prebuiltWorkflowBundle().codePath),
      badConfig: outcome(() => worker.parseWorkerConfig({})).threw,
    },
    tracing: typeof tracing.setupTracing,
    deepImport: outcome(() => require('kyc-worker/dist/client/kyc-client.js')).threw,
  }),
);
