// The codec server (`npm run codec-server`, ./main.ts): decodes (and encodes) payloads for the Temporal Web UI and
// CLI, so an operator with the token sees the encrypted histories in the clear while Temporal itself never holds a
// key. Temporal's remote codec protocol: POST /decode and POST /encode, body and answer
// `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`. A bearer token guards both; CORS is answered for the
// Web UI's origin only.
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { PayloadDecryptionError } from '../common/payload-codec';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const codecBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() })),
});
type JsonPayload = z.output<typeof codecBody>['payloads'][number];

export interface CodecServerOptions {
  codec: PayloadCodec;
  /**
   * The bearer token callers must send. Undefined turns authentication off: only the one-command demo does that, on
   * loopback, because the dev server's Web UI has no login and so cannot send a token.
   */
  token: string | undefined;
  /** The Web UI's origin, e.g. http://127.0.0.1:8233: the only origin that gets CORS headers. */
  corsOrigin: string;
  port?: number;
  host?: string;
}

const allowedHeaders = 'authorization, content-type, x-namespace';

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

function toJson({ metadata, data }: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
    ),
    data: Buffer.from(data ?? []).toString('base64'),
  };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function buildCodecServer(options: CodecServerOptions): FastifyInstance {
  // No request logging: bodies are customer data and the Authorization header is a credential.
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
  const corsFor = (origin: string | undefined, reply: FastifyReply): boolean => {
    if (origin !== options.corsOrigin) return false;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    reply.header('vary', 'Origin');
    return true;
  };

  app.addHook('onRequest', async (request, reply) => {
    const allowed = corsFor(request.headers.origin, reply);
    if (request.method === 'OPTIONS') {
      // A preflight: answered for the UI's origin, refused (without any CORS header) for every other one.
      if (!allowed) return reply.code(403).send({ error: 'origin not allowed' });
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', allowedHeaders);
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    }
    if (options.token !== undefined && !tokenMatches(request.headers.authorization, options.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong bearer token' });
    }
  });
  // Preflights are answered by the hook above; these routes only make the paths exist for OPTIONS.
  app.options('/encode', async () => undefined);
  app.options('/decode', async () => undefined);

  const transform = (direction: 'encode' | 'decode') => async (request: { body: unknown }, reply: FastifyReply) => {
    const parsed = codecBody.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({
        error: `body must be { payloads: [{ metadata, data }] } with base64 values: ${parsed.error.issues[0]?.message}`,
      });
    }
    try {
      const payloads = parsed.data.payloads.map(fromJson);
      const out = direction === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      return { payloads: out.map(toJson) };
    } catch (err) {
      if (err instanceof PayloadDecryptionError) return reply.code(400).send({ error: err.message });
      throw err;
    }
  };
  app.post('/encode', transform('encode'));
  app.post('/decode', transform('decode'));
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const app = buildCodecServer(options);
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const { address, port } = app.server.address() as AddressInfo;
  return { url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, close: () => app.close() };
}
