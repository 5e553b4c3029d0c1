// An example backend (examples/backend/README.md): the routes a fintech's API adds to run KYC on the product. It
// uses the product as any project would, through its public entry points only; in your own project these two
// imports read `from 'kyc-worker'` and `from 'kyc-worker/webhook'`.
import express, { type ErrorRequestHandler, type Request } from 'express';
import {
  InvalidCustomerIdError,
  InvalidKycInputError,
  KycClient,
  KycRetryRefusedError,
  KycRunNotFoundError,
  KycStillRunningError,
  type KycInput,
} from '../../client/index';
import { createTechnestWebhookHandler, technestExpressHandler, webhookPath } from '../../webhook/index';
import { createPartnerCustomer, PartnerRefusedError, type PartnerAccount } from './partner';

export interface BackendOptions {
  kyc: KycClient;
  partner: PartnerAccount;
  /** The webhook signing secret(s) the partner signs with, newest first. */
  webhookSecrets: string[];
}

/** A request the backend itself refuses (a missing field): 400. */
class BadRequestError extends Error {}

export function createBackendApp({ kyc, partner, webhookSecrets }: BackendOptions): express.Express {
  const app = express();

  // The partner's webhook first: it needs the raw bytes, which express.json() below would consume.
  const technest = createTechnestWebhookHandler({ client: kyc.client, secrets: webhookSecrets });
  app.all(webhookPath, technestExpressHandler(technest));

  app.use(express.json());

  // Sign-up: the customer at the partner, then their KYC run. The answer comes at once; the review takes hours.
  app.post('/signup', async (req, res) => {
    const reference = requiredString(req, 'reference');
    const country = optionalString(req, 'country');
    const documents = requiredDocuments(req);
    const customerId = await createPartnerCustomer(partner, reference, country);
    const input: KycInput = { customerId, customerReference: reference, documents, ...(country ? { country } : {}) };
    const started = await kyc.start(input);
    res.status(201).json({ customerId, customerReference: reference, workflowId: started.workflowId });
  });

  // Where the customer's KYC is; once decided, what to tell them and, if rejected, the reference to retry with.
  app.get('/customers/:id/kyc', async (req, res) => {
    const customerId = req.params.id;
    const { stage, customerReference, submittedAt, escalatedAt, outcome } = await kyc.status(customerId);
    const result = outcome ? await kyc.result(customerId, { wait: false }).catch(stillRunning) : undefined;
    res.json({
      customerId,
      customerReference,
      stage,
      submittedAt,
      escalatedAt,
      outcome,
      userMessage: result?.userMessage,
      retryCustomerReference: result?.retryCustomerReference,
    });
  });

  // A rejected customer tries again: the partner never takes the rejected record or reference again, so the retry
  // is a new partner customer under the reference the rejected run handed out (`ref` → `ref-r2` → `ref-r3` …).
  app.post('/customers/:id/kyc/retry', async (req, res) => {
    const previousId = req.params.id;
    const documents = requiredDocuments(req);
    const country = optionalString(req, 'country');
    const previous = await kyc.result(previousId, { wait: false });
    if (previous.status !== 'rejected' || !previous.retryCustomerReference) {
      throw new KycRetryRefusedError(`customer ${previousId} was ${previous.status}: there is nothing to retry`);
    }
    const customerId = await createPartnerCustomer(partner, previous.retryCustomerReference, country);
    const started = await kyc.retry(previousId, { customerId, documents, ...(country ? { country } : {}) });
    res.status(201).json({
      customerId,
      customerReference: started.customerReference,
      workflowId: started.workflowId,
      retryOf: previousId,
    });
  });

  app.use(answerErrors);
  return app;
}

/** A run decided but still telling the backend about it: no result to show for a second or so. */
function stillRunning(err: unknown): undefined {
  if (err instanceof KycStillRunningError) return undefined;
  throw err;
}

function body(req: Request): Record<string, unknown> {
  return typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
}

function requiredString(req: Request, field: string): string {
  const value = body(req)[field];
  if (typeof value !== 'string' || value === '') throw new BadRequestError(`${field} is required: a non-empty string`);
  return value;
}

function optionalString(req: Request, field: string): string | undefined {
  const value = body(req)[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`${field} must be a string`);
  return value;
}

/** The documents' shape is checked by KycClient (InvalidKycInputError names each problem); only presence here. */
function requiredDocuments(req: Request): KycInput['documents'] {
  const documents = body(req).documents;
  if (!Array.isArray(documents)) throw new BadRequestError('documents is required: the customer’s documents');
  return documents as KycInput['documents'];
}

/** What a caller can act on, for each error the routes may meet. */
function answerFor(err: unknown): [status: number, type: string] {
  if (err instanceof BadRequestError || err instanceof InvalidKycInputError || err instanceof InvalidCustomerIdError) {
    return [400, 'invalid_request'];
  }
  if (err instanceof KycRunNotFoundError) return [404, 'not_found'];
  if (err instanceof KycRetryRefusedError || err instanceof KycStillRunningError) return [409, 'conflict'];
  // 409: the reference is taken or was rejected; anything else from the partner is its failure, not the caller's.
  if (err instanceof PartnerRefusedError) return [err.status === 409 ? 409 : 502, 'partner_refused'];
  // express.json()'s own refusals (a body that is not JSON, too large) carry their 4xx status.
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return [status, 'invalid_request'];
  return [500, 'internal_error'];
}

/** Every error as `{ error: { type, message } }`; a 500 says no more than that, the log has the rest. */
const answerErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const [status, type] = answerFor(err);
  if (status === 500) console.error(err);
  const message = status === 500 ? 'unexpected error in the backend' : (err as Error).message;
  res.status(status).json({ error: { type, message } });
};
