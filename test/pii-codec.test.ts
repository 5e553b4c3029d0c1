// Payload encryption (common/payload-codec.ts) and the Web UI's codec server (codec-server/) over real HTTP.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { parseCodecServerConfig } from '../codec-server/config';
import { startCodecServer, type CodecServer } from '../codec-server/server';
import { dataConverterFromEnv, payloadEncryptionWarning } from '../common/data-converter';
import { AesGcmPayloadCodec, parsePayloadKeys, PayloadKeysError } from '../common/payload-codec';
import { request } from './support/webhooks';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const customer = {
  customerReference: 'pouch-user-12345',
  rejectionReason: 'ID document unreadable',
  source: '/var/kyc/u1/passport.jpg',
};
const plain = (): Payload[] => [
  defaultPayloadConverter.toPayload(customer),
  defaultPayloadConverter.toPayload('second'),
];
const text = (p: Payload) => Buffer.from(p.data ?? []).toString('latin1');

describe('payload codec', () => {
  it('round-trips payloads, and the encrypted form holds none of the customer data', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${keyA}`));
    const encoded = await codec.encode(plain());
    expect(encoded).toHaveLength(2);
    for (const payload of encoded) {
      expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');
      expect(Buffer.from(payload.metadata!['encryption-key-id']!).toString()).toBe('k1');
      for (const value of Object.values(customer)) expect(text(payload)).not.toContain(value);
    }
    const decoded = await codec.decode(encoded);
    expect(defaultPayloadConverter.fromPayload(decoded[0]!)).toEqual(customer);
    expect(defaultPayloadConverter.fromPayload(decoded[1]!)).toBe('second');
  });

  it('rotation: the new key encrypts, the old key still decrypts, an unknown key id is named', async () => {
    const before = await new AesGcmPayloadCodec(parsePayloadKeys(`old:${keyA}`)).encode(plain());
    const rotated = new AesGcmPayloadCodec(parsePayloadKeys(`new:${keyB}, old:${keyA}`));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode(before))[0]!)).toEqual(customer);
    const after = await rotated.encode(plain());
    expect(Buffer.from(after[0]!.metadata!['encryption-key-id']!).toString()).toBe('new');

    const retired = new AesGcmPayloadCodec(parsePayloadKeys(`newest:${randomBytes(32).toString('base64')}`));
    await expect(retired.decode(before)).rejects.toThrow(/key id "old".*KYC_PAYLOAD_KEYS/);
  });

  it('rejects a tampered ciphertext and a payload relabelled with another key id', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${keyA},k2:${keyB}`));
    const [encoded] = await codec.encode(plain());
    const flipped = Buffer.from(encoded!.data!);
    flipped[20] = flipped[20]! ^ 0x01;
    await expect(codec.decode([{ ...encoded!, data: flipped }])).rejects.toThrow(/"k1" failed authentication/);
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-key-id': Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/"k2" failed authentication/);
  });

  it('KYC_PAYLOAD_KEYS: bad values are named by variable and key id, never by key material', () => {
    const short = Buffer.from('too short').toString('base64');
    const attempts = [`k1:${short}`, `k1:${keyA},k1:${keyB}`, keyA, `bad id!:${keyA}`];
    for (const value of attempts) {
      const err = (() => {
        try {
          parsePayloadKeys(value);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(PayloadKeysError);
      expect(err!.message).toMatch(/^KYC_PAYLOAD_KEYS: /);
      for (const secret of [short, keyA, keyB]) expect(err!.message).not.toContain(secret);
    }
    expect(() => parsePayloadKeys(`k1:${keyA},k1:${keyB}`)).toThrow(/"k1" appears more than once/);
    expect(() => parsePayloadKeys(`k1:${short}`)).toThrow(/"k1" must be 32 bytes/);
  });

  it('no keys: plain payloads and a start-up warning; keys: codec plus encoded failures', () => {
    expect(dataConverterFromEnv({})).toEqual({});
    expect(payloadEncryptionWarning({})).toMatch(/KYC_PAYLOAD_KEYS is unset/);
    const withKeys = dataConverterFromEnv({ KYC_PAYLOAD_KEYS: `k1:${keyA}` });
    expect(withKeys.payloadCodecs).toHaveLength(1);
    expect(withKeys.failureConverterPath).toMatch(/failure-converter\.js$/);
    expect(payloadEncryptionWarning({ KYC_PAYLOAD_KEYS: `k1:${keyA}` })).toBeUndefined();
  });
});

describe('codec server', () => {
  it('npm run codec-server: bad or missing variables are named, their values never printed', () => {
    const short = Buffer.from('short').toString('base64');
    const attempt = () =>
      parseCodecServerConfig({
        KYC_PAYLOAD_KEYS: `k1:${short}`,
        KYC_CODEC_SERVER_TOKEN: 'tiny-token',
        KYC_CODEC_CORS_ORIGIN: 'nope',
      });
    expect(attempt).toThrow(/KYC_PAYLOAD_KEYS: key "k1" must be 32 bytes/);
    expect(attempt).toThrow(/KYC_CODEC_SERVER_TOKEN: must be at least 16/);
    expect(attempt).toThrow(/KYC_CODEC_CORS_ORIGIN: must be the Web UI origin/);
    expect(attempt).not.toThrow(/tiny-token|c2hvcnQ/);
    expect(() => parseCodecServerConfig({})).toThrow(/KYC_CODEC_SERVER_TOKEN: is required/);
    const config = parseCodecServerConfig({
      KYC_PAYLOAD_KEYS: `k1:${keyA}`,
      KYC_CODEC_SERVER_TOKEN: 'a-long-enough-token',
    });
    expect(config).toMatchObject({
      KYC_CODEC_CORS_ORIGIN: 'http://127.0.0.1:8233',
      KYC_CODEC_PORT: 8234,
      KYC_CODEC_HOST: '127.0.0.1',
    });
  });

  const token = 'codec-token-0123456789abcdef';
  const uiOrigin = 'http://127.0.0.1:8233';
  const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${keyA}`));
  let server: CodecServer;
  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(server.url, path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-namespace': 'default',
        ...headers,
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startCodecServer({ codec, token, corsOrigin: uiOrigin });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 401 without the bearer token, or with a wrong one', async () => {
    const payloads = (await codec.encode(plain())).map(toJson);
    expect((await post('/decode', { payloads }, { authorization: '' })).status).toBe(401);
    expect((await post('/decode', { payloads }, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post('/encode', { payloads }, { authorization: '' })).status).toBe(401);
  });

  it('decodes what the worker encrypted, and encodes what it can decode again', async () => {
    const decoded = await post('/decode', { payloads: (await codec.encode(plain())).map(toJson) });
    expect(decoded.status).toBe(200);
    expect(JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString())).toEqual(customer);
    expect(Buffer.from(decoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');

    const encoded = await post('/encode', { payloads: decoded.body.payloads });
    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(encoded.body.payloads[0].data, 'base64').toString('latin1')).not.toContain(
      customer.customerReference,
    );
    const again = await post('/decode', { payloads: encoded.body.payloads });
    expect(again.body.payloads).toEqual(decoded.body.payloads);
  });

  it('answers 400, naming the key id, for a payload under an unknown key; 400 for a malformed body', async () => {
    const foreign = new AesGcmPayloadCodec(parsePayloadKeys(`elsewhere:${keyB}`));
    const answer = await post('/decode', { payloads: (await foreign.encode(plain())).map(toJson) });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain('"elsewhere"');
    expect((await post('/decode', { nope: true })).status).toBe(400);
  });

  it('CORS: a preflight from the Web UI origin is allowed, with X-Namespace and Authorization', async () => {
    const answer = await request(server.url, '/decode', {
      method: 'OPTIONS',
      headers: {
        origin: uiOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-namespace, authorization, content-type',
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/x-namespace/);
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(answer.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const decoded = await post('/decode', { payloads: [] }, { origin: uiOrigin });
    expect(decoded.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  });

  it('CORS: another origin gets no CORS headers, on the preflight or on the request', async () => {
    const evil = 'http://evil.example';
    const preflight = await request(server.url, '/decode', {
      method: 'OPTIONS',
      headers: {
        origin: evil,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-namespace',
      },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    const decoded = await post('/decode', { payloads: [] }, { origin: evil });
    expect(decoded.headers.get('access-control-allow-origin')).toBeNull();
  });
});
