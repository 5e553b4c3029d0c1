// Encrypts every payload before it leaves the process, so Temporal's history (inputs, results, signals, activity
// arguments, failure messages, summaries) holds no customer data in the clear. AES-256-GCM with a fresh 96-bit nonce
// per payload; the key id travels in the payload's metadata so keys can rotate: the first configured key encrypts,
// every configured key decrypts.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const PAYLOAD_KEYS_VARIABLE = 'KYC_PAYLOAD_KEYS';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** A bad KYC_PAYLOAD_KEYS value. The message names the variable and the key id, never key material. */
export class PayloadKeysError extends Error {
  override name = 'PayloadKeysError';
}

/** A payload this process cannot decrypt: unknown key id, or bytes that fail authentication. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/**
 * Parses `<kid>:<base64 32-byte key>[,<kid>:<key>…]`, newest (encrypting) key first. Unset or empty → no keys.
 * Each problem is listed with its position and key id only.
 */
export function parsePayloadKeys(value: string | undefined, variable = PAYLOAD_KEYS_VARIABLE): PayloadKey[] {
  if (value === undefined || value.trim() === '') return [];
  const problems: string[] = [];
  const keys: PayloadKey[] = [];
  const seen = new Set<string>();
  value.split(',').forEach((entry, index) => {
    const item = entry.trim();
    const where = `entry ${index + 1}`;
    const colon = item.indexOf(':');
    if (colon <= 0) {
      problems.push(`${where} must look like <key id>:<base64 32-byte key>`);
      return;
    }
    const id = item.slice(0, colon).trim();
    const encoded = item.slice(colon + 1).trim();
    if (!keyIdPattern.test(id)) {
      problems.push(`${where}: the key id must be 1–64 letters, digits, ".", "_" or "-"`);
      return;
    }
    const key = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES)
      problems.push(`key "${id}" must be ${KEY_BYTES} bytes, base64-encoded (e.g. openssl rand -base64 32)`);
    if (seen.has(id)) problems.push(`key id "${id}" appears more than once`);
    seen.add(id);
    keys.push({ id, key });
  });
  if (problems.length > 0) throw new PayloadKeysError(`${variable}: ${problems.join('; ')}`);
  return keys;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly encrypting: PayloadKey;

  constructor(keys: PayloadKey[]) {
    const [first] = keys;
    if (!first) throw new PayloadKeysError(`${PAYLOAD_KEYS_VARIABLE}: at least one key is needed to encrypt payloads`);
    this.encrypting = first;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The key id new payloads are encrypted with. */
  get keyId(): string {
    return this.encrypting.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.encrypting.key, nonce);
      // The key id is authenticated too: a payload relabelled with another key id fails to decrypt.
      cipher.setAAD(Buffer.from(this.encrypting.id));
      const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          encoding: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from(this.encrypting.id),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      // Payloads written before encryption was switched on (or by a process without keys) pass through.
      if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const rawKeyId = payload.metadata?.[KEY_ID_METADATA];
      if (!rawKeyId) throw new PayloadDecryptionError(`an encrypted payload has no ${KEY_ID_METADATA} in its metadata`);
      const keyId = Buffer.from(rawKeyId).toString();
      const key = this.byId.get(keyId);
      if (!key) {
        throw new PayloadDecryptionError(
          `payload encrypted with key id "${keyId}", which is not among the configured keys (${PAYLOAD_KEYS_VARIABLE}: ${[...this.byId.keys()].join(', ')})`,
        );
      }
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < NONCE_BYTES + TAG_BYTES) {
        throw new PayloadDecryptionError(`payload encrypted with key id "${keyId}" is truncated`);
      }
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
        decipher.setAAD(Buffer.from(keyId));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        plain = Buffer.concat([
          decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
          decipher.final(),
        ]);
      } catch {
        throw new PayloadDecryptionError(
          `payload encrypted with key id "${keyId}" failed authentication (tampered or wrong key)`,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
