// Technest-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.
// Written here from the partner's scheme, deliberately not shared with the product's verifier:
// if both sides used one function, a bug in it would pass every test.
import { createHmac } from 'node:crypto';

export function technestSignature(secret: string, rawBody: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
