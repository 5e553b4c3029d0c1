// The worker's side effects, as closures over injected configuration (samples-typescript `timer-examples`):
// tests build them against the sandbox, the worker against the real rail.
import type { KycDocument } from '../workflows/documents';
import { checkDocuments } from './check-documents';
import { pollCustomerDecision } from './customer-decision';
import { emitKycEvent } from './kyc-events';
import { attachDocuments, submitKyc } from './kyc-submission';
import { PartnerClient } from './partner-client';
import type { SourcePolicy } from './sources';
import type { ActivityDeps, KycActivities, UploadSteps } from './types';
import { putDocument } from './upload';

export type {
  ActivityDeps,
  CheckedDocument,
  KycActivities,
  PolledDecision,
  SubmittedKyc,
  UploadedDocument,
  UploadIntent,
  UploadSteps,
} from './types';

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function wiring(deps: ActivityDeps) {
  const timeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const partner = new PartnerClient({ baseUrl: deps.partnerUrl, apiKey: deps.partnerApiKey, timeoutMs });
  const policy: SourcePolicy = {
    maxFileBytes: deps.maxFileBytes,
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

  return {
    checkDocuments: (documents: KycDocument[]) => checkDocuments(documents, policy),

    async uploadDocument({ customerId, document }) {
      const intent = await upload.requestUploadIntent({
        customerId,
        category: document.category,
        filename: document.filename,
        contentType: document.contentType,
      });
      const uploaded = await upload.putDocument({ source: document.source, intent });
      return { fileId: intent.fileId, ...uploaded };
    },

    attachDocuments: (req) => attachDocuments(partner, req),
    submitKyc: (req) => submitKyc(partner, req),
    pollCustomerDecision: (req) => pollCustomerDecision(partner, req),
    emitKycEvent: (req) => emitKycEvent(deps.eventsUrl, timeoutMs, req),
  };
}
