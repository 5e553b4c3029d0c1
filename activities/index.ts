// The worker's side effects, as closures over injected configuration (samples-typescript `timer-examples`):
// tests build them against the sandbox, the worker against the real rail.
import type { KycDocument } from '../workflows/documents';
import { cancellationSignal } from './activity-context';
import { checkDocuments } from './check-documents';
import { pollCustomerDecision } from './customer-decision';
import { emitKycEvent } from './kyc-events';
import { attachDocuments, submitKyc } from './kyc-submission';
import { PartnerClient } from './partner-client';
import { prepareRun } from './prepare-run';
import { readCustomer } from './read-customer';
import { DEFAULT_SOURCE_ATTEMPTS, runSettings } from './run-settings';
import { withSourceAttempts } from './source-attempts';
import type { SourcePolicy } from './sources';
import type { ActivityDeps, KycActivities, UploadSteps } from './types';
import { putDocument, sendDocument } from './upload';
import { openForUpload } from './upload-source';

export type {
  ActivityDeps,
  CheckedDocument,
  KycActivities,
  PartnerCustomer,
  PolledDecision,
  PreparedRun,
  RunSettings,
  SubmittedKyc,
  UploadedDocument,
  UploadIntent,
  UploadSteps,
} from './types';
export { DEFAULT_SOURCE_ATTEMPTS, defaultRunSettings } from './run-settings';

/**
 * Per HTTP call (partner, backend, URL sources). Partner activities run with a 30 s start-to-close and a
 * submit makes two calls: at 10 s each an attempt always ends on its own, so a slow reply can never leave an
 * attempt running while the next one starts.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

function wiring(deps: ActivityDeps) {
  const timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const partner = new PartnerClient({ baseUrl: deps.partnerUrl, apiKey: deps.partnerApiKey, timeoutMs });
  const policy: SourcePolicy = {
    maxFileBytes: deps.maxFileBytes,
    timeoutMs,
    ...(deps.sourceRoots !== undefined ? { sourceRoots: deps.sourceRoots } : {}),
    ...(deps.sourceHosts !== undefined ? { sourceHosts: deps.sourceHosts } : {}),
  };
  return { timeoutMs, partner, policy };
}

/** Steps 1 and 2 on their own, for tests that need to hold an intent between them. */
export function createUploadSteps(deps: ActivityDeps): UploadSteps {
  const { timeoutMs, partner, policy } = wiring(deps);
  return {
    async requestUploadIntent(req) {
      const reply = await partner.requestUploadIntent(req.customerId, {
        file_category: req.category,
        filename: req.filename,
        content_type: req.contentType,
      });
      return {
        fileId: reply.file_id,
        uploadUrl: reply.upload_url,
        expiresAt: reply.expires_at,
        requiredHeaders: reply.required_headers,
      };
    },
    putDocument: (req) => putDocument(req, { policy, idleTimeoutMs: timeoutMs }),
  };
}

export function createActivities(deps: ActivityDeps): KycActivities {
  const { timeoutMs, partner, policy } = wiring(deps);
  const upload = createUploadSteps(deps);
  const settings = runSettings(deps.runSettings);
  const sourceAttempts = deps.sourceAttempts ?? DEFAULT_SOURCE_ATTEMPTS;

  return {
    prepareRun: (rawInput, options) => prepareRun(rawInput, options, { policy, settings }),
    checkDocuments: (documents: KycDocument[]) => checkDocuments(documents, policy),
    readCustomer: (req) => readCustomer(partner, req),

    uploadDocument: ({ customerId, document }) =>
      withSourceAttempts(document, sourceAttempts, async () => {
        // The source first: one that cannot be read must not cost the partner an upload intent.
        const ready = await openForUpload(document.source, policy, cancellationSignal());
        let intent;
        try {
          intent = await upload.requestUploadIntent({
            customerId,
            category: document.category,
            filename: document.filename,
            contentType: document.contentType,
          });
        } catch (error) {
          ready.opened.stream.destroy();
          throw error;
        }
        const uploaded = await sendDocument(ready, intent, { policy, idleTimeoutMs: timeoutMs });
        return { fileId: intent.fileId, ...uploaded };
      }),

    attachDocuments: (req) => attachDocuments(partner, req),
    submitKyc: (req) => submitKyc(partner, req),
    pollCustomerDecision: (req) => pollCustomerDecision(partner, req),
    emitKycEvent: (req) => emitKycEvent(deps.eventsUrl, timeoutMs, req),
  };
}
