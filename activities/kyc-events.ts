// Events to our backend (contract §3), at least once: the Idempotency-Key lets the backend drop the
// duplicates that retries make. Retry conditions are the same as for the partner (http-failures.ts).
import type { KycEvent } from '../workflows/events';
import { activityLog, callSignal, cancellationSignal } from './activity-context';
import { ERROR_BODY_LIMIT, failureForAnswer, failureForNoAnswer } from './http-failures';
import { safeUrl } from './redact';

export async function emitKycEvent(
  eventsUrl: string | undefined,
  timeoutMs: number,
  req: { event: KycEvent; idempotencyKey: string },
): Promise<{ delivered: boolean }> {
  const { event } = req;
  if (event.type === 'kyc.escalated') {
    // Logged whether or not a backend listens: the guide's advice is for whoever operates the worker.
    activityLog.warn('pending past escalateAfter: contact Technest support', {
      customerId: event.customerId,
      customerReference: event.customerReference,
    });
  }
  if (!eventsUrl) return { delivered: false };

  const what = `POST ${safeUrl(eventsUrl)} (${event.type})`;
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
    throw failureForNoAnswer(what, error, cancellationSignal(), timeoutMs);
  }
  const bodyText = response.ok ? '' : (await response.text().catch(() => '')).slice(0, ERROR_BODY_LIMIT);
  if (response.ok) await response.body?.cancel().catch(() => undefined);
  if (!response.ok) {
    throw failureForAnswer(what, { status: response.status, retryAfter: response.headers.get('retry-after'), bodyText });
  }
  activityLog.info('KYC event delivered', { type: event.type, customerId: event.customerId, idempotencyKey: req.idempotencyKey });
  return { delivered: true };
}
