// The package's `kyc-worker/webhook` entry: the Technest webhook for any Node server. One core
// (createTechnestWebhookHandler: raw body → signature → event → signal → answer) and three thin adapters. None of
// them loads express or fastify: a node:http server needs neither installed.
export {
  createTechnestWebhookHandler,
  webhookPath,
  type TechnestWebhookHandler,
  type TechnestWebhookOptions,
  type WebhookLogger,
  type WebhookMetrics,
  type WebhookRequest,
  type WebhookRequestHead,
} from './handler';
export type { ErrorBody, RefusalType, WebhookAnswer } from './answers';
export { readRawBody, webhookBodyLimit, type RawBody } from './raw-body';
export { technestNodeListener } from './node-http';
export { technestExpressHandler, type ExpressLikeRequest } from './express';
export { technestFastifyPlugin, type TechnestFastifyOptions } from './fastify';
/** To sign test deliveries as the partner does (a backend's own tests of its mounting). */
export { signWebhook } from '../common/webhook-signature';
