// The partner's webhook signature (docs/webhook-receiver.md, "Signature"):
// `Technest-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]` where v1 = HMAC-SHA256(secret, "<t>.<raw body>").
// Several v1 entries appear while the partner rotates keys.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'technest-signature';
/** Older than this (or this far in the future) and a signed delivery is refused as a possible replay. */
export const toleranceSeconds = 300;

const hmac = (secret: string, timestamp: number, rawBody: string | Buffer): string =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');

/** The header value for `rawBody`, with one v1 entry per secret (the CLI's `webhook` command, tests). */
export function signWebhook(
  secrets: string | string[],
  rawBody: string | Buffer,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const entries = [secrets].flat().map((secret) => `v1=${hmac(secret, timestamp, rawBody)}`);
  return [`t=${timestamp}`, ...entries].join(',');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Checks a header against every secret we accept; any one valid v1 entry passes. Constant-time compares. */
export function verifyWebhookSignature(
  header: string | undefined,
  rawBody: string | Buffer,
  secrets: string[],
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing Technest-Signature header' };
  let timestamp: number | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2);
    if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined) return { ok: false, reason: 'Technest-Signature has no valid t= timestamp' };
  if (candidates.length === 0) return { ok: false, reason: 'Technest-Signature has no valid v1= signature' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return { ok: false, reason: `Technest-Signature timestamp is more than ${toleranceSeconds} s from now` };
  }
  for (const secret of secrets) {
    const expected = Buffer.from(hmac(secret, timestamp, rawBody), 'hex');
    if (candidates.some((candidate) => timingSafeEqual(candidate, expected))) return { ok: true };
  }
  return { ok: false, reason: 'Technest-Signature does not match the body' };
}
