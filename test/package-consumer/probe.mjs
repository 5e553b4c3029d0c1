// The same package from an ES module: Node finds the named exports of the CommonJS build, entry by entry.
/* global console */
import { KycClient, kycStartOptions } from 'kyc-worker';
import { createTechnestWebhookHandler, technestNodeListener, webhookPath } from 'kyc-worker/webhook';
import { customerVerified, kycWorkflowId } from 'kyc-worker/messages';
import { createKycWorker, prebuiltWorkflowBundle } from 'kyc-worker/worker';

console.log(
  JSON.stringify({
    client: [typeof KycClient.connect, typeof kycStartOptions],
    webhook: [typeof createTechnestWebhookHandler, typeof technestNodeListener, webhookPath],
    messages: [customerVerified.name, kycWorkflowId('ckcust_esm')],
    worker: [typeof createKycWorker, typeof prebuiltWorkflowBundle().codePath],
  }),
);
