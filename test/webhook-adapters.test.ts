// The Technest webhook in three kinds of Node server (webhook/node-http.ts, express.ts, fastify.ts), over real HTTP:
// each adapter mounted as a backend would mount it, on a free port, its core talking to the suite's dev server. One
// table of the contract's answers (docs/webhook-receiver.md, "Answers") runs against all three.
import { createServer, type RequestListener, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import Fastify from 'fastify';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { kycStartOptions } from '../client/start-options';
import { kycWorkflow } from '../workflows';
import {
  createTechnestWebhookHandler,
  signWebhook,
  technestExpressHandler,
  technestFastifyPlugin,
  technestNodeListener,
  webhookPath,
  type TechnestWebhookHandler,
} from '../webhook';
import { listenOnFreePort, unusedUrl } from '../scripts/ports';
import { stubInput } from './support/stub-worker';
import { devServerAddress, uniqueTaskQueue } from './support/temporal';
import { postWebhook, rejectedEvent, request, verifiedEvent, type Answer } from './support/webhooks';

const secret = 'whsec_adapters_test';
let connection: Connection;
let client: Client;
let handler: TechnestWebhookHandler;
/** A handler whose Temporal is down: the 503 row. */
let cutOff: TechnestWebhookHandler;
let downConnection: Connection;
const logLines: string[] = [];
const openRuns: WorkflowHandle[] = [];

interface Mounted {
  url: string;
  close(): Promise<void>;
}

async function serve(listener: RequestListener): Promise<Mounted> {
  const server: Server = createServer(listener);
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Each adapter mounted as its README snippet does, beside one route of the server's own. */
const adapters: Array<{ name: string; mount(handler: TechnestWebhookHandler): Promise<Mounted> }> = [
  {
    name: 'node:http',
    mount: (handler) => {
      const technest = technestNodeListener(handler);
      return serve((req, res) => {
        if (req.url?.split('?')[0] === webhookPath) return technest(req, res);
        res.writeHead(404).end();
      });
    },
  },
  {
    name: 'Express',
    mount: (handler) => {
      const app = express();
      // `all`: a GET earns the contract's 405. Before express.json(), which the rest of the app uses.
      app.all(webhookPath, technestExpressHandler(handler));
      app.use(express.json());
      app.post('/echo', (req, res) => void res.json(req.body));
      return serve(app);
    },
  },
  {
    name: 'Fastify',
    mount: async (handler) => {
      const app = Fastify();
      await app.register(technestFastifyPlugin, { handler });
      app.post('/echo', async (request) => request.body);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as { port: number };
      return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
    },
  },
];

beforeAll(async () => {
  connection = await Connection.connect({ address: devServerAddress() });
  client = new Client({ connection });
  const logger = {
    info: (fields: object, message: string) => void logLines.push(JSON.stringify({ ...fields, message })),
    warn: (fields: object, message: string) => void logLines.push(JSON.stringify({ ...fields, message })),
    error: (fields: object, message: string) => void logLines.push(JSON.stringify({ ...fields, message })),
  };
  handler = createTechnestWebhookHandler({ client, secrets: [secret], logger });
  downConnection = Connection.lazy({ address: new URL(await unusedUrl()).host });
  cutOff = createTechnestWebhookHandler({
    client: new Client({ connection: downConnection }),
    secrets: [secret],
    temporalTimeoutMs: 300,
  });
});

afterAll(async () => {
  await Promise.all(openRuns.map((run) => run.terminate('webhook adapter test done').catch(() => undefined)));
  await downConnection?.close();
  await connection?.close();
});

const unknownCustomer = () => `ckcust_adapter${Date.now()}${Math.floor(Math.random() * 1e6)}`;

/** A KYC run no worker polls: it stays open and records every signal it is sent. */
async function openRun(): Promise<WorkflowHandle> {
  const customerId = unknownCustomer();
  const options = kycStartOptions(stubInput(customerId), uniqueTaskQueue('kyc-unpolled'));
  const handle = await client.workflow.start(kycWorkflow, options);
  openRuns.push(handle);
  return handle;
}

/** The signals the run's history holds: name and the customer id of the payload. */
async function signalsOf(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((signaled) => !!signaled)
    .map((signaled) => ({
      name: signaled.signalName,
      id: defaultPayloadConverter.fromPayload<{ id: string }>(signaled.input!.payloads![0]!).id,
    }));
}

/** A body over 64 KiB sent as a stream, so no Content-Length announces it: the reader's cap has to catch it. */
function streamedOversized(url: string): Promise<Answer> {
  const body = Buffer.from(JSON.stringify(verifiedEvent(unknownCustomer(), 'x', { padding: 'x'.repeat(70_000) })));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < body.length; at += 8192) controller.enqueue(body.subarray(at, at + 8192));
      controller.close();
    },
  });
  return request(url, webhookPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'technest-signature': signWebhook(secret, body) },
    body: stream,
    duplex: 'half',
  });
}

interface Row {
  name: string;
  send(url: string, downUrl: string): Promise<Answer>;
  status: number;
  /** The error type, or the success body. */
  answer: string | object;
  says?: string;
  headers?: Record<string, string>;
}

const signed = { secrets: secret };

const rows: Row[] = [
  {
    name: 'an unknown customer, correctly signed',
    send: (url) => postWebhook(url, verifiedEvent('ckcust_never_onboarded', 'x'), signed),
    status: 404,
    answer: 'customer_not_found',
    says: 'no KYC workflow for customer ckcust_never_onboarded',
  },
  {
    name: 'a signature made with a secret we do not hold',
    send: (url) => postWebhook(url, verifiedEvent(unknownCustomer(), 'x'), { secrets: 'whsec_attacker' }),
    status: 401,
    answer: 'invalid_signature',
    says: 'Technest-Signature does not match the body',
  },
  {
    name: 'no signature header',
    send: (url) => postWebhook(url, verifiedEvent(unknownCustomer(), 'x'), { signature: null }),
    status: 401,
    answer: 'invalid_signature',
    says: 'missing Technest-Signature header',
  },
  {
    name: 'malformed JSON, correctly signed',
    send: (url) => postWebhook(url, '{"event":"customer_verified","data":', signed),
    status: 400,
    answer: 'invalid_json',
    says: 'body is not valid JSON',
  },
  {
    name: 'an event that breaks the schema, correctly signed',
    send: (url) => postWebhook(url, verifiedEvent(unknownCustomer(), 'x', { status: 'rejected' }), signed),
    status: 400,
    answer: 'invalid_event',
    says: 'data.status: must be "verified" in a customer_verified event',
  },
  {
    name: 'GET instead of POST',
    send: (url) => request(url, webhookPath),
    status: 405,
    answer: 'method_not_allowed',
    says: `GET is not allowed on ${webhookPath}: use POST`,
    headers: { allow: 'POST' },
  },
  {
    name: 'PUT with a JSON body',
    send: (url) => postWebhook(url, verifiedEvent(unknownCustomer(), 'x'), { ...signed, method: 'PUT' }),
    status: 405,
    answer: 'method_not_allowed',
    says: `PUT is not allowed on ${webhookPath}: use POST`,
    headers: { allow: 'POST' },
  },
  {
    name: 'a body over 64 KiB, with its Content-Length',
    send: (url) => postWebhook(url, verifiedEvent(unknownCustomer(), 'x', { padding: 'x'.repeat(65 * 1024) }), signed),
    status: 413,
    answer: 'payload_too_large',
    says: 'body is larger than 65536 bytes',
  },
  {
    name: 'a body over 64 KiB, streamed without a Content-Length',
    send: (url) => streamedOversized(url),
    status: 413,
    answer: 'payload_too_large',
    says: 'body is larger than 65536 bytes',
  },
  {
    name: 'text/plain, correctly signed',
    send: (url) => postWebhook(url, verifiedEvent(unknownCustomer(), 'x'), { ...signed, contentType: 'text/plain' }),
    status: 415,
    answer: 'unsupported_media_type',
    says: 'Content-Type must be application/json',
  },
  {
    name: 'Temporal unreachable',
    send: (_url, downUrl) => postWebhook(downUrl, verifiedEvent(unknownCustomer(), 'x'), signed),
    status: 503,
    answer: 'temporal_unavailable',
    says: 'retry later',
    headers: { 'retry-after': '5' },
  },
];

describe.for(adapters)('the $name adapter', (adapter) => {
  let server: Mounted;
  let down: Mounted;
  beforeAll(async () => {
    [server, down] = await Promise.all([adapter.mount(handler), adapter.mount(cutOff)]);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), down?.close()]);
  });

  it('delivers a signed customer_verified to the open run: 200 delivered, and the run has the signal', async () => {
    const run = await openRun();
    const customerId = run.workflowId.replace(/^kyc-/, '');
    const answer = await postWebhook(server.url, verifiedEvent(customerId, 'adapter-ref'), signed);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toEqual({ status: 'delivered' });
    expect(await signalsOf(run)).toEqual([{ name: 'customerVerified', id: customerId }]);
  });

  it.for(rows)('$name → $status', async (row, { expect }) => {
    const answer = await row.send(server.url, down.url);
    expect(answer.status).toBe(row.status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    if (typeof row.answer === 'string') {
      expect(answer.body).toEqual({ error: { type: row.answer, message: expect.any(String) } });
      expect(answer.body.error.message).toContain(row.says);
    } else {
      expect(answer.body).toEqual(row.answer);
    }
    for (const [name, value] of Object.entries(row.headers ?? {})) expect(answer.headers.get(name)).toBe(value);
  });

  it("leaves the server's own routes and their JSON parsing alone", async () => {
    const echo = await request(server.url, '/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    if (adapter.name === 'node:http') expect(echo.status).toBe(404);
    else expect(echo).toMatchObject({ status: 200, body: { hello: 'world' } });
  });
});

describe('Express: who read the body first', () => {
  async function mountBehind(parser: express.RequestHandler): Promise<Mounted> {
    const app = express();
    app.use(parser);
    app.all(webhookPath, technestExpressHandler(handler));
    return serve(app);
  }

  it('behind express.json(): a clear 500 webhook_misconfigured naming the fix (the partner retries once fixed)', async () => {
    const server = await mountBehind(express.json());
    try {
      const answer = await postWebhook(server.url, verifiedEvent(unknownCustomer(), 'x'), signed);
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ error: { type: 'webhook_misconfigured', message: expect.any(String) } });
      expect(answer.body.error.message).toContain('mount the webhook route before express.json()');
      expect(answer.body.error.message).toContain('express.raw({ type: "application/json" })');
      // What the head alone decides is still the sender's fault, not ours.
      const wrongType = { ...signed, contentType: 'text/plain' };
      expect((await postWebhook(server.url, verifiedEvent(unknownCustomer(), 'x'), wrongType)).status).toBe(415);
      expect(logLines.join('\n')).toContain('"outcome":"webhook_misconfigured"');
    } finally {
      await server.close();
    }
  });

  it('behind express.raw({ type: "application/json" }): the parsed bytes are the raw body, verified as sent', async () => {
    const server = await mountBehind(express.raw({ type: 'application/json' }));
    try {
      const id = unknownCustomer();
      const answer = await postWebhook(server.url, verifiedEvent(id, 'x'), signed);
      expect(answer).toMatchObject({ status: 404, body: { error: { type: 'customer_not_found' } } });
      const forged = await postWebhook(server.url, verifiedEvent(id, 'x'), { secrets: 'whsec_attacker' });
      expect(forged.status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe('what the handler logs', () => {
  it('the event, the customer and the outcome; never the body, the signature or the secret', async () => {
    const mounted = await adapters[0]!.mount(handler);
    try {
      const id = unknownCustomer();
      const body = JSON.stringify(rejectedEvent(id, 'private-reference-7', 'private reason'));
      const signature = signWebhook(secret, body);
      expect((await postWebhook(mounted.url, body, { signature })).status).toBe(404);
      expect(
        (await postWebhook(mounted.url, body, { signature: signature.replace(/v1=\w+/, `v1=${'0'.repeat(64)}`) }))
          .status,
      ).toBe(401);
      const logs = logLines.join('\n');
      expect(logs).toContain(`"customerId":"${id}"`);
      expect(logs).toContain('"outcome":"no_workflow"');
      expect(logs).toContain('"outcome":"bad_signature"');
      for (const secretThing of [secret, signature.split('v1=')[1]!, 'private-reference-7', 'private reason']) {
        expect(logs).not.toContain(secretThing);
      }
    } finally {
      await mounted.close();
    }
  });
});
