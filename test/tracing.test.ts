// Tracing on (tracing/): one onboarding on the dev server — the backend's KycClient.start, the run on a real KYC
// worker with the traced workflow bundle, its activities, and their HTTP calls to the partner sandbox over real HTTP,
// decided by polling so the whole onboarding is one causal chain — exported to an in-memory exporter through the
// same redacting processor as production. It forms one trace with the right parentage, and no span carries the
// customer reference, a document's name or path, the API key or an upload URL's signature. Tracing adds no command:
// the traced run replays on the untraced bundle, and every recorded history replays on the traced one.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { KycClient } from '../client/kyc-client';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { Rail } from '../sandbox/control-client';
import { historyFromJson } from '../scripts/history-json';
import { historiesDir } from '../scripts/record-histories';
import { hasTracingInterceptors } from '../tracing/bundle-marker';
import { redactedSpan } from '../tracing/redaction';
import { setupTracing, type TracingOn } from '../tracing/setup';
import { tracingWorkflowModules } from '../tracing/workflow-modules';
import { kycWorkflowModules } from '../worker/workflow-modules';
import { workflowsPath } from '../worker/create-worker';
import { workflowCode } from '../worker/workflow-code';
import type { KycInput } from '../workflows/input';
import { kycWorkflowId } from '../workflows/messages';
import { startEventSink } from './support/event-sink';
import { writeSampleDocuments } from './support/fixtures';
import { pollUntil } from './support/cli-run';
import { createKycTestWorker, runInBackground } from './support/kyc-harness';
import { startOtlpCollector } from './support/otlp-collector';
import { devServerAddress, uniqueTaskQueue, workflowBundle } from './support/temporal';
import { startWorkerProcess } from './support/worker-process';

const token = randomBytes(6).toString('hex');
const apiKey = `sk_test_tracing_${randomBytes(12).toString('hex')}`;
const reference = `tracing-ref-${token}`;
const memory = new InMemorySpanExporter();
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };

let tracing: TracingOn;
let tracedBundle: string;
let sandbox: Sandbox;
let rail: Rail;
let sink: Awaited<ReturnType<typeof startEventSink>>;
let connection: NativeConnection;
let worker: { stop(): Promise<void> };
let kyc: Awaited<ReturnType<typeof KycClient.connect>>;
let docsDir: string;
let documents: KycInput['documents'];

beforeAll(async () => {
  const set = await setupTracing({
    serviceName: 'kyc-tracing-test',
    env: {},
    spanProcessor: new SimpleSpanProcessor(memory),
  });
  if (!set.enabled) throw new Error(`tracing did not turn on: ${set.why}`);
  tracing = set;
  // The bundle a traced worker runs: the workflows plus the tracing interceptor modules, nothing else.
  tracedBundle = (
    await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: [...kycWorkflowModules, ...tracingWorkflowModules],
      logger: quiet,
    })
  ).code;

  sandbox = await startSandbox({ apiKey, review: { outcome: 'never' } });
  rail = new Rail(sandbox.url, apiKey);
  sink = await startEventSink();
  docsDir = mkdtempSync(join(tmpdir(), `kyc-tracing-${token}-`));
  const samples = await writeSampleDocuments(docsDir);
  documents = [
    { category: 'id_document', filename: `front-${token}.jpg`, contentType: 'image/jpeg', source: samples.jpeg },
    { category: 'id_document_back', filename: `back-${token}.png`, contentType: 'image/png', source: samples.png },
    {
      category: 'proof_of_address',
      filename: `bill-${token}.pdf`,
      contentType: 'application/pdf',
      source: `file://${samples.pdf}`,
    },
  ];
  connection = await NativeConnection.connect({ address: devServerAddress() });
  const built = await createKycTestWorker(connection, {
    taskQueue: 'kyc-tracing',
    bundle: { code: tracedBundle },
    tracing,
    activities: {
      real: {
        partnerUrl: sandbox.url,
        eventsUrl: sink.url,
        env: { TECHNEST_API_KEY: apiKey, KYC_SOURCE_ROOTS: docsDir, KYC_MIN_POLL_INTERVAL: '200ms' },
      },
    },
  });
  worker = runInBackground(built.worker);
  // The backend's client, traced as a backend would trace it.
  kyc = await KycClient.connect(
    { TEMPORAL_ADDRESS: devServerAddress(), KYC_TASK_QUEUE: built.taskQueue },
    { interceptors: tracing.clientInterceptors },
  );
});

afterAll(async () => {
  await kyc?.close();
  await worker?.stop();
  await connection?.close();
  await sandbox?.close();
  await sink?.close();
  await tracing?.shutdown();
});

const attr = (span: ReadableSpan, key: string) => span.attributes[key];
/** The HTTP client spans (undici for fetch, node:http for the upload PUT): url.full or, older conventions, http.url. */
const urlOf = (span: ReadableSpan) => String(attr(span, 'url.full') ?? attr(span, 'http.url') ?? '');
const methodOf = (span: ReadableSpan) => String(attr(span, 'http.request.method') ?? attr(span, 'http.method') ?? '');
const isHttpClient = (span: ReadableSpan) => span.kind === SpanKind.CLIENT && methodOf(span) !== '';

describe('tracing on: one onboarding, one trace', () => {
  let spans: ReadableSpan[];
  let customerId: string;

  beforeAll(async () => {
    // The test's own calls to the sandbox run outside any span: the HTTP instrumentation records none of them.
    customerId = await rail.createCustomer(reference);
    await rail.review(customerId, { outcome: 'verify', after_ms: 200 });
    const timing = { firstPollAfter: 300, maxPollInterval: 1000, escalateAfter: '1h' };
    await kyc.start({ customerId, customerReference: reference, documents, timing });
    expect(await kyc.result(customerId)).toMatchObject({ status: 'verified', customerId });
    // The run's own span leaves the workflow sandbox through a sink after its last task: wait for it, with a deadline.
    spans = await pollUntil('the RunWorkflow span', async () => {
      const finished = memory.getFinishedSpans();
      return finished.some((s) => s.name === 'RunWorkflow:kycWorkflow') && [...finished];
    });
  });

  it('forms a single trace rooted at the backend’s start call', () => {
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => s.name)).toEqual(['KycClient.start']);
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    // Every parent was exported too: nothing hangs off a span the trace does not hold.
    expect(spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId)).map((s) => s.name)).toEqual([]);
  });

  it('nests start → run → activity → HTTP call', () => {
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (span: ReadableSpan) => (span.parentSpanId ? byId.get(span.parentSpanId)?.name : undefined);
    const named = (name: string) => spans.filter((s) => s.name === name);

    expect(named('StartWorkflow:kycWorkflow').map(parentOf)).toEqual(['KycClient.start']);
    expect(named('RunWorkflow:kycWorkflow').map(parentOf)).toEqual(['StartWorkflow:kycWorkflow']);
    const activityStarts = spans.filter((s) => s.name.startsWith('StartActivity:'));
    const activityRuns = spans.filter((s) => s.name.startsWith('RunActivity:'));
    expect(activityStarts.length).toBeGreaterThan(0);
    for (const span of activityStarts)
      expect([span.name, parentOf(span)]).toEqual([span.name, 'RunWorkflow:kycWorkflow']);
    for (const span of activityRuns) {
      expect([span.name, parentOf(span)]).toEqual([span.name, span.name.replace('RunActivity:', 'StartActivity:')]);
    }
    for (const activity of [
      'prepareRun',
      'uploadDocument',
      'attachDocuments',
      'submitKyc',
      'pollCustomerDecision',
      'emitKycEvent',
    ]) {
      expect(activityRuns.map((s) => s.name)).toContain(`RunActivity:${activity}`);
    }

    const http = spans.filter(isHttpClient);
    for (const span of http) expect([urlOf(span), parentOf(span)?.split(':')[0]]).toEqual([urlOf(span), 'RunActivity']);
    const calls = http.map((s) => `${parentOf(s)} ${methodOf(s)} ${new URL(urlOf(s)).pathname}`);
    const customer = `/v1/customers/${customerId}`;
    const count = (call: string) => calls.filter((c) => c === call).length;
    expect(count(`RunActivity:uploadDocument POST ${customer}/files`)).toBe(3);
    expect(calls.filter((c) => /^RunActivity:uploadDocument PUT \/uploads\/[^/]+$/.test(c))).toHaveLength(3);
    expect(count(`RunActivity:attachDocuments POST ${customer}/files/attach`)).toBe(1);
    expect(count(`RunActivity:submitKyc POST ${customer}/kyc`)).toBe(1);
    expect(count(`RunActivity:pollCustomerDecision GET ${customer}`)).toBeGreaterThanOrEqual(1);
    expect(count(`RunActivity:emitKycEvent POST /kyc-events`)).toBe(2);
  });

  it('carries no personal data and no secret in any span', async () => {
    const partner = await rail.inspect(customerId);
    const needles = [reference, apiKey, docsDir, ...documents.flatMap((d) => [d.filename, d.source])];
    for (const span of spans) {
      const text = JSON.stringify({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
        links: span.links,
        resource: span.resource.attributes,
      });
      for (const needle of needles) expect([span.name, text.includes(needle)]).toEqual([span.name, false]);
      // An upload URL's query is its credential (`?expires=…&signature=<HMAC>`): no part of it, under any attribute.
      expect([span.name, /signature|expires=/i.test(text)]).toEqual([span.name, false]);
      expect(Object.keys(span.attributes)).not.toContain('url.query');
      if (isHttpClient(span)) expect(urlOf(span)).not.toMatch(/[?#@]/);
    }
    // The sandbox takes a PUT only with its URL's expiry and signature: the URLs these spans show had a query.
    expect(partner.uploads).toHaveLength(3);
  });

  it('adds no command: the traced run replays on the untraced bundle', async () => {
    const history = await kyc.client.workflow.getHandle(kycWorkflowId(customerId)).fetchHistory();
    // The trace went through Temporal in the start's header …
    expect(
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields?.['_tracer-data'],
    ).toBeDefined();
    // … and the workflow's commands are those of a worker without tracing: a difference would fail the replay.
    await expect(
      Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, kycWorkflowId(customerId)),
    ).resolves.toBeUndefined();
  });
});

describe('the worker process (npm run worker) with an OTLP endpoint', () => {
  it(
    'exports its spans over OTLP, in the trace of the backend’s start, after bundling the traced workflows itself',
    { timeout: 240_000 },
    async () => {
      const collector = await startOtlpCollector();
      const taskQueue = uniqueTaskQueue('kyc-tracing-process');
      const workerProcess = await startWorkerProcess(
        {
          TEMPORAL_ADDRESS: devServerAddress(),
          KYC_TASK_QUEUE: taskQueue,
          TECHNEST_API_URL: sandbox.url,
          TECHNEST_API_KEY: apiKey,
          KYC_SOURCE_ROOTS: docsDir,
          KYC_MIN_POLL_INTERVAL: '200ms',
          // The untraced bundle the global setup built: the worker has to bundle the traced workflows itself.
          KYC_WORKFLOW_BUNDLE: workflowBundle().codePath,
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_SERVICE_NAME: 'kyc-worker-under-test',
        },
        180_000,
      );
      const processReference = `${reference}-process`;
      let customerId: string;
      try {
        customerId = await rail.createCustomer(processReference);
        await rail.review(customerId, { outcome: 'verify', after_ms: 200 });
        const backend = new KycClient(kyc.client, { taskQueue });
        const timing = { firstPollAfter: 300, maxPollInterval: 1000, escalateAfter: '1h' };
        await backend.start({ customerId, customerReference: processReference, documents, timing });
        expect(await backend.result(customerId)).toMatchObject({ status: 'verified', customerId });
      } finally {
        // SIGTERM: the worker drains, and flushes the spans still in its batch before it exits.
        expect(await workerProcess.stop()).toBe(0);
        await collector.close();
      }

      expect(workerProcess.output()).toMatch(
        /tracing on: spans exported to http:\/\/127\.0\.0\.1:\d+\/v1\/traces \(OTLP http\/json\)/,
      );
      expect(workerProcess.output()).toMatch(
        /built without the tracing interceptors: bundling the workflows with them at start/,
      );

      const workflowId = kycWorkflowId(customerId);
      const backendSpans = memory.getFinishedSpans().filter((s) => attr(s, 'temporalWorkflowId') === workflowId);
      const startSpan = backendSpans.find((s) => s.name === 'StartWorkflow:kycWorkflow')!;
      const exported = collector.spans;
      expect(new Set(exported.map((s) => s.serviceName))).toEqual(new Set(['kyc-worker-under-test']));
      // One trace across two processes: the worker's spans continue the backend's.
      expect(new Set(exported.map((s) => s.traceId))).toEqual(new Set([startSpan.spanContext().traceId]));
      const run = exported.find((s) => s.name === 'RunWorkflow:kycWorkflow')!;
      expect(run.parentSpanId).toBe(startSpan.spanContext().spanId);
      const byId = new Map(exported.map((s) => [s.spanId, s]));
      const puts = exported.filter((s) => s.attributes['http.method'] === 'PUT');
      expect(puts).toHaveLength(3);
      for (const put of puts) expect(byId.get(put.parentSpanId!)?.name).toBe('RunActivity:uploadDocument');
      const partnerCalls = exported.filter((s) =>
        ((s.attributes['url.full'] as string | undefined) ?? '').startsWith(sandbox.url),
      );
      for (const call of partnerCalls) expect(byId.get(call.parentSpanId!)?.name).toMatch(/^RunActivity:/);
      expect(partnerCalls.length).toBeGreaterThanOrEqual(6);

      // What left the process, byte for byte: no personal data, no secret.
      const wire = collector.bodies.join('\n');
      for (const needle of [processReference, apiKey, docsDir, ...documents.flatMap((d) => [d.filename, d.source])]) {
        expect([needle, wire.includes(needle)]).toEqual([needle, false]);
      }
      expect(wire).not.toMatch(/signature|expires=/i);
    },
  );
});

describe('the traced workflow bundle', () => {
  it('holds the tracing interceptors; the untraced one does not', () => {
    expect(hasTracingInterceptors(tracedBundle)).toBe(true);
    expect(hasTracingInterceptors(readFileSync(workflowBundle().codePath, 'utf8'))).toBe(false);
  });

  it('replays every recorded history of every release, exporting no span while replaying', async () => {
    const files = readdirSync(historiesDir)
      .filter((release) => statSync(join(historiesDir, release)).isDirectory())
      .flatMap((release) =>
        readdirSync(join(historiesDir, release))
          .filter((f) => f.endsWith('.json'))
          .map((f) => `${release}/${f}`),
      );
    expect(files.length).toBeGreaterThan(10);
    const histories = files.map((file) => ({
      workflowId: file,
      history: historyFromJson(readFileSync(join(historiesDir, file), 'utf8')),
    }));
    const before = memory.getFinishedSpans().length;
    const failures: string[] = [];
    const replayed: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { code: tracedBundle }, sinks: tracing.worker.sinks },
      histories,
    )) {
      replayed.push(result.workflowId);
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(replayed.sort()).toEqual([...files].sort());
    expect(failures).toEqual([]);
    expect(memory.getFinishedSpans().length).toBe(before);
  });

  it('a worker given an untraced prebuilt bundle with tracing on bundles the traced workflows itself, and says so', async () => {
    const untraced = await workflowCode(workflowsPath, workflowBundle(), tracing);
    expect(untraced.options).toMatchObject({
      workflowsPath,
      interceptors: { workflowModules: [...kycWorkflowModules, ...tracingWorkflowModules] },
    });
    expect(untraced.options.workflowBundle).toBeUndefined();
    expect(untraced.notice).toMatch(/built without the tracing interceptors/);
    const traced = await workflowCode(workflowsPath, { code: tracedBundle }, tracing);
    expect(traced.options.workflowBundle).toEqual({ code: tracedBundle });
    expect(traced.options.interceptors?.workflowModules).toBeUndefined();
    expect(traced.notice).toBeUndefined();
  });
});

describe('redaction', () => {
  it('strips URL queries and credentials, non-attribute values, error messages and stack traces', () => {
    const source = {
      name: 'PUT',
      kind: SpanKind.CLIENT,
      spanContext: () => ({ traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1', traceFlags: 1 }),
      parentSpanId: undefined,
      startTime: [0, 0],
      endTime: [0, 1],
      status: { code: 2, message: `cannot read /var/kyc/${reference}/passport.jpg` },
      attributes: {
        'url.full': 'https://user:pw@store.example/b/k?X-Amz-Signature=abc&X-Amz-Expires=300',
        'http.target': '/b/k?X-Amz-Signature=abc',
        'url.query': '?X-Amz-Signature=abc',
        'url.path': '/b/k',
        searchAttributes: { CustomerReference: [reference] } as never,
        workflowId: 'kyc-ckcust_1',
        attempt: 2,
      },
      links: [],
      events: [
        {
          name: 'exception',
          time: [0, 1],
          attributes: {
            'exception.type': 'ApplicationFailure',
            'exception.message': reference,
            'exception.stacktrace': reference,
          },
        },
      ],
      duration: [0, 1],
      ended: true,
      resource: new Resource({ 'service.name': 'test' }),
      instrumentationLibrary: { name: 'test' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    } satisfies ReadableSpan;
    const safe = redactedSpan(source);
    expect(safe.attributes).toEqual({
      'url.full': 'https://store.example/b/k',
      'http.target': '/b/k',
      'url.path': '/b/k',
      workflowId: 'kyc-ckcust_1',
      attempt: 2,
    });
    expect(safe.status).toEqual({ code: 2 });
    expect(safe.events).toEqual([
      { name: 'exception', time: [0, 1], attributes: { 'exception.type': 'ApplicationFailure' } },
    ]);
    expect(safe.spanContext()).toEqual(source.spanContext());
  });
});
