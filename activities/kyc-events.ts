// Events to our backend (docs/workflow.md, "Events"), at least once: the Idempotency-Key lets the backend drop the
// duplicates that retries make. Retry conditions are the partner's (http-failures.ts), the names are our
// own: a backend refusal (BackendEventRefused) is recorded by the workflow and never retried, a backend
// outage (BackendUnavailable) is waited out — and neither may ever be mistaken for the partner's answer.
import { BackendEventRefused, BackendUnavailable } from '../workflows/failures';
import type { KycEvent } from '../workflows/events';
import { activityLog, callSignal, cancellationSignal } from './activity-context';
import { ERROR_BODY_LIMIT, failureForAnswer, failureForNoAnswer, type FailureNames } from './http-failures';
import { safeUrl } from './redact';

const backendFailureNames: FailureNames = { retryable: BackendUnavailable, refused: BackendEventRefused };
/** Enough of the backend's answer to explain a refusal in status and logs; the rest is not worth history space. */
const MESSAGE_LIMIT = 400;
const excerpt = (text: string) => (text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text);

export async function emitKycEvent(
  eventsUrl: string | undefined,
  timeoutMs: number,
  req: { event: KycEvent; idempotencyKey: string },
): Promise<{ delivered: boolean }> {
  const { event } = req;
  if (event.type === 'kyc.escalated') {
    // Logged whether or not a backend listens: the partner's advice (docs/partner-api.md, "Escalation after 24 hours")
    // is for whoever operates the worker.
    activityLog.warn('pending past escalateAfter: contact Technest support', {
      customerId: event.customerId,
      customerReference: event.customerReference,
    });
  }
  if (!eventsUrl) return { delivered: false };

  const what = `our backend's POST ${safeUrl(eventsUrl)} (${event.type})`;
  let response: Response;
  try {
    response = await fetch(eventsUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': req.idempotencyKey },
      body: JSON.stringify(event),
      redirect: 'error',
      signal: callSignal(timeoutMs),
    });
  } catch (error) {
    throw failureForNoAnswer(what, error, cancellationSignal(), timeoutMs, backendFailureNames);
  }
  if (!response.ok) {
    const bodyText = (await response.text().catch(() => '')).slice(0, ERROR_BODY_LIMIT);
    const retryAfter = response.headers.get('retry-after');
    throw failureForAnswer(what, { status: response.status, retryAfter, bodyText }, excerpt, backendFailureNames);
  }
  await response.body?.cancel().catch(() => undefined);
  activityLog.info('KYC event delivered', {
    type: event.type,
    customerId: event.customerId,
    idempotencyKey: req.idempotencyKey,
  });
  return { delivered: true };
}
